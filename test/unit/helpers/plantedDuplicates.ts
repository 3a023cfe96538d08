import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type sharpFunction from 'sharp';
import { makeRng } from '../../../src/core/random';

const sharp = createRequire(__filename)('sharp') as typeof sharpFunction;

export const SIDE = 32;

/**
 * A photo-like 32x32 colour image, different for every seed: a two-colour gradient at a random angle under three soft
 * blobs of random colour, place and size (smooth like a downscaled photo, never one colour).
 */
export function syntheticImage(seed: number): Buffer {
  const rng = makeRng(seed);
  const colour = () => [rng.next() * 255, rng.next() * 255, rng.next() * 255];
  const [c0, c1] = [colour(), colour()];
  const angle = rng.next() * 2 * Math.PI;
  const blobs = Array.from({ length: 3 }, () => ({ x: rng.next() * SIDE, y: rng.next() * SIDE, r: 3 + rng.next() * 8, c: colour() }));
  const px = Buffer.alloc(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const t = 0.5 + ((x - SIDE / 2) * Math.cos(angle) + (y - SIDE / 2) * Math.sin(angle)) / SIDE;
      const v = c0.map((a, k) => a * (1 - t) + c1[k] * t);
      for (const b of blobs) {
        const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
        for (let k = 0; k < 3; k++) v[k] = v[k] * (1 - w) + b.c[k] * w;
      }
      for (let k = 0; k < 3; k++) px[(y * SIDE + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(v[k])));
    }
  }
  return px;
}

const raw = (px: Buffer, side = SIDE) => sharp(px, { raw: { width: side, height: side, channels: 3 } });

export async function writePng(file: string, px: Buffer): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await raw(px).png().toFile(file);
}

/** The image scaled to `side` px (sharp's default Lanczos), saved as PNG: a resized copy. */
export async function writeResized(file: string, px: Buffer, side: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await raw(px).resize(side, side).png().toFile(file);
}

/** The image re-encoded as JPEG at quality 70 (optionally resized first): a re-encoded copy. */
export async function writeJpeg(file: string, px: Buffer, side = SIDE): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await raw(px).resize(side, side).jpeg({ quality: 70 }).toFile(file);
}

/** A planted group: the files (relative to the dataset root) that must come out as one group, and its flags. */
export interface PlantedGroup {
  readonly files: readonly string[];
  readonly kind: 'exact' | 'near';
  readonly leakage: boolean;
  readonly labelConflict: boolean;
}

/**
 * root/train/<class> and root/test/<class> with 3 classes of distinct synthetic images and planted copies: exact
 * copies across the splits (leakage) and inside train under another label, a resized copy, a JPEG copy under
 * another label in test, and a group of three (original, 48 px copy in test, JPEG copy). Read it with --image-size 32.
 */
export async function plantedDataset(root: string): Promise<PlantedGroup[]> {
  const classes = ['apple', 'bird', 'cloud'];
  const img = new Map<string, Buffer>();
  let seed = 100;
  for (const [split, perClass] of [['train', 10], ['test', 3]] as const) {
    for (const c of classes) {
      for (let i = 0; i < perClass; i++) {
        const file = `${split}/${c}/${c}${i}.png`;
        const px = syntheticImage(seed++);
        img.set(file, px);
        await writePng(path.join(root, file), px);
      }
    }
  }
  const at = (f: string) => path.join(root, f);
  fs.copyFileSync(at('train/apple/apple0.png'), at('test/apple/copy-of-apple0.png'));
  fs.copyFileSync(at('train/apple/apple3.png'), at('train/bird/copy-of-apple3.png'));
  await writeResized(at('train/bird/bird1-40px.png'), img.get('train/bird/bird1.png')!, 40);
  await writeJpeg(at('test/apple/cloud2-q70.jpg'), img.get('train/cloud/cloud2.png')!);
  await writeResized(at('test/cloud/cloud5-48px.png'), img.get('train/cloud/cloud5.png')!, 48);
  await writeJpeg(at('train/cloud/cloud5-q70.jpg'), img.get('train/cloud/cloud5.png')!, 40);
  return [
    { files: ['train/apple/apple0.png', 'test/apple/copy-of-apple0.png'], kind: 'exact', leakage: true, labelConflict: false },
    { files: ['train/apple/apple3.png', 'train/bird/copy-of-apple3.png'], kind: 'exact', leakage: false, labelConflict: true },
    { files: ['train/bird/bird1.png', 'train/bird/bird1-40px.png'], kind: 'near', leakage: false, labelConflict: false },
    { files: ['train/cloud/cloud2.png', 'test/apple/cloud2-q70.jpg'], kind: 'near', leakage: true, labelConflict: true },
    { files: ['train/cloud/cloud5.png', 'train/cloud/cloud5-q70.jpg', 'test/cloud/cloud5-48px.png'], kind: 'near', leakage: true, labelConflict: false },
  ];
}
