/** Tiny filesystem helpers shared by the loaders: existence predicates without try/catch noise, name order. */
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

/**
 * Code-point order for file and class names, not localeCompare: label numbering derived from sorted names
 * must not depend on the user's locale.
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
