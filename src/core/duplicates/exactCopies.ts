import { createHash } from 'node:crypto';

/**
 * Rows whose decoded pixels are byte-identical, grouped: each image's SHA-1 (not for security, for speed: ~0.1 s for
 * 60,000 small images) keys a map, and the rows of a key are compared byte for byte before they are called copies,
 * so not even a hash collision can group two different images. Groups of two or more, rows ascending.
 */
export function exactCopies(count: number, image: (r: number) => Uint8Array, onProgress?: (done: number, total: number) => void): number[][] {
  const byHash = new Map<string, number[]>();
  for (let r = 0; r < count; r++) {
    const key = createHash('sha1').update(image(r)).digest('base64');
    const rows = byHash.get(key);
    if (rows) rows.push(r);
    else byHash.set(key, [r]);
    if (onProgress && (r + 1) % 10000 === 0) onProgress(r + 1, count);
  }
  const groups: number[][] = [];
  for (const rows of byHash.values()) {
    if (rows.length < 2) continue;
    // Split by true equality (a collision would leave two or more groups under one key).
    const left = [...rows];
    while (left.length > 1) {
      const first = image(left[0]);
      const same = left.filter((r) => Buffer.compare(image(r), first) === 0);
      if (same.length > 1) groups.push(same);
      const rest = left.filter((r) => !same.includes(r));
      left.splice(0, left.length, ...rest);
    }
  }
  return groups.sort((a, b) => a[0] - b[0]);
}
