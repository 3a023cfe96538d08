/**
 * Content fingerprint of a dataset: sha256 over its shape, class count, labels and pixels. Stored with every run so
 * scores are never compared across different data (e.g. a re-exported folder with one image changed).
 *
 * Hashes the typed arrays' bytes directly (no per-element conversion): 47 MB of MNIST hashes in ~0.1 s.
 * Labels are hashed as their in-memory int32 bytes, i.e. little-endian on every platform Node runs on.
 * Names, class names and sources are deliberately left out: renaming does not change the data.
 */
import { createHash } from 'node:crypto';
import type { ImageDataset } from './dataset';

/** Bump when the hashed layout changes, so old fingerprints can never collide with new ones. */
const FINGERPRINT_VERSION = 'datadiet-fingerprint-v1';

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function fingerprint(ds: Pick<ImageDataset, 'shape' | 'labels' | 'images' | 'numClasses'>): string {
  const header = JSON.stringify({
    v: FINGERPRINT_VERSION,
    shape: ds.shape,
    n: ds.labels.length,
    numClasses: ds.numClasses,
    imageBytes: ds.images.byteLength,
  });
  return createHash('sha256')
    .update(header)
    // The header fixes both lengths, so the concatenation below is unambiguous.
    .update(bytesOf(ds.labels))
    .update(bytesOf(ds.images))
    .digest('hex');
}
