/**
 * A manifest at the root of a dataset folder: `root/labels.csv` next to `root/images/` is a manifest dataset, not an
 * image folder with one class called "images". Found by name, so that class-folder datasets with a stray .csv
 * (two or more class folders) keep loading as image folders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from './dataset';
import { compareNames, isFile } from './fsutil';

const MANIFEST_EXTENSIONS = ['.csv', '.jsonl', '.ndjson'];
/** Names that say "this is the label list" when a folder holds several tables. */
const PREFERRED_NAMES = ['labels', 'manifest', 'metadata'];
/** Data Diet's own review decisions (annotations/annotationStore.ts), kept next to a manifest: never the manifest. */
const NOT_MANIFESTS = ['annotations.jsonl'];

/** Visible .csv / .jsonl / .ndjson files directly in `dir`, sorted. */
export function manifestCandidates(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && !NOT_MANIFESTS.includes(n) && MANIFEST_EXTENSIONS.includes(path.extname(n).toLowerCase()))
    .sort(compareNames)
    .map((n) => path.join(dir, n))
    .filter(isFile);
}

/**
 * The manifest of a folder that holds fewer than two sub-folders (so cannot be a class-folder dataset), or undefined.
 * Several candidates: the one named labels / manifest / ... ; still ambiguous: an error listing them.
 */
export function rootManifestOf(dir: string, subFolders: number): string | undefined {
  if (subFolders >= 2) return undefined;
  const found = manifestCandidates(dir);
  if (found.length <= 1) return found[0];
  const preferred = found.filter((f) => PREFERRED_NAMES.includes(path.basename(f, path.extname(f)).toLowerCase()));
  if (preferred.length === 1) return preferred[0];
  throw new DataFormatError(
    dir,
    `holds several possible manifests (${found.map((f) => path.basename(f)).join(', ')}) and cannot tell which lists the labels`,
    `name one: csv:${path.join(dir, path.basename(found[0]))} (or jsonl:<file>)`,
  );
}
