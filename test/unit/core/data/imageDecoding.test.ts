import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type sharpFunction from 'sharp';
import { decodeImage, decodeImageBuffer, MAX_IMAGE_PIXELS } from '../../../../src/core/data/decodeImage';
import { decodeImageFiles } from '../../../../src/core/data/decodeImageFiles';
import { cachedDecode, CACHE_ENTRIES } from '../../../../src/core/data/decodedCache';
import { loadDataset } from '../../../../src/core/data/load';
import { DataFormatError } from '../../../../src/core/data/dataset';

const sharp = createRequire(__filename)('sharp') as typeof sharpFunction;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-decode-'));

/** w x h RGB pixels from f(x, y). */
function rgb(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b.set(f(x, y), (y * w + x) * 3);
  return b;
}

const raw = (w: number, h: number, f: (x: number, y: number) => [number, number, number]) => sharp(rgb(w, h, f), { raw: { width: w, height: h, channels: 3 } });

async function save(file: string, img: ReturnType<typeof raw>): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await img.toFile(file);
  return file;
}

async function rejectsData(p: Promise<unknown>, ...fragments: string[]): Promise<DataFormatError> {
  let err: unknown;
  await p.then(
    () => assert.fail('expected a DataFormatError'),
    (e) => (err = e),
  );
  assert.ok(err instanceof DataFormatError, `expected a DataFormatError, got ${String(err)}`);
  for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" lacks "${f}"`);
  assert.ok(!/vips|libpng|premature|Input buffer/i.test(err.message), `library text leaked: ${err.message}`);
  return err;
}

// Left half red, right half blue: tells orientation, crops and pads apart.
const halves = (w: number) => (x: number): [number, number, number] => (x < w / 2 ? [250, 0, 0] : [0, 0, 250]);

test('every supported format decodes to the same RGB pixels (lossless ones exactly)', async () => {
  const f = halves(16);
  const files = {
    png: await save(path.join(dir, 'fmt', 'a.png'), raw(16, 8, f).png()),
    png16: await save(path.join(dir, 'fmt', 'a16.png'), raw(16, 8, f).toColourspace('rgb16').png()),
    palette: await save(path.join(dir, 'fmt', 'pal.png'), raw(16, 8, f).png({ palette: true, colours: 4 })),
    alpha: await save(path.join(dir, 'fmt', 'alpha.png'), raw(16, 8, f).ensureAlpha(0.5).png()),
    webp: await save(path.join(dir, 'fmt', 'a.webp'), raw(16, 8, f).webp({ lossless: true })),
    tiff: await save(path.join(dir, 'fmt', 'a.tiff'), raw(16, 8, f).tiff({ compression: 'lzw' })),
    gif: await save(path.join(dir, 'fmt', 'a.gif'), raw(16, 8, f).gif()),
    jpeg: await save(path.join(dir, 'fmt', 'a.jpg'), raw(16, 8, f).jpeg({ quality: 95 })),
    cmyk: await save(path.join(dir, 'fmt', 'cmyk.jpg'), raw(16, 8, f).toColourspace('cmyk').jpeg({ quality: 95 })),
    big: await save(path.join(dir, 'fmt', 'big.png'), raw(160, 80, halves(160)).png()),
  };
  for (const [name, file] of Object.entries(files)) {
    const img = await decodeImage(file);
    const lossy = name === 'jpeg' || name === 'cmyk' || name === 'gif' || name === 'palette';
    assert.equal(img.channels, 3, name);
    const w = img.width;
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    // 16-bit to 8-bit may round either way.
    const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]) <= (lossy ? 40 : name === 'png16' ? 1 : 0));
    if (name === 'cmyk') {
      // Through a CMYK profile and back, saturated colours come out duller: only their hue is checked.
      const [l, r] = [at(1, 1), at(w - 2, 1)];
      assert.ok(l[0] > l[1] + 60 && l[0] > l[2] + 60 && r[2] > r[0] + 60 && r[2] > r[1] + 60, `cmyk: ${l} / ${r}`);
      continue;
    }
    assert.ok(near(at(1, 1), [250, 0, 0]), `${name}: left pixel ${at(1, 1)}`);
    assert.ok(near(at(w - 2, 1), [0, 0, 250]), `${name}: right pixel ${at(w - 2, 1)}`);
  }
});

