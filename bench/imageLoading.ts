/**
 * `npm run bench:images`: loading a dataset of image files. Decode throughput of the decoders before sharp (pngjs,
 * jpeg-js: one image at a time, in-process) against today's path (decodeImageFiles: small PNGs on pngjs, the rest on
 * sharp, several in flight) on the same 10,000 files; then, for 60,000 images at 32, 64 and 128 px, the first load
 * (decode + resize + cache write) and a reload from the decoded cache, each in a fresh process so that its peak RSS
 * is its own. Medians over rounds. The image folders are generated once from MNIST under --dir.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type sharpFunction from 'sharp';
import { decodeImageFiles } from '../src/core/data/decodeImageFiles';
import { forEachInFlight } from '../src/core/data/inFlight';
import { listImageFiles } from '../src/core/data/imageFolder';
import { loadDataset } from '../src/core/data/load';
import { loadMnist } from '../src/core/data/mnist';

const sharp = createRequire(__filename)('sharp') as typeof sharpFunction;

interface Args {
  dir: string;
  rounds: number;
  out: string;
  child?: string;
  generateOnly?: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { dir: path.join(os.tmpdir(), 'datadiet-bench-images'), rounds: 3, out: 'bench/image-loading.md' };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--dir') (a.dir = v), i++;
    else if (argv[i] === '--rounds') (a.rounds = Number(v)), i++;
    else if (argv[i] === '--out') (a.out = v), i++;
    else if (argv[i] === '--child') (a.child = v), i++;
    else if (argv[i] === '--generate-only') a.generateOnly = true;
  }
  return a;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** 60,000 MNIST digits as 28x28 gray PNGs, root/<digit>/<i>.png; 10,000 as 128x128 colour JPEGs and PNGs. */
