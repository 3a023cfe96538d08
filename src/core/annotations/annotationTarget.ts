/**
 * Where a dataset's annotations live and how its examples are named in them:
 *   manifests (csv/jsonl)  <manifest folder>/annotations.jsonl, examples by image path relative to that folder
 *                          (so the manifest, its images and its annotations move together);
 *   image folders          <folder>/annotations.jsonl, by path likewise;
 *   binary sets (IDX, CIFAR, bundled MNIST)  <root>/.datadiet/annotations/<name>-<fingerprint>/annotations.jsonl,
 *                          by train-split index (the files are often read-only or shared, so nothing is written next
 *                          to them; the fingerprint keeps two datasets with the same name apart).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { parseDatasetSpec } from '../data/load';
import type { DatasetRecord } from '../store/runManifest';
import { readRun } from '../store/runStore';
import { EventEmitter } from 'node:events';
import { ANNOTATIONS_FILE, AnnotationStore, type ChangeEvent, type StoreOptions } from './annotationStore';
import { readPredictions } from './predictions';

export interface AnnotationTarget {
  readonly file: string;
  /** Names example `index` (train-split index) the way this dataset's annotations do. */
  keyOf(index: number): { index: number } | { path: string };
  readonly classNames?: readonly string[];
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The annotations file of a dataset (by spec and record), given the source path of each example if any. */
export function annotationTarget(root: string, dataset: Pick<DatasetRecord, 'spec' | 'name' | 'fingerprint' | 'classNames'>, sourceOf?: (index: number) => string | undefined): AnnotationTarget {
  const spec = parseDatasetSpec(dataset.spec);
  const classNames = dataset.classNames;
  if ((spec.kind === 'csv' || spec.kind === 'jsonl' || spec.kind === 'folder') && spec.path) {
    const base = path.resolve(root, spec.kind === 'folder' ? spec.path : path.dirname(spec.path));
    return {
      file: path.join(base, ANNOTATIONS_FILE),
      keyOf: (index) => {
        const src = sourceOf?.(index);
        return src ? { path: toPosix(path.relative(base, src)) } : { index };
      },
      classNames,
    };
  }
  const safe = dataset.name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return { file: path.join(root, '.datadiet', 'annotations', `${safe}-${dataset.fingerprint.slice(0, 12)}`, ANNOTATIONS_FILE), keyOf: (index) => ({ index }), classNames };
}

/** The annotations target of the dataset a (score) run used; sources come from the run's predictions. */
export function annotationTargetForRun(root: string, runDir: string): AnnotationTarget {
  const m = readRun(runDir).manifest;
  if (!m?.dataset) throw new DataFormatError(path.join(runDir, 'manifest.json'), 'the run has no dataset record (field "dataset")', 'score the dataset again with this version of Data Diet');
  const pred = fs.existsSync(path.join(runDir, 'predictions')) ? readPredictions(runDir) : undefined;
  const byIndex = pred?.sources ? new Map<number, string>(Array.from(pred.index, (i, r) => [i, pred.sources![r]])) : undefined;
  return annotationTarget(root, m.dataset, byIndex ? (i) => byIndex.get(i) : undefined);
}

/** One store per file per process, so every view in a window shares its change events. */
const stores = new Map<string, AnnotationStore>();
const anyChange = new EventEmitter();
export function storeFor(file: string, opts: StoreOptions = {}): AnnotationStore {
  const key = path.resolve(file);
  let s = stores.get(key);
  if (!s) {
    stores.set(key, (s = new AnnotationStore(key, opts)));
    s.onChange((e) => anyChange.emit('change', key, e));
  }
  return s;
}

/** Every change of any store made through storeFor (views refresh on it), with the file that changed. */
export function onAnyStoreChange(listener: (file: string, e: ChangeEvent) => void): { dispose(): void } {
  anyChange.on('change', listener);
  return { dispose: () => anyChange.off('change', listener) };
}
