/**
 * Annotations applied to data: corrected labels and exclusions for experiments (`--annotations <file>`), and a
 * cleaned copy of a label manifest. The newest decision per example counts: relabel sets the label, exclude drops
 * the example from training, ok (reviewed, correct) keeps the label it had, flag changes nothing.
 */
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { writeFileAtomic } from '../store/atomicWrite';
import { manifestFormat, manifestLabels, readManifestEntries } from '../data/manifest';
import { exampleKey, latestByExample, type AnnotationEntry } from './annotationEntry';

export interface LabelSpace {
  readonly numClasses: number;
  readonly classNames?: readonly string[];
}

/**
 * A class index from an annotation's label (index or class name). Errors name `file` and `place` (the entry or
 * line) and how to fix the label.
 */
export function resolveLabel(v: number | string, space: LabelSpace, file: string, place: string): number {
  const classes = space.classNames ? `${space.classNames.slice(0, 12).join(', ')}${space.classNames.length > 12 ? ', ...' : ''}` : `0..${space.numClasses - 1}`;
  const fix = `relabel to a class index 0..${space.numClasses - 1}${space.classNames ? ' or a class name' : ''} (add a new entry for the example; the newest one counts)`;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < space.numClasses) return v;
    throw new DataFormatError(file, `${place}, field "newLabel": label ${v} is outside 0..${space.numClasses - 1}`, fix);
  }
  const byName = space.classNames?.indexOf(v) ?? -1;
  if (byName >= 0) return byName;
  if (/^\d+$/.test(v) && Number(v) < space.numClasses) return Number(v);
  throw new DataFormatError(file, `${place}, field "newLabel": label "${v}" is not a class of this dataset (${classes})`, fix);
}

export interface AppliedAnnotations {
  /** Labels of the whole split with corrections applied (a copy). */
  readonly labels: Int32Array;
  /** 1 for excluded examples. */
  readonly excluded: Uint8Array;
  readonly relabeled: number;
  readonly excludedCount: number;
  /** Entries that name no example of this dataset (another dataset's file?), as `index:3` / `path:a.png`. */
  readonly unmatched: string[];
}

export interface AnnotatedDataset extends LabelSpace {
  readonly labels: Int32Array;
  /** Absolute source path per example (manifest / folder datasets). */
  readonly sources?: readonly string[];
}

/**
 * Applies the newest decision per example. `baseDir` is the annotations file's folder: entry paths are relative
 * to it. `file` names the annotations file in errors. `indexCount`: how many examples an `index` key can name (the
 * first ones; default all).
 */
export function applyAnnotations(ds: AnnotatedDataset, entries: readonly AnnotationEntry[], baseDir: string, file = 'annotations', indexCount = ds.labels.length): AppliedAnnotations {
  const labels = Int32Array.from(ds.labels);
  const excluded = new Uint8Array(labels.length);
  const bySource = new Map<string, number>((ds.sources ?? []).map((s, i) => [path.resolve(s), i]));
  const unmatched: string[] = [];
  let relabeled = 0;
  for (const e of latestByExample(entries).values()) {
    const i = e.path !== undefined ? bySource.get(path.resolve(baseDir, e.path)) : e.index !== undefined && e.index < Math.min(indexCount, labels.length) ? e.index : undefined;
    if (i === undefined) {
      unmatched.push(exampleKey(e));
      continue;
    }
    if (e.action === 'relabel') {
      const y = resolveLabel(e.newLabel!, ds, file, `entry ${e.id}`);
      if (y !== labels[i]) relabeled++;
      labels[i] = y;
    } else if (e.action === 'exclude') excluded[i] = 1;
  }
  return { labels, excluded, relabeled, excludedCount: excluded.reduce((s, v) => s + v, 0), unmatched };
}

/** The annotations of both splits: each split's corrected labels and exclusions, and the entries matching neither. */
export interface AppliedToSplits {
  readonly train: AppliedAnnotations;
  readonly test: AppliedAnnotations;
  readonly unmatched: string[];
}