async function generate(dir: string): Promise<void> {
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const { train } = loadMnist('mnist');
  const n = train.labels.length;
  const tint = (c: number): [number, number, number] => [(c * 70) % 256, (c * 130 + 60) % 256, (c * 200 + 120) % 256];
  process.stderr.write(`generating ${n} PNGs and 10,000 JPEGs under ${dir}\n`);
  await forEachInFlight(n, 8, async (i) => {
    const c = train.labels[i];
    const px = Buffer.from(train.images.subarray(i * 784, (i + 1) * 784));
    const file = path.join(dir, 'png28', String(c), `${i}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
    if (i < 10000) {
      const [r, g, b] = tint(c);
      const rgb = Buffer.alloc(784 * 3);
      for (let p = 0; p < 784; p++) rgb.set([(px[p] * r) >> 8, (px[p] * g) >> 8, (px[p] * b) >> 8], p * 3);
      const big = sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } }).resize(128, 128);
      for (const [kind, enc] of [['jpg128', big.clone().jpeg({ quality: 90 })], ['png128', big.clone().png()]] as const) {
        const f = path.join(dir, kind, String(c), `${i}.${kind.slice(0, 3)}`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        await enc.toFile(f);
      }
    }
  });
  fs.writeFileSync(done, '');
}

/**
 * The loader before sharp, as it was: pngjs / jpeg-js, synchronous, one file after another, each image collapsed to
 * one channel when gray, then all stacked into one array.
 */
function decodeOld(files: readonly string[]): Uint8Array {
  const decoded = files.map((f) => {
    const buf = fs.readFileSync(f);
    const img = f.endsWith('.png') ? { ...PNG.sync.read(buf), stride: 4 } : { ...jpeg.decode(buf, { useTArray: true, formatAsRGBA: false }), stride: 3 };
    const n = img.width * img.height;
    let gray = true;
    for (let p = 0, o = 0; p < n && gray; p++, o += img.stride) gray = img.data[o] === img.data[o + 1] && img.data[o] === img.data[o + 2];
    const c = gray ? 1 : 3;
    const data = new Uint8Array(n * c);
    for (let p = 0, o = 0; p < n; p++, o += img.stride) for (let k = 0; k < c; k++) data[p * c + k] = img.data[o + k];
    return data;
  });
  const size = decoded[0].length;
  const out = new Uint8Array(files.length * size);
  decoded.forEach((d, i) => out.set(d, i * size));
  return out;
}

async function throughput(dir: string, kind: string, rounds: number): Promise<{ kind: string; old: number; now: number }> {
  const files = listImageFiles(path.join(dir, kind)).slice(0, 10000);
  const old: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    decodeOld(files);
    old.push(files.length / ((performance.now() - t) / 1000));
    t = performance.now();
    await decodeImageFiles(files);
    now.push(files.length / ((performance.now() - t) / 1000));
  }
  return { kind, old: median(old), now: median(now) };
}

/** One load of the 60,000-image folder at `size` px in this process: seconds, bytes per example, peak RSS. */
async function childLoad(dir: string, size: number, cache: string): Promise<void> {
  const t = performance.now();
  const ds = await loadDataset(`folder:${path.join(dir, 'png28')}`, { geometry: { size, resize: 'crop' }, cacheDir: cache });
  const seconds = (performance.now() - t) / 1000;
  const n = ds.splits.train.labels.length + ds.splits.test.labels.length;
  const bytes = (ds.splits.train.images.byteLength + ds.splits.test.images.byteLength) / n;
  process.stdout.write(JSON.stringify({ seconds, n, bytes, rssMiB: peakRssMiB() }) + '\n');
}

/**
 * This process's peak resident memory: VmHWM, the high-water mark of its own address space. (getrusage's maxrss
 * would also count the parent's, which a child inherits across fork and exec on Linux.)
 */
function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

interface LoadRow {
  size: number;
  first: number;
  reload: number;
  bytes: number;
  n: number;
  rssFirst: number;
  rssReload: number;
}

function runChild(dir: string, size: number, cache: string): { seconds: number; n: number; bytes: number; rssMiB: number } {
  const r = spawnSync(process.execPath, [__filename, '--child', `${size}`, '--dir', dir, '--out', cache], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.child) return childLoad(a.dir, Number(a.child), a.out);
  await generate(a.dir);
  if (a.generateOnly) return;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [`# Image loading`, '', `${cpu}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at the start; ${a.rounds} rounds, medians.`, ''];
  lines.push('## Decode throughput, the same 10,000 files', '', '| files | pngjs / jpeg-js (before) | Data Diet now | ratio |', '| --- | ---: | ---: | ---: |');
  for (const kind of ['png28', 'png128', 'jpg128']) {
    const t = await throughput(a.dir, kind, a.rounds);
    lines.push(`| ${kind === 'png28' ? '28x28 gray PNG' : kind === 'png128' ? '128x128 colour PNG' : '128x128 colour JPEG'} | ${t.old.toFixed(0)} images/s | ${t.now.toFixed(0)} images/s | ${(t.now / t.old).toFixed(2)}x |`);
    process.stderr.write(`${lines[lines.length - 1]}\n`);
  }
  lines.push('', '## 60,000 images (MNIST as PNG files) at --image-size S, first load and reload from the decoded cache', '');
  lines.push('| S | first load (decode, resize, write cache) | reload from cache | bytes per example | peak RSS first | peak RSS reload |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const size of [32, 64, 128]) {
    const rows: LoadRow[] = [];
    for (let r = 0; r < a.rounds; r++) {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-bench-cache-'));
      const first = runChild(a.dir, size, cache);
      const reload = runChild(a.dir, size, cache);
      fs.rmSync(cache, { recursive: true, force: true });
      rows.push({ size, first: first.seconds, reload: reload.seconds, bytes: first.bytes, n: first.n, rssFirst: first.rssMiB, rssReload: reload.rssMiB });
    }
    const m = (k: keyof LoadRow) => median(rows.map((x) => x[k]));
    lines.push(`| ${size} | ${m('first').toFixed(1)} s | ${m('reload').toFixed(2)} s | ${m('bytes').toFixed(0)} | ${m('rssFirst').toFixed(0)} MiB | ${m('rssReload').toFixed(0)} MiB |`);
    process.stderr.write(`${lines[lines.length - 1]}\n`);
  }
  lines.push('', `Load average at the end: ${os.loadavg()[0].toFixed(2)}.`, '');
  fs.writeFileSync(a.out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
