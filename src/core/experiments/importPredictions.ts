/**
 * `datadiet import-predictions`: a user's own model's predictions (an N x K .npy from PyTorch, JAX, sklearn) become
 * a run laid out as a score run's predictions (annotations/predictions.ts), so suspects, the review queue and the
 * manifest hints read them as they read a score run's:
 *   predictions/softmax.parquet, probabilities.npy  one row per dataset row of the file (index = dataset row,
 *       `split` column when test-split rows are among them), labels from the dataset;
 *   predictions/sources.json                        each row's image (manifests and folders);
 *   predictions/embeddings.npy                      with --embeddings: the same rows' features;
 *   predictions/about.json                          {outOfSample: true, source: 'import'} (false with --in-sample).
 * The run is recorded as a score run (config.imported names the files, their sha256 and the rows they cover). An
 * imported model is taken as one that never trained on these examples (cross-validated, or trained elsewhere), so
 * its suspects come from confident learning; --in-sample says otherwise.
 */
import * as path from 'node:path';
import { IMPORT_PREDICTIONS_DEFAULTS } from '../../contract/jobDefaults';
import type { JobInput } from '../../contract/jobOptions';
import type { ImportPredictionsParams } from '../../contract/jobParams';
import type { RunManifest } from '../../contract/runManifest';
import { summarizePredictions, writeEmbeddings, writePredictions } from '../annotations/predictions';
import { rankSuspects } from '../annotations/suspects';
import { InputError } from '../inputError';
import type { Experiment } from '../jobs/experiment';
import { oneUnit, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import type { StartOptions } from '../jobs/runner';
import { checkEmbeddings, type CheckedEmbeddings } from '../labelErrors/importedEmbeddings';
import { checkPredictions } from '../labelErrors/importedPredictions';
import { coverageOf, describeCoverages, type RowCoverage } from '../labelErrors/importedRows';
import { definedOnly } from './definedOnly';
import { loadImportedDataset, readImportedFile, rowLabels, rowSources, type ImportedDataset, type ImportedFileRecord } from './importedDataset';
import type { JobContext } from './job';

/** The parameters as resolved: files absolute, recorded as a score run. */
export type ImportPredictionsConfig = ImportPredictionsParams & { readonly runKind: 'score' };

export function resolveImportPredictions(input: JobInput<'import-predictions'>): ImportPredictionsConfig {
  const cfg = { ...IMPORT_PREDICTIONS_DEFAULTS, ...definedOnly(input), runKind: 'score' } as ImportPredictionsConfig;
  if (typeof cfg.dataset !== 'string') throw new InputError('import-predictions needs --dataset: the dataset the rows follow');
  if (typeof cfg.probs !== 'string') throw new InputError('import-predictions needs --probs: the N x classes .npy of your model\'s probabilities');
  return { ...cfg, probs: path.resolve(cfg.probs), ...(cfg.embeddings !== undefined ? { embeddings: path.resolve(cfg.embeddings) } : {}) };
}

interface ImportPredictionsState {
  readonly ds: ImportedDataset;
  readonly coverage: RowCoverage;
  /** N x K probabilities (softmaxed when they were logits), rows = dataset rows 0..N-1. */
  readonly probs: Float32Array;
  readonly embeddings?: CheckedEmbeddings;
}

/** What a run records of the import: the files (path, sha256, shape, dtype) and the rows they cover. */
export interface ImportedPredictionsRecord {
  readonly probs: ImportedFileRecord;
  readonly embeddings?: ImportedFileRecord;
  readonly rows: string;
}

export const importPredictionsExperiment: Experiment<ImportPredictionsConfig, ImportPredictionsState, 'import-predictions'> = {
  job: 'import-predictions',
  resolve: (input) => resolveImportPredictions(input),
  // Nothing is drawn at random: the held-out test split of a split-less source is every job's (seed 0).
  seeds: () => ({}),
  plan: () => oneUnit('import the predictions'),

  async prepare(cfg, ctx) {
    const ds = await loadImportedDataset(cfg, ctx);
    ctx.report({ phase: 'load', message: `checking ${cfg.probs}`, fraction: 0 });
    const probs = readImportedFile(cfg.probs);
    const classes = ds.data.splits.train.numClasses;
    const a = probs.array;
    if (a.shape.length !== 2) {
      throw new InputError(`${cfg.probs}: shape (${a.shape.join(', ')}) is not a matrix; expected (N, ${classes}): one row per example, N = ${describeCoverages(ds.rows)}, in ${ds.order}; one column per class`);
    }
    const coverage = coverageOf(cfg.probs, a.shape, ds.rows, ds.order);
    const rows = coverage.count;
    const checked = checkPredictions(a, cfg.probs, { rows, classes, rowsAre: coverage.what }, cfg.logits);
    let embeddings: CheckedEmbeddings | undefined;
    let embeddingsRecord: ImportedFileRecord | undefined;
    if (cfg.embeddings !== undefined) {
      ctx.report({ phase: 'load', message: `checking ${cfg.embeddings}`, fraction: 0 });
      const e = readImportedFile(cfg.embeddings);
      embeddings = checkEmbeddings(e.array, cfg.embeddings, rows, coverage.what);
      embeddingsRecord = e.record;
    }
    const imported: ImportedPredictionsRecord = { probs: probs.record, ...(embeddingsRecord ? { embeddings: embeddingsRecord } : {}), rows: coverage.what };
    const { runKind: _kind, probs: _probs, embeddings: _embeddings, ...rest } = cfg;
    return {
      state: { ds, coverage, probs: checked.probs, ...(embeddings ? { embeddings } : {}) },
      record: { dataset: ds.data.record, config: { ...rest, imported } },
    };
  },

  runUnit(_unit, cfg, st, ctx) {
    const k = st.ds.data.splits.train.numClasses;
    const labels = rowLabels(st.ds, st.coverage.count);
    const ranking = rankSuspects({ probs: st.probs, label: labels, numClasses: k }, { method: cfg.inSample ? 'threshold' : 'confident-learning' });
    writeUnitResults(ctx.outDir, {
      examples: st.coverage.count,
      classes: k,
      rows: st.coverage.what,
      outOfSample: !cfg.inSample,
      suspectMethod: ranking.method,
      labelIssues: ranking.count,
      ...(st.embeddings ? { embeddingDim: st.embeddings.dim } : {}),
    });
    return Promise.resolve(true);
  },

  merge(cfg, [unit], st, ctx) {
    const n = st.coverage.count;
    const index = Int32Array.from({ length: n }, (_, r) => r);
    const summary = summarizePredictions(index, rowLabels(st.ds, n), [st.probs], st.ds.data.splits.train.numClasses, rowSources(st.ds, n));
    const split = st.coverage.withTest ? { split: st.ds.rows.split.slice(0, n) } : {};
    writePredictions(ctx.runDir, { ...summary, ...split }, [st.probs], { outOfSample: !cfg.inSample, source: 'import' });
    if (st.embeddings) writeEmbeddings(ctx.runDir, st.embeddings, index);
    ctx.report({ phase: 'save', message: `wrote the predictions of ${n.toLocaleString('en-US')} examples`, fraction: 1 });
    return readUnitResults(unit);
  },
};

/** Imports a user's own predictions as a (score) run; resolves with its manifest. */
export function runImportPredictions(partial: JobInput<'import-predictions'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('import-predictions', partial, ctx, opts));
}
