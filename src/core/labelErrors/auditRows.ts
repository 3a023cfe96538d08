/**
 * The rows a label audit checks, gathered into one dataset the fold models train on and predict: the examples used
 * of the train split (all of it, or its --subset; annotations' exclusions left out) and, when asked, every example
 * of the test split as evaluated (annotations applied). Rows are dataset rows (data/datasetRows.ts), ascending, so
 * a manifest's held-out test images sit at their own line's place and an audit's tables line up with a score run's
 * on the training examples.
 */
import type { ImageDataset } from '../data/dataset';
import { gatherExamples, type ExamplePick } from '../data/split';
import { datasetRows, TEST_SPLIT, TRAIN_SPLIT, type DatasetRows } from '../data/datasetRows';
import type { ExperimentData } from '../experiments/experimentData';

export interface AuditRows {
  /** How the dataset's rows are numbered. */
  readonly rows: DatasetRows;
  /** Dataset row of each audited example, ascending. */
  readonly row: Int32Array;
  /** TRAIN_SPLIT or TEST_SPLIT of each audited example. */
  readonly split: Uint8Array;
  /** The audited examples in row order, with their given labels (after injected noise and annotations). */
  readonly examples: ImageDataset;
  /** 1 where injected noise changed the label (test rows never), when noise was injected. */
  readonly corrupted?: Uint8Array;
  /** The label before injected noise and annotations. */
  readonly originalLabel: Int32Array;
  readonly trainCount: number;
  readonly testCount: number;
  /** Whether `examples` is a copy (it is a view of the train split when the audit is that split, whole, in order). */
  readonly copied: boolean;
}

interface Source extends ExamplePick {
  readonly row: number;
  readonly split: number;
  readonly corrupted: number;
  readonly original: number;
}

export function auditRows(data: ExperimentData, includeTest: boolean): AuditRows {
  const { splits } = data;
  const rows = datasetRows(splits.train.labels.length, splits.test.labels.length, data.info.heldOut);
  const sources: Source[] = Array.from(data.trainIndices, (i) => ({ ds: data.train, at: i, row: rows.trainRow[i], split: TRAIN_SPLIT, corrupted: data.corrupted?.[i] ?? 0, original: data.cleanLabels[i] }));
  if (includeTest) {
    data.testIndices.forEach((j, q) => sources.push({ ds: data.test, at: q, row: rows.testRow[j], split: TEST_SPLIT, corrupted: 0, original: splits.test.labels[j] }));
  }
  sources.sort((a, b) => a.row - b.row);
  const n = sources.length;
  const whole = !includeTest && n === data.train.labels.length && sources.every((s, i) => s.at === i);
  return {
    rows,
    row: Int32Array.from(sources, (s) => s.row),
    split: Uint8Array.from(sources, (s) => s.split),
    examples: whole ? data.train : gatherExamples(sources, data.train, `${data.train.name}:audit`),
    ...(data.corrupted ? { corrupted: Uint8Array.from(sources, (s) => s.corrupted) } : {}),
    originalLabel: Int32Array.from(sources, (s) => s.original),
    trainCount: data.trainIndices.length,
    testCount: includeTest ? data.testIndices.length : 0,
    copied: !whole,
  };
}
