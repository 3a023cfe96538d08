import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Keeps the `keep` most recently used entries of one kind in a cache folder. An entry is a header `<prefix><key>.json`
 * with its data `<prefix><key><dataExt>`; a hit touches the header (`touchEntry`), so its time is the last use.
 */
export function evictOldest(dir: string, prefix: string, dataExt: string, keep: number): void {
  const headers = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of headers.slice(keep)) {
    fs.rmSync(path.join(dir, f), { force: true });
    fs.rmSync(path.join(dir, f.slice(0, -'.json'.length) + dataExt), { force: true });
  }
}

/** Marks an entry used now. */
export function touchEntry(header: string): void {
  const now = new Date();
  try {
    fs.utimesSync(header, now, now);
  } catch {
    /* a read-only cache still serves hits */
  }
}
