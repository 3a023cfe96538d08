import * as fs from 'node:fs';
import * as path from 'node:path';

const WRITE_CHUNK = 1 << 30;

/**
 * Writes a file so that readers see either the old or the new content, never a torn one, even if the process
 * dies mid-write or the disk fills up: write a temp file in the same folder, fsync, rename over the target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    if (typeof data === 'string') fs.writeFileSync(fd, data);
    // One write takes at most 2 GiB, a decoded dataset up to 4: in parts (a descriptor keeps its position).
    else for (let off = 0; off < data.byteLength; off += WRITE_CHUNK) fs.writeFileSync(fd, data.subarray(off, off + WRITE_CHUNK));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