/**
 * Applies the annotations to the train and the test split. Paths name examples of either split. An `index` key
 * names train example i for i < trainCount, and, when `testIndexed` (datasets with splits of their own: MNIST, IDX,
 * CIFAR, where dataset row trainCount + j is test example j: data/datasetRows.ts), test example i - trainCount.
 * A held-out test split of a manifest or folder is named by path only (its examples' rows follow the source's order,
 * not the train split's indices).
 */
export function applyAnnotationsToSplits(train: AnnotatedDataset, test: AnnotatedDataset, entries: readonly AnnotationEntry[], baseDir: string, file: string, testIndexed: boolean): AppliedToSplits {
  const nTrain = train.labels.length;
  const labels = new Int32Array(nTrain + test.labels.length);
  labels.set(train.labels);
  labels.set(test.labels, nTrain);
  // Test sources only follow train sources: an example without a source is named by index.
  const sources = train.sources && test.sources ? [...train.sources, ...test.sources] : train.sources;
  const all = applyAnnotations({ numClasses: train.numClasses, classNames: train.classNames, labels, ...(sources ? { sources } : {}) }, entries, baseDir, file, testIndexed ? labels.length : nTrain);
  const part = (ds: AnnotatedDataset, from: number, to: number): AppliedAnnotations => {
    const l = all.labels.slice(from, to);
    const x = all.excluded.slice(from, to);
    let relabeled = 0;
    for (let i = 0; i < l.length; i++) if (l[i] !== ds.labels[i]) relabeled++;
    return { labels: l, excluded: x, relabeled, excludedCount: x.reduce((a, v) => a + v, 0), unmatched: all.unmatched };
  };
  return { train: part(train, 0, nTrain), test: part(test, nTrain, labels.length), unmatched: all.unmatched };
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface CleanedManifest {
  readonly written: string;
  readonly kept: number;
  readonly relabeled: number;
  readonly excluded: number;
}

/**
 * Writes a copy of a CSV/JSONL label manifest with corrected labels and without excluded rows. Paths stay as in
 * the source (so `out` belongs in the same folder); labels are written as the manifest writes them (class names
 * stay names, integers stay integers).
 */
export function exportCleanedManifest(manifest: string, entries: readonly AnnotationEntry[], annotationsDir: string, out: string): CleanedManifest {
  if (path.resolve(out) === path.resolve(manifest)) throw new DataFormatError(out, 'the cleaned manifest must not overwrite its source', 'choose another output file, e.g. labels.cleaned.csv');
  const rows = readManifestEntries(manifest);
  const space = manifestLabels(rows, manifest);
  const names = space.classNames;
  const latest = latestByExample(entries);
  const dir = path.dirname(manifest);
  let relabeled = 0;
  let excluded = 0;
  const kept: { path: string; label: string }[] = [];
  for (const r of rows) {
    const rel = path.relative(annotationsDir, path.resolve(dir, r.path)).split(path.sep).join('/');
    const e = latest.get(`path:${rel}`);
    if (e?.action === 'exclude') {
      excluded++;
      continue;
    }
    let label = r.label;
    if (e?.action === 'relabel') {
      const y = resolveLabel(e.newLabel!, space, path.join(annotationsDir, 'annotations.jsonl'), `entry ${e.id} (for ${manifest} line ${r.line})`);
      label = names ? names[y] : String(y);
      if (label !== r.label) relabeled++;
    }
    kept.push({ path: r.path, label });
  }
  const text =
    manifestFormat(out) === 'jsonl'
      ? kept.map((k) => JSON.stringify(names ? k : { path: k.path, label: Number(k.label) })).join('\n') + '\n'
      : ['path,label', ...kept.map((k) => `${csvField(k.path)},${csvField(k.label)}`)].join('\n') + '\n';
  writeFileAtomic(out, text);
  return { written: out, kept: kept.length, relabeled, excluded };
}
