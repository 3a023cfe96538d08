/**
 * Reads an annotations file for an experiment and applies it to the training split, and to the test split when
 * given (a corrected test label makes evaluation honest; an excluded test example leaves the test set), with clear
 * errors: a missing or corrupt file stops the experiment (training on half-applied fixes would be silently wrong).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, type ImageDataset } from '../data/dataset';
import { describeProblems, readAnnotationsFile } from './annotationStore';
import { applyAnnotations, applyAnnotationsToSplits, type AnnotatedDataset } from './apply';

export interface SplitAnnotations {
  readonly labels: Int32Array;
  readonly excluded: Uint8Array;
}

export interface DatasetAnnotations extends SplitAnnotations {
  /** The test split's, when it was given. */
  readonly test?: SplitAnnotations;
  /** What was applied, for the run's notes. */
  readonly notes: string[];
}

export interface TestSplitToAnnotate {
  readonly dataset: AnnotatedDataset;
  /** Whether `index` keys name test rows (trainCount + j) too: datasets with splits of their own (apply.ts). */
  readonly indexed: boolean;
}

export function loadAnnotationsFor(train: ImageDataset, file: string, test?: TestSplitToAnnotate): DatasetAnnotations {
  if (!fs.existsSync(file)) throw new DataFormatError(file, 'annotations file not found (--annotations)', 'check the path; annotations.jsonl sits next to a manifest or under .datadiet/annotations/');
  const { entries, problems } = readAnnotationsFile(file);
  if (problems.length) throw new DataFormatError(file, `annotations file is not readable: ${describeProblems(problems)}`, 'fix or delete those lines, then run again (training on half-applied fixes would be wrong)');
  const base = path.dirname(path.resolve(file));
  if (!test) {
    const a = applyAnnotations(train, entries, base, file);
    return { labels: a.labels, excluded: a.excluded, notes: notesOf(file, a, undefined, a.unmatched) };
  }
  const a = applyAnnotationsToSplits(train, test.dataset, entries, base, file, test.indexed);
  return { labels: a.train.labels, excluded: a.train.excluded, test: { labels: a.test.labels, excluded: a.test.excluded }, notes: notesOf(file, a.train, a.test, a.unmatched) };
}

function notesOf(file: string, train: { relabeled: number; excludedCount: number }, test: { relabeled: number; excludedCount: number } | undefined, unmatched: readonly string[]): string[] {
  const inTest = test && (test.relabeled || test.excludedCount) ? `; test split: ${test.relabeled} relabeled, ${test.excludedCount} excluded` : '';
  const notes = [`annotations ${file}: ${train.relabeled} relabeled, ${train.excludedCount} excluded${inTest}`];
  if (unmatched.length) notes.push(`annotations ${file}: ${unmatched.length} entries name no example of this dataset (first: ${unmatched[0]})`);
  return notes;
}
