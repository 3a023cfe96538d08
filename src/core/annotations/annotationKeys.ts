/**
 * The examples a dataset has, as annotations name them (index, or image path relative to the annotations file):
 * `datadiet annotate` refuses a key outside them, since a decision about an example that does not exist is silently
 * ignored when the annotations are applied. Both splits count: an audit flags test examples too. An index is a
 * dataset row (data/datasetRows.ts): a train index, or for datasets with splits of their own (MNIST, IDX, CIFAR)
 * trainCount + j for test example j, as apply.ts reads it.
 */
import * as path from 'node:path';
import type { ImageDataset } from '../data/dataset';
import { InputError } from '../inputError';

export interface KnownExamples {
  /** Indices 0..count-1 exist. */
  readonly count: number;
  /** Image paths (POSIX, relative to the annotations file's folder), for manifest and folder datasets. */
  readonly paths?: ReadonlySet<string>;
  /** What the dataset is called in errors. */
  readonly name: string;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

export interface KnownTestSplit extends Pick<ImageDataset, 'labels' | 'sources'> {
  /** Whether indices name its examples (after the train split's): datasets with splits of their own. */
  readonly indexed: boolean;
}

export function knownExamples(train: Pick<ImageDataset, 'labels' | 'sources'>, annotationsFile: string, name: string, test?: KnownTestSplit): KnownExamples {
  const base = path.dirname(path.resolve(annotationsFile));
  const sources = train.sources && [...train.sources, ...(test?.sources ?? [])];
  const count = train.labels.length + (test?.indexed ? test.labels.length : 0);
  return { count, name, ...(sources ? { paths: new Set(sources.map((s) => toPosix(path.relative(base, s)))) } : {}) };
}

/** How many unknown keys an error lists. */
const LISTED = 10;

export function checkAnnotationKeys(keys: readonly ({ index: number } | { path: string })[], known: KnownExamples): void {
  const bad = keys.filter((k) =>
    'index' in k ? !(Number.isInteger(k.index) && k.index >= 0 && k.index < known.count) : known.paths ? !known.paths.has(toPosix(path.normalize(k.path))) : true,
  );
  if (bad.length === 0) return;
  const shown = bad.slice(0, LISTED).map((k) => ('index' in k ? `index ${k.index}` : `path ${k.path}`));
  const more = bad.length > LISTED ? ` … and ${bad.length - LISTED} more` : '';
  const what = 'index' in bad[0] ? `indices run from 0 to ${known.count - 1}` : known.paths ? 'paths are relative to the annotations file, as the manifest lists them' : 'this dataset names examples by --index';
  throw new InputError(`not in ${known.name} (${what}): ${shown.join(', ')}${more}`);
}
