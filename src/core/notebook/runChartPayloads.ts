import { readConfusion } from '../store/confusionFile';
import { readMetrics } from '../store/runStore';
import type { ConfusionMatrixPayload, PayloadSource, SplitMetricsPayload, TrainingCurvesPayload } from './mime';

/**
 * The per-run training charts' payloads, read from a run folder: loss and accuracy curves from metrics.jsonl, and
 * the confusion matrix from confusion.json. For the run details view and the results notebook.
 */

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** {loss, accuracy} of an EvalResult-like record, or undefined when either is missing or not finite. */
function splitOf(loss: unknown, accuracy: unknown): SplitMetricsPayload | undefined {
  const l = num(loss);
  const a = num(accuracy);
  return l === undefined || a === undefined ? undefined : { loss: l, accuracy: a };
}

/** The epochs of metrics.jsonl records (trainLoop's EpochMetrics); records without an epoch are skipped. */
export function trainingEpochs(records: readonly Record<string, unknown>[]): TrainingCurvesPayload['epochs'] {
  const byEpoch = new Map<number, TrainingCurvesPayload['epochs'][number]>();
  for (const r of records) {
    const epoch = num(r.epoch);
    if (epoch === undefined) continue;
    const val = r.val as { loss?: unknown; accuracy?: unknown } | undefined;
    const test = r.test as { loss?: unknown; accuracy?: unknown } | undefined;
    const e: TrainingCurvesPayload['epochs'][number] = { epoch };
    const train = splitOf(r.trainLoss, r.trainAccuracy);
    const validation = val && splitOf(val.loss, val.accuracy);
    const t = test && splitOf(test.loss, test.accuracy);
    if (train) e.train = train;
    if (validation) e.validation = validation;
    if (t) e.test = t;
    // A resumed run may repeat an epoch: the later line wins.
    byEpoch.set(epoch, e);
  }
  return [...byEpoch.values()].filter((e) => e.train || e.validation || e.test).sort((a, b) => a.epoch - b.epoch);
}

/** Training curves of the run in `runDir`; undefined when it has no per-epoch metrics. */
export function trainingCurvesPayload(runDir: string, opts: { title?: string; source?: PayloadSource } = {}): TrainingCurvesPayload | undefined {
  const epochs = trainingEpochs(readMetrics(runDir));
  if (epochs.length === 0) return undefined;
  const p: TrainingCurvesPayload = { version: 1, epochs };
  if (opts.title !== undefined) p.title = opts.title;
  if (opts.source) p.source = opts.source;
  return p;
}

/** Confusion matrix of the run in `runDir`; undefined when it has no confusion.json. */
export function confusionMatrixPayload(runDir: string, opts: { title?: string; source?: PayloadSource } = {}): ConfusionMatrixPayload | undefined {
  const c = readConfusion(runDir);
  if (!c) return undefined;
  const p: ConfusionMatrixPayload = { version: 1, labels: c.labels, matrix: c.matrix, split: c.split };
  if (opts.title !== undefined) p.title = opts.title;
  if (opts.source) p.source = opts.source;
  return p;
}

/** Both per-run training charts' payloads of a run folder, each undefined where its file is absent. */
export function runChartPayloads(runDir: string, opts: { source?: PayloadSource } = {}): { trainingCurves?: TrainingCurvesPayload; confusionMatrix?: ConfusionMatrixPayload } {
  return { trainingCurves: trainingCurvesPayload(runDir, opts), confusionMatrix: confusionMatrixPayload(runDir, opts) };
}
