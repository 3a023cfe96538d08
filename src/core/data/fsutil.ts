/** Tiny filesystem predicates shared by the loaders: "does this exist as a file/dir" without try/catch noise. */
import * as fs from 'node:fs';

/** True if `p` exists and is a regular file (symlinks are followed). */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** True if `p` exists and is a directory (symlinks are followed). */
export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
