/**
 * Reads an annotations file for an experiment and applies it to the training split, with clear errors: a missing
 * or corrupt file stops the experiment (training on half-applied fixes would be silently wrong).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, type ImageDataset } from '../data/dataset';
import { describeProblems, readAnnotationsFile } from './annotationStore';
import { applyAnnotations } from './apply';

export interface DatasetAnnotations {
  readonly labels: Int32Array;
  readonly excluded: Uint8Array;
  /** What was applied, for the run's notes. */
  readonly notes: string[];
}

export function loadAnnotationsFor(train: ImageDataset, file: string): DatasetAnnotations {
  if (!fs.existsSync(file)) throw new DataFormatError(file, 'annotations file not found (--annotations)', 'check the path; annotations.jsonl sits next to a manifest or under .datadiet/annotations/');
  const { entries, problems } = readAnnotationsFile(file);
  if (problems.length) throw new DataFormatError(file, `annotations file is not readable: ${describeProblems(problems)}`, 'fix or delete those lines, then run again (training on half-applied fixes would be wrong)');
  const a = applyAnnotations(train, entries, path.dirname(path.resolve(file)), file);
  const notes = [`annotations ${file}: ${a.relabeled} relabeled, ${a.excludedCount} excluded`];
  if (a.unmatched.length) notes.push(`annotations ${file}: ${a.unmatched.length} entries name no example of this dataset (first: ${a.unmatched[0]})`);
  return { labels: a.labels, excluded: a.excluded, notes };
}
