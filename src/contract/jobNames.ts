/**
 * Every job Data Diet runs, named once: the engine protocol's `job`, the CLI's command and the notebook cell's verb
 * come from this list. A run's `kind` is its job name, except where a job's result is another job's kind of run (an
 * EL2N grid is a score run, a strategy comparison a prune run); params.json records the job itself.
 */
export const JOB_NAMES = [
  'train',
  'score',
  'prune',
  'window',
  'entropy',
  'overlap',
  'grad-heatmap',
  'grad-sum',
  'strategies',
  'noise-study',
  'kernel-velocity',
  'error-barrier',
  'el2n-grid',
  'audit',
  'import-predictions',
  'import-scores',
  'duplicates',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export function isJobName(v: unknown): v is JobName {
  return typeof v === 'string' && (JOB_NAMES as readonly string[]).includes(v);
}

/**
 * The kinds a run can have: every job's, but those recorded under another job's kind (imported predictions and
 * scores are score runs, so everything that reads a score run reads them).
 */
const RECORDED_AS_ANOTHER: readonly JobName[] = ['el2n-grid', 'strategies', 'import-predictions', 'import-scores'];
export const RUN_KINDS: readonly JobName[] = JOB_NAMES.filter((j) => !RECORDED_AS_ANOTHER.includes(j));
