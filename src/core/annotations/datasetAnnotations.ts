/**
 * Reads an annotations file for an experiment and applies it to the training split, with clear errors: a missing
 * or corrupt file stops the experiment (training on half-applied fixes would be silently wrong).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from '../data/dataset';
import { describeProblems, readAnnotationsFile } from './annotationStore';
import { applyAnnotations } from './apply';

export interface DatasetAnnotations {
  readonly labels: Int32Array;
  readonly excluded: Uint8Array;
  /** What was applied, for the run's notes. */
  readonly notes: string[];
}

export function loadAnnotationsFor(train: ImageDataset, file: string): DatasetAnnotations {
  if (!fs.existsSync(file)) throw new Error(`${file}: annotations file not found (--annotations)`);
  const { entries, problems } = readAnnotationsFile(file);
  if (problems.length) throw new Error(`annotations file is not readable: ${describeProblems(problems)}`);
  const a = applyAnnotations(train, entries, path.dirname(path.resolve(file)), file);
  const notes = [`annotations ${file}: ${a.relabeled} relabeled, ${a.excludedCount} excluded`];
  if (a.unmatched.length) notes.push(`annotations ${file}: ${a.unmatched.length} entries name no example of this dataset (first: ${a.unmatched[0]})`);
  return { labels: a.labels, excluded: a.excluded, notes };
}