test('EXIF orientation is applied: a JPEG stored landscape with orientation 6 decodes portrait', async () => {
  const file = await save(path.join(dir, 'exif', 'rot.jpg'), raw(40, 20, halves(40)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }));
  const img = await decodeImage(file);
  assert.deepEqual([img.width, img.height], [20, 40]);
  // Rotated 90 degrees clockwise: the stored left (red) half is now the top.
  assert.ok(img.data[0] > 200 && img.data[2] < 50, 'top is red');
  const last = (40 * 20 - 1) * 3;
  assert.ok(img.data[last + 2] > 200 && img.data[last] < 50, 'bottom is blue');
});

test('gray images of any format become one channel', async () => {
  const g = (x: number): [number, number, number] => [x * 8, x * 8, x * 8];
  const png = await decodeImage(await save(path.join(dir, 'gray', 'g.png'), raw(32, 4, g).png()));
  const big = await decodeImage(await save(path.join(dir, 'gray', 'g.webp'), raw(96, 96, g).webp({ lossless: true })));
  assert.equal(png.channels, 1);
  assert.equal(big.channels, 1);
  assert.equal(png.data[5], 40);
});

test('--image-size: crop takes the centre of the shorter side, pad keeps everything with black borders', async () => {
  // 64x32: left quarter green, the rest red. A centre crop to 32x32 loses the green; pad keeps it.
  const file = await save(path.join(dir, 'geo', 'wide.png'), raw(64, 32, (x) => (x < 16 ? [0, 250, 0] : [250, 0, 0])).png());
  const crop = await decodeImage(file, { geometry: { size: 16, resize: 'crop' } });
  const pad = await decodeImage(file, { geometry: { size: 16, resize: 'pad' } });
  assert.deepEqual([crop.width, crop.height, pad.width, pad.height], [16, 16, 16, 16]);
  const px = (img: typeof crop, x: number, y: number) => Array.from(img.data.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3));
  assert.ok(px(crop, 0, 8)[0] > 200 && px(crop, 0, 8)[1] < 50, `crop's left edge is red: ${px(crop, 0, 8)}`);
  assert.ok(px(pad, 1, 8)[1] > 200, `pad keeps the green quarter: ${px(pad, 1, 8)}`);
  assert.deepEqual(px(pad, 8, 0), [0, 0, 0], 'pad: black band at the top');
  // Small PNGs (decoded in-process) are resized the same way as large ones.
  const small = await save(path.join(dir, 'geo', 'small.png'), raw(8, 4, (x) => (x < 4 ? [250, 0, 0] : [0, 0, 250])).png());
  const up = await decodeImage(small, { geometry: { size: 12, resize: 'crop' } });
  assert.deepEqual([up.width, up.height, up.channels], [12, 12, 3]);
});

