/**
 * `datadiet import-scores`: a user's own per-example scores (`--score name=file`, each an (N,) .npy over the dataset
 * rows) become a score run whose tables prune, window, histograms and galleries read like any score run's:
 *   scores/<name>.parquet|.npy  one row per example of the training split, index = its train-split index (as a
 *       score run's), label from the dataset, score = the file's value for that example (run_0 the same: one "run").
 * A file that covers the test split too (N = train + test rows) gives its training rows; the test rows are counted
 * in the results, not kept: scores rank training examples. analysis.json holds the Spearman matrix between the
 * imported scores, as a score run's does.
 */
import * as path from 'node:path';
import { IMPORT_SCORES_DEFAULTS } from '../../contract/jobDefaults';
import type { JobInput } from '../../contract/jobOptions';
import type { ImportScoresParams } from '../../contract/jobParams';
import type { RunManifest } from '../../contract/runManifest';
import { spearmanMatrix, stabilityCurve } from '../analysis/spearman';
import { InputError } from '../inputError';
import type { Experiment } from '../jobs/experiment';
import { oneUnit, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import type { StartOptions } from '../jobs/runner';
import { checkScoreValues, parseScoreArgs } from '../labelErrors/importedScores';
import { coverageOf, type RowCoverage } from '../labelErrors/importedRows';
import { writeJsonAtomic } from '../store/atomicWrite';
import { scoresDir, writeScoreTable } from '../store/scoreFiles';
import { definedOnly } from './definedOnly';
import { loadImportedDataset, readImportedFile, type ImportedFileRecord } from './importedDataset';
import type { JobContext } from './job';

export type ImportScoresConfig = ImportScoresParams & { readonly runKind: 'score' };

export function resolveImportScores(input: JobInput<'import-scores'>): ImportScoresConfig {
  const cfg = { ...IMPORT_SCORES_DEFAULTS, ...definedOnly(input), runKind: 'score' } as ImportScoresConfig;
  if (typeof cfg.dataset !== 'string') throw new InputError('import-scores needs --dataset: the dataset the rows follow');
  // Checked (syntax, names) and made absolute here, so params.json names the files wherever the run resumes.
  const scores = parseScoreArgs(cfg.scores ?? []).map((s) => `${s.name}=${s.file}`);
  return { ...cfg, scores };
}

/** One imported score: its name, the training split's values (train-split order) and what the run records of it. */
interface ImportedScore {
  readonly name: string;
  readonly values: Float32Array;
  readonly record: ImportedFileRecord & { readonly name: string };
  readonly coverage: RowCoverage;
}

interface ImportScoresState {
  readonly scores: readonly ImportedScore[];
  /** Train-split labels. */
  readonly labels: Int32Array;
}

export const importScoresExperiment: Experiment<ImportScoresConfig, ImportScoresState, 'import-scores'> = {
  job: 'import-scores',
  resolve: (input) => resolveImportScores(input),
  // Nothing is drawn at random: the held-out test split of a split-less source is every job's (seed 0).
  seeds: () => ({}),
  plan: () => oneUnit('import the scores'),

  async prepare(cfg, ctx) {
    const ds = await loadImportedDataset(cfg, ctx);
    const train = ds.data.splits.train;
    const scores = parseScoreArgs(cfg.scores).map(({ name, file }): ImportedScore => {
      ctx.report({ phase: 'load', message: `checking ${file}`, fraction: 0 });
      const { array, record } = readImportedFile(file);
      const coverage = coverageOf(file, array.shape, ds.rows, ds.order);
      const all = checkScoreValues(array, file, coverage.count);
      // Training example i is dataset row trainRow[i], which every accepted file covers.
      const values = Float32Array.from(ds.rows.trainRow, (r) => all[r]);
      return { name, values, record: { name, ...record }, coverage };
    });
    const { runKind: _kind, scores: _pairs, ...rest } = cfg;
    const imported = { scores: scores.map((s) => ({ ...s.record, rows: s.coverage.what })) };
    return {
      state: { scores, labels: train.labels },
      record: { dataset: ds.data.record, config: { ...rest, scores: scores.map((s) => s.name), imported } },
    };
  },

  runUnit(_unit, _cfg, st, ctx) {
    const examples = st.labels.length;
    const testRowsLeftOut = Object.fromEntries(st.scores.filter((s) => s.coverage.withTest).map((s) => [s.name, s.coverage.count - examples]));
    writeUnitResults(ctx.outDir, {
      runs: 1,
      examples,
      scores: st.scores.map((s) => s.name),
      ...(Object.keys(testRowsLeftOut).length ? { testRowsLeftOut } : {}),
    });
    return Promise.resolve(true);
  },

  merge(_cfg, [unit], st, ctx) {
    const index = Int32Array.from({ length: st.labels.length }, (_, i) => i);
    for (const s of st.scores) writeScoreTable(scoresDir(ctx.runDir), s.name, { name: s.name, index, label: st.labels, score: s.values, perRun: [s.values] });
    const columns = st.scores.map((s) => ({ name: s.name, values: s.values }));
    const results = {
      ...readUnitResults(unit),
      stability: Object.fromEntries(st.scores.map((s) => [s.name, stabilityCurve([s.values])])),
      correlations: columns.length > 1 && st.labels.length > 1 ? spearmanMatrix(columns) : undefined,
    };
    writeJsonAtomic(path.join(ctx.runDir, 'analysis.json'), results);
    ctx.report({ phase: 'save', message: `wrote ${st.scores.map((s) => s.name).join(', ')} for ${st.labels.length.toLocaleString('en-US')} training examples`, fraction: 1 });
    return results;
  },
};

/** Imports a user's own scores as a score run; resolves with its manifest. */
export function runImportScores(partial: JobInput<'import-scores'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('import-scores', partial, ctx, opts));
}
