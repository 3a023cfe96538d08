/**
 * `npm run cifar-format -- --dataset fashion-mnist --out <dir>`: writes a dataset as CIFAR-10 binary batches
 * (data_batch_1..5.bin, test_batch.bin, batches.meta.txt), so the CIFAR-10 input path of every job and of
 * `npm run reproduce -- --datasets cifar10:<dir>` can be run end to end where CIFAR-10 itself cannot be
 * downloaded. Smaller images are centred on a black 32x32 canvas; a grey image fills all three colour planes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { CIFAR_SIDE } from '../src/core/data/cifar';
import type { ImageDataset } from '../src/core/data/dataset';
import { loadDataset } from '../src/core/data/load';

const PLANE = CIFAR_SIDE * CIFAR_SIDE;

/** One CIFAR-10 record per example: the label byte, then the R, G and B planes. */
export function cifarRecords(d: ImageDataset, from: number, to: number): Buffer {
  const [h, w, c] = d.shape;
  if (h > CIFAR_SIDE || w > CIFAR_SIDE) throw new Error(`${d.name}: ${h}x${w} images do not fit CIFAR's 32x32`);
  if (d.numClasses > 256) throw new Error(`${d.name}: ${d.numClasses} classes do not fit CIFAR-10's one label byte`);
  const top = Math.floor((CIFAR_SIDE - h) / 2);
  const left = Math.floor((CIFAR_SIDE - w) / 2);
  const out = Buffer.alloc((to - from) * (1 + 3 * PLANE));
  for (let i = from; i < to; i++) {
    const rec = (i - from) * (1 + 3 * PLANE);
    out[rec] = d.labels[i];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < 3; ch++) out[rec + 1 + ch * PLANE + (top + y) * CIFAR_SIDE + left + x] = d.images[((i * h + y) * w + x) * c + Math.min(ch, c - 1)];
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const o = new Command('cifar-format').requiredOption('--dataset <spec>', 'dataset to write (e.g. fashion-mnist)').requiredOption('--out <dir>', 'folder for the batches').parse(process.argv).opts<{ dataset: string; out: string }>();
  const { splits } = await loadDataset(o.dataset);
  fs.mkdirSync(o.out, { recursive: true });
  const n = splits.train.labels.length;
  for (let b = 0; b < 5; b++) fs.writeFileSync(path.join(o.out, `data_batch_${b + 1}.bin`), cifarRecords(splits.train, Math.floor((b * n) / 5), Math.floor(((b + 1) * n) / 5)));
  fs.writeFileSync(path.join(o.out, 'test_batch.bin'), cifarRecords(splits.test, 0, splits.test.labels.length));
  const names = splits.train.classNames ?? Array.from({ length: splits.train.numClasses }, (_, k) => String(k));
  fs.writeFileSync(path.join(o.out, 'batches.meta.txt'), names.join('\n') + '\n');
  process.stdout.write(`${o.out}: ${n} training and ${splits.test.labels.length} test images of ${o.dataset} as CIFAR-10 batches\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`cifar-format: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