test('bad images: truncated, empty, unsupported, pixel bombs, each named with what is wrong', async () => {
  const good = await raw(64, 64, halves(64)).jpeg().toBuffer();
  const png = await raw(80, 80, halves(80)).png().toBuffer();
  const webp = await raw(80, 80, halves(80)).webp().toBuffer();
  await rejectsData(decodeImageBuffer(good.subarray(0, good.length / 2), 'cut.jpg'), 'cut.jpg', 'cannot decode JPEG: the file ends early');
  await rejectsData(decodeImageBuffer(png.subarray(0, png.length - 40), 'cut.png'), 'cut.png', 'cannot decode PNG');
  await rejectsData(decodeImageBuffer(webp.subarray(0, webp.length - 30), 'cut.webp'), 'cut.webp', 'cannot decode WebP');
  await rejectsData(decodeImageBuffer(Buffer.alloc(0), 'zero.png'), 'zero.png', 'the file is empty (0 bytes)');
  await rejectsData(decodeImageBuffer(Buffer.from('BM' + 'x'.repeat(60)), 'a.bmp'), 'a.bmp', 'BMP image, which is not supported', 'convert it to PNG');
  await rejectsData(decodeImageBuffer(Buffer.from('hello, this is not an image at all'), 'notes.png'), 'notes.png', 'unrecognized file header');
  await rejectsData(decodeImage(path.join(dir, 'nope.png')), 'nope.png', 'file not found');
  // A 100-megapixel PNG (tiny on disk: one colour compresses to nothing) is refused from its header.
  const bomb = path.join(dir, 'bomb.png');
  await sharp({ create: { width: 10000, height: 10000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png({ compressionLevel: 9 }).toFile(bomb);
  assert.ok(10000 * 10000 > MAX_IMAGE_PIXELS);
  await rejectsData(decodeImage(bomb), 'bomb.png', '10000x10000 pixels', 'megapixel limit');
  const jbomb = await sharp({ create: { width: 12000, height: 9000, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer();
  await rejectsData(decodeImageBuffer(jbomb, 'bomb.jpg'), 'bomb.jpg', '12000x9000 pixels');
});

test('mixed sizes without --image-size: the error lists the sizes with an example each and the option', async () => {
  const files = [
    await save(path.join(dir, 'mixed', 'a', '0.png'), raw(64, 48, halves(64)).png()),
    await save(path.join(dir, 'mixed', 'a', '1.png'), raw(64, 48, halves(64)).png()),
    await save(path.join(dir, 'mixed', 'b', '0.jpg'), raw(60, 50, halves(60)).jpeg()),
  ];
  const err = await rejectsData(decodeImageFiles(files), '64x48: 2 images (e.g. ', '60x50: 1 image (e.g. ', '2 different sizes', '--image-size');
  assert.equal(err.file, files[2]);
  const fixed = await decodeImageFiles(files, { geometry: { size: 32, resize: 'crop' } });
  assert.deepEqual(fixed.shape, [32, 32, 3]);
  assert.equal(fixed.images.length, 3 * 32 * 32 * 3);
});

test('a colour image after gray ones widens the stack to RGB, keeping the gray ones as R = G = B', async () => {
  const files = [
    await save(path.join(dir, 'widen', '0.png'), raw(4, 4, () => [7, 7, 7]).png()),
    await save(path.join(dir, 'widen', '1.png'), raw(4, 4, () => [9, 9, 9]).png()),
    await save(path.join(dir, 'widen', '2.png'), raw(4, 4, () => [1, 2, 3]).png()),
  ];
  const s = await decodeImageFiles(files);
  assert.deepEqual(s.shape, [4, 4, 3]);
  assert.deepEqual(Array.from(s.images.subarray(0, 3)), [7, 7, 7]);
  assert.deepEqual(Array.from(s.images.subarray(48, 51)), [9, 9, 9]);
  assert.deepEqual(Array.from(s.images.subarray(96, 99)), [1, 2, 3]);
});

test('decoded cache: a second load reads the cache; a changed file, another size or a new file misses it', async () => {
  const cacheDir = path.join(dir, 'cache');
  const files = await Promise.all([0, 1, 2].map((i) => save(path.join(dir, 'cached', `${i}.png`), raw(20, 20, () => [i * 50, 10, 10]).png())));
  const first = await cachedDecode(files, { cacheDir });
  const second = await cachedDecode(files, { cacheDir });
  assert.equal(first.fromCache, false);
  assert.equal(second.fromCache, true);
  assert.deepEqual(second.shape, first.shape);
  assert.deepEqual(Buffer.from(second.images), Buffer.from(first.images));
  // Another geometry is another entry.
  assert.equal((await cachedDecode(files, { cacheDir, geometry: { size: 8, resize: 'crop' } })).fromCache, false);
  assert.equal((await cachedDecode(files, { cacheDir, geometry: { size: 8, resize: 'crop' } })).fromCache, true);
  // Rewriting a file (new content and time) misses, and the new pixels are read.
  await save(files[1], raw(20, 20, () => [255, 255, 0]).png());
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(files[1], later, later);
  const changed = await cachedDecode(files, { cacheDir });
  assert.equal(changed.fromCache, false);
  assert.deepEqual(Array.from(changed.images.subarray(20 * 20 * 3, 20 * 20 * 3 + 3)), [255, 255, 0]);
  // A corrupt entry (pixels cut short) is not trusted: decoded again.
  for (const f of fs.readdirSync(cacheDir).filter((f) => f.endsWith('.u8'))) fs.truncateSync(path.join(cacheDir, f), 10);
  const again = await cachedDecode(files, { cacheDir });
  assert.equal(again.fromCache, false);
  assert.deepEqual(Buffer.from(again.images), Buffer.from(changed.images));
  // Only the most recently used entries are kept.
  for (let s = 4; s < 4 + CACHE_ENTRIES + 2; s++) await cachedDecode(files, { cacheDir, geometry: { size: s, resize: 'crop' } });
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, CACHE_ENTRIES);
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.startsWith('.tmp')).length, 0);
});

test('loadDataset: a mixed-size folder of JPEG, PNG and WebP with EXIF rotations loads with --image-size, through the cache', async () => {
  const root = path.join(dir, 'photos');
  for (let i = 0; i < 6; i++) {
    await save(path.join(root, 'cat', `${i}.jpg`), raw(60 + i, 40, halves(60 + i)).jpeg().withMetadata({ orientation: i % 2 ? 6 : 1 }));
    await save(path.join(root, 'dog', `${i}.webp`), raw(30, 50 + i, halves(30)).webp());
    await save(path.join(root, 'émeu', `${i}.png`), raw(33, 33, halves(33)).png());
  }
  const cacheDir = path.join(dir, 'photos-cache');
  await rejectsData(loadDataset(`folder:${root}`), 'different sizes', '--image-size');
  let progress = 0;
  const a = await loadDataset(`folder:${root}`, { geometry: { size: 24, resize: 'crop' }, cacheDir, onProgress: (d) => (progress = d) });
  assert.equal(progress, 18);
  assert.deepEqual(a.splits.train.shape, [24, 24, 3]);
  assert.deepEqual(a.info.classNames, ['cat', 'dog', 'émeu']);
  const b = await loadDataset(`folder:${root}`, { geometry: { size: 24, resize: 'crop' }, cacheDir });
  assert.deepEqual(Buffer.from(b.splits.train.images), Buffer.from(a.splits.train.images));
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.u8')).length, 1);
});

test('loadDataset: --image-size resizes array datasets (IDX) too', async () => {
  const idx = path.join(dir, 'idx');
  fs.mkdirSync(idx, { recursive: true });
  const header = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  for (const [part, n] of [['train', 6], ['t10k', 3]] as const) {
    const px = Buffer.alloc(n * 28 * 28, 0);
    for (let i = 0; i < n; i++) for (let p = 0; p < 28 * 14; p++) px[i * 784 + p] = 200;
    fs.writeFileSync(path.join(idx, `${part}-images-idx3-ubyte`), Buffer.concat([header(0x803, [n, 28, 28]), px]));
    fs.writeFileSync(path.join(idx, `${part}-labels-idx1-ubyte`), Buffer.concat([header(0x801, [n]), Buffer.from(Array.from({ length: n }, (_, i) => i % 2))]));
  }
  const ds = await loadDataset(`idx:${idx}`, { geometry: { size: 56, resize: 'crop' }, cacheDir: path.join(dir, 'idx-cache') });
  assert.deepEqual(ds.splits.train.shape, [56, 56, 1]);
  assert.deepEqual(ds.splits.test.shape, [56, 56, 1]);
  assert.equal(ds.splits.train.images.length, 6 * 56 * 56);
  // Top half bright, bottom half dark, as before.
  assert.ok(ds.splits.train.images[56 * 5 + 20] > 150);
  assert.ok(ds.splits.train.images[56 * 50 + 20] < 50);
});
