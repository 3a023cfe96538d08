/**
 * Runs Data Diet cells: each checked query (diagnose.ts) becomes one output, read from the run store; sweeps and
 * scoring that are not recorded yet run as engine jobs through `env.runJob` (the extension's engine host, or the
 * engine client in tests), streaming progress and stopping on `env.signal`. Outputs are payloads of the notebook
 * contract (../notebook/mime.ts) or text; turning them into output items with fallbacks is outputItems.ts's job.
 */
import type { ExecutorName } from '../../contract/execution';
import { configStem, isOnSlurm } from '../../contract/runManifest';
import type { JobName } from '../../contract/jobNames';
import { paramsOf } from '../../contract/jobOptions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobProgress } from '../experiments/job';
import type { CurvesPayload, GallerySelection, PayloadByKind, PayloadKind, PayloadSource } from '../notebook/mime';
import { galleryPayload } from '../notebook/galleryPayload';
import { histogramPayload } from '../notebook/histogramPayload';
import { scatterPayload } from '../notebook/analysisPayloads';
import { confusionMatrixPayload, trainingCurvesPayload } from '../notebook/runChartPayloads';
import { pruningCurvePayload, windowSweepPayload, type PruneSweepResults, type WindowSweepResults } from '../notebook/sweepPayloads';
import { rowThumbs, type Images } from './imageCache';
import { datasetUseOf, type DatasetUse } from '../data/datasetUse';
import type { RunManifest } from '../store/runManifest';
import { readScoreTable, scoresDir, type ScoreTable } from '../store/scoreFiles';
import { analysisCell } from './analysisCells';
import { mapCell } from './mapCell';
import { importPredictionsCell, importScoresCell } from './importCells';
import { diagnoseCell, type CellQuery } from './diagnose';
import { listRunInfos, resolveRun, type RunInfo } from './runRef';
import { predictionsFor } from './runPredictions';
import { auditSummaryLines } from '../labelErrors/auditSummary';
import { duplicatesCell } from './duplicatesCell';

export type CellOutput =
  | { readonly type: 'payload'; readonly kind: PayloadKind; readonly payload: PayloadByKind[PayloadKind]; readonly summary: string }
  | { readonly type: 'text'; readonly markdown: string; readonly plain: string };

/** A cell that cannot run, with a message a user can act on. */
export class CellError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'CellError';
  }
}

export type EngineJob = Extract<JobName, 'score' | 'prune' | 'window' | 'entropy' | 'overlap' | 'audit' | 'import-predictions' | 'import-scores' | 'duplicates'>;

/** A cell's `executor=` and `parallel=`, over the settings' executor. */
export interface ExecutorChoice {
  readonly executor?: ExecutorName;
  readonly parallel?: number;
}

/** A job the cell handed to Slurm: where it went, and that rerunning the cell shows it once it is done. */
export function submittedOutput(m: RunManifest): CellOutput | undefined {
  if (!isOnSlurm(m)) return undefined;
  const s = m.execution?.slurm;
  const text = `run ${m.id} submitted to Slurm: array job ${s?.arrayJobId} (${s?.units.length} units), merge job ${s?.mergeJobId}. The Runs view follows it; run this cell again when it is done to see the result.`;
  return { type: 'text', markdown: text, plain: text };
}

export interface ExecEnv {
  /** Workspace root: runs are under <root>/.datadiet/runs. */
  readonly root: string;
  /** Engine jobs are allowed (trusted workspace); reading runs always is. */
  readonly trusted: boolean;
  /** Runs a training job to its end (done or cancelled); undefined where no engine is available. */
  readonly runJob?: (job: EngineJob, params: Record<string, unknown>, onProgress: (p: JobProgress) => void, signal: AbortSignal, executor?: ExecutorChoice) => Promise<RunManifest>;
  /** Training images of a dataset spec, for thumbnails (cache them: a gallery cell runs often). */
  readonly images: (use: DatasetUse) => Promise<Images>;
  /** Engine parameters every job gets unless the cell sets them (backend, threads from the settings). */
  readonly jobDefaults?: Record<string, unknown>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: number, p: JobProgress) => void;
}

/** Checks and runs every line of a cell, in order; the first error stops the cell. */
export async function executeCell(text: string, env: ExecEnv): Promise<CellOutput[]> {
  let runs = listRunInfos(env.root);
  const { queries, diagnostics } = diagnoseCell(text, { runs });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new CellError(errors.map((d) => `line ${d.span.line + 1}: ${d.message}`).join('\n'), errors[0].span.line);
  const out: CellOutput[] = [];
  for (const q of queries) {
    if (env.signal?.aborted) break;
    try {
      out.push(await executeQuery(q, env, runs));
    } catch (e) {
      if (e instanceof CellError) throw new CellError(`line ${q.line + 1} (${q.command}): ${e.message}`, q.line);
      throw new CellError(`line ${q.line + 1} (${q.command}): ${(e as Error).message}`, q.line);
    }
    // A job may have recorded a new run: later lines see it.
    if (q.spec.long) runs = listRunInfos(env.root);
  }
  return out;
}

const str = (q: CellQuery, k: string) => q.args[k] as string;
const num = (q: CellQuery, k: string) => q.args[k] as number | undefined;

export function pickRun(q: CellQuery, runs: readonly RunInfo[]): RunInfo {
  const kind = q.spec.args.find((a) => a.name === 'run')!.kind;
  const r = resolveRun(str(q, 'run'), kind.type === 'run' ? kind.kinds : [], runs, kind.type === 'run' ? kind.byId : undefined);
  if ('error' in r) throw new CellError(r.error);
  return r.run;
}

export async function executeQuery(q: CellQuery, env: ExecEnv, runs: readonly RunInfo[]): Promise<CellOutput> {
  switch (q.command) {
    case 'runs':
      return runsTable(runs, str(q, 'kind'), num(q, 'limit')!);
    case 'histogram':
      return histogramCell(q, env, pickRun(q, runs));
    case 'gallery':
      return galleryCell(q, env, pickRun(q, runs));
    case 'compare':
      return compareCell(q, pickRun(q, runs));
    case 'stability':
      return stabilityCell(pickRun(q, runs));
    case 'training':
      return trainingCell(pickRun(q, runs));
    case 'confusion':
      return confusionCell(pickRun(q, runs));
    case 'prune':
    case 'window':
      return sweepCell(q, env, runs);
    case 'score':
      return scoreCell(q, env);
    case 'map':
      return mapCell(q, env, pickRun(q, runs));
    case 'audit':
      return auditCell(q, env);
    case 'entropy':
    case 'overlap':
    case 'heatmap':
    case 'gradsum':
    case 'velocity':
    case 'barrier':
      return analysisCell(q, env, runs);
    case 'import-predictions':
      return importPredictionsCell(q, env);
    case 'import-scores':
      return importScoresCell(q, env);
    case 'duplicates':
      return duplicatesCell(q, env, runs);
    default:
      throw new CellError(`no executor for "${q.command}"`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading runs

function datasetUse(run: RunInfo): DatasetUse {
  const use = datasetUseOf(run.config);
  if (!use) throw new CellError(`run ${run.id} does not record its dataset, so its images cannot be shown`);
  return use;
}

function table(run: RunInfo, score: string): ScoreTable {
  if (run.scores && !run.scores.includes(score)) {
    throw new CellError(`run ${run.id} has no score "${score}"${run.scores.length ? ` (it has ${run.scores.join(', ')})` : ''}`);
  }
  return readScoreTable(scoresDir(run.dir), score);
}

function classNamesOf(run: RunInfo, images: { classNames?: readonly string[] }): string[] | undefined {
  const names = run.classNames ?? images.classNames;
  return names ? [...names] : undefined;
}

const source = (run: RunInfo, score?: string): PayloadSource => (score ? { runId: run.id, score } : { runId: run.id });
const partialOf = (run: RunInfo) => run.status === 'cancelled';
const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));

async function histogramCell(q: CellQuery, env: ExecEnv, run: RunInfo): Promise<CellOutput> {
  const score = str(q, 'score');
  const t = table(run, score);
  const by = str(q, 'by');
  const corrupted = t.extra?.corrupted;
  if (by === 'noise' && !corrupted) throw new CellError(`run ${run.id} has no injected label noise to split by: score with noise=0.1 (or datadiet score --label-noise 0.1)`);
  const images = await env.images(datasetUse(run));
  const preds = predictionsFor(run.dir, t.index);
  const payload = histogramPayload({
    score,
    values: t.score,
    labels: t.label,
    index: t.index,
    split: by === 'class' ? 'class' : by === 'noise' ? { name: 'corrupted', member: corrupted!, rest: 'clean' } : undefined,
    classNames: classNamesOf(run, images),
    bins: num(q, 'bins'),
    title: `${score} — ${run.id}`,
    source: source(run, score),
    examples: { thumbs: rowThumbs(images, t.extra?.split !== undefined), corrupted, ...(preds.predicted ? { predicted: preds.predicted } : {}) },
  });
  if (partialOf(run)) payload.partial = true;
  const finite = Array.from(t.score).filter(Number.isFinite);
  const summary = `${score} of ${t.score.length} examples (run ${run.id}): min ${fmt(Math.min(...finite))}, max ${fmt(Math.max(...finite))}, ${payload.edges.length - 1} bins${by !== 'none' ? `, split by ${by}` : ''}${preds.problem ? ` (predicted labels not shown: ${preds.problem})` : ''}`;
  return { type: 'payload', kind: 'histogram', payload, summary };
}

/** The rows of a table whose label is `cls` (all rows without it), as a smaller table. */
function onlyClass(t: ScoreTable, cls: number | undefined): { values: Float32Array; labels: Int32Array; index: Int32Array; corrupted?: Float32Array } {
  const corrupted = t.extra?.corrupted;
  if (cls === undefined) return { values: t.score, labels: t.label, index: t.index, corrupted };
  const rows = [...t.label.keys()].filter((r) => t.label[r] === cls);
  if (rows.length === 0) throw new CellError(`no example is labelled ${cls}`);
  return {
    values: Float32Array.from(rows, (r) => t.score[r]),
    labels: Int32Array.from(rows, (r) => t.label[r]),
    index: Int32Array.from(rows, (r) => t.index[r]),
    corrupted: corrupted && Float32Array.from(rows, (r) => corrupted[r]),
  };
}

function gallerySelection(q: CellQuery, values: Float32Array): GallerySelection {
  const perClass = q.given.has('per-class') ? num(q, 'per-class') : undefined;
  if (q.given.has('band')) {
    const b = q.args.band as { lo: number; hi: number };
    return { mode: 'percentile', lo: b.lo, hi: b.hi, ...(perClass ? { perClass } : {}) };
  }
  if (q.given.has('range')) {
    const r = q.args.range as { min?: number; max?: number };
    // Open ends become the data's own extremes (JSON has no infinity).
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const from = r.min ?? Math.min(lo, r.max!);
    return { mode: 'range', lo: from, hi: r.max ?? Math.max(hi, from), ...(perClass ? { perClass } : {}) };
  }
  return { mode: str(q, 'order') as 'lowest' | 'highest', perClass: num(q, 'per-class')! };
}

async function galleryCell(q: CellQuery, env: ExecEnv, run: RunInfo): Promise<CellOutput> {
  const score = str(q, 'score');
  const t = table(run, score);
  const rows = onlyClass(t, num(q, 'class'));
  const images = await env.images(datasetUse(run));
  const selection = gallerySelection(q, rows.values);
  const preds = predictionsFor(run.dir, rows.index);
  const payload = galleryPayload({
    score,
    values: rows.values,
    labels: rows.labels,
    index: rows.index,
    selection,
    thumbs: rowThumbs(images, t.extra?.split !== undefined),
    classNames: classNamesOf(run, images),
    corrupted: rows.corrupted,
    ...(preds.predicted ? { predicted: preds.predicted } : {}),
    maxItems: num(q, 'limit'),
    title: `${score} — ${describeSelection(selection)}`,
    source: source(run, score),
  });
  if (partialOf(run)) payload.partial = true;
  const shown = payload.groups.reduce((a, g) => a + g.items.length, 0);
  const matched = payload.groups.reduce((a, g) => a + g.matched, 0);
  return { type: 'payload', kind: 'gallery', payload, summary: `gallery of ${shown} examples (${matched} matched) by ${score}, ${describeSelection(selection)}, run ${run.id}${preds.problem ? ` (predicted labels not shown: ${preds.problem})` : ''}` };
}

export function describeSelection(s: GallerySelection): string {
  switch (s.mode) {
    case 'lowest':
    case 'highest':
      return `${s.mode} ${s.perClass} per class`;
    case 'percentile':
      return `percentiles ${s.lo}-${s.hi}`;
    case 'range':
      return `scores ${fmt(s.lo)}..${fmt(s.hi)}`;
  }
}

function compareCell(q: CellQuery, run: RunInfo): CellOutput {
  const x = table(run, str(q, 'x'));
  const y = table(run, str(q, 'y'));
  if (x.index.length !== y.index.length || x.index.some((v, i) => v !== y.index[i])) throw new CellError(`scores ${x.name} and ${y.name} of run ${run.id} do not cover the same examples`);
  const corrupted = x.extra?.corrupted;
  const payload = scatterPayload({
    x: { name: x.name, values: x.score },
    y: { name: y.name, values: y.score },
    index: x.index,
    groups: corrupted ? { name: 'corrupted', member: corrupted, rest: 'clean' } : undefined,
    title: `${x.name} vs ${y.name} — ${run.id}`,
    source: source(run),
  });
  if (partialOf(run)) payload.partial = true;
  const rho = payload.spearman;
  return { type: 'payload', kind: 'scatter', payload, summary: `${x.name} vs ${y.name} over ${payload.total} examples: Spearman ${rho === null || rho === undefined ? 'undefined' : rho.toFixed(3)}` };
}

function trainingCell(run: RunInfo): CellOutput {
  const payload = trainingCurvesPayload(run.dir, { title: `Training — ${run.id}`, source: source(run) });
  if (!payload) throw new CellError(`run ${run.id} has no per-epoch metrics (metrics.jsonl): it finished no epoch`);
  if (partialOf(run)) payload.partial = true;
  const last = payload.epochs[payload.epochs.length - 1];
  const pct = (a: number | undefined) => (a === undefined ? '-' : `${(100 * a).toFixed(2)}%`);
  const summary = `${payload.epochs.length} epochs of run ${run.id}; after epoch ${last.epoch}: train ${pct(last.train?.accuracy)}, validation ${pct(last.validation?.accuracy)}, test ${pct(last.test?.accuracy)}`;
  return { type: 'payload', kind: 'trainingCurves', payload, summary };
}

function confusionCell(run: RunInfo): CellOutput {
  const payload = confusionMatrixPayload(run.dir, { title: `Confusion matrix — ${run.id}`, source: source(run) });
  if (!payload) throw new CellError(`run ${run.id} has no confusion matrix (confusion.json): it is written when a training run finishes${run.status === 'done' ? '; this run is older than the feature: rerun it' : ''}`);
  const total = payload.matrix.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  const right = payload.matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  // The most frequent confusion, the first thing to look at.
  let worst = { t: -1, p: -1, n: 0 };
  payload.matrix.forEach((row, t) => row.forEach((n, p) => p !== t && n > worst.n && (worst = { t, p, n })));
  const most = worst.n > 0 ? `; most confused: ${payload.labels[worst.t]} as ${payload.labels[worst.p]} (${worst.n})` : '';
  return { type: 'payload', kind: 'confusionMatrix', payload, summary: `${payload.split} accuracy ${((100 * right) / Math.max(1, total)).toFixed(2)}% over ${total} examples of run ${run.id}${most}` };
}

function stabilityCell(run: RunInfo): CellOutput {
  const file = path.join(run.dir, 'analysis.json');
  let analysis: { stability?: Record<string, number[]> };
  try {
    analysis = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof analysis;
  } catch (e) {
    throw new CellError(`${file}: cannot read the score analysis (${(e as Error).message})`);
  }
  const series = Object.entries(analysis.stability ?? {}).map(([name, ys]) => ({ name, x: ys.map((_, k) => k + 1), y: ys.map((v) => (Number.isFinite(v) ? v : null)) }));
  if (series.length === 0 || series.every((s) => s.x.length < 2)) throw new CellError(`run ${run.id} has a single run per score: stability needs runs >= 2`);
  const payload: CurvesPayload = { version: 1, title: `Score stability — ${run.id}`, xTitle: 'runs averaged (k)', yTitle: 'Spearman with all runs', series, source: source(run) };
  if (partialOf(run)) payload.partial = true;
  const summary = series.map((s) => `${s.name}: ${s.y.map((v) => (v === null ? '-' : v.toFixed(3))).join(' ')}`).join('; ');
  return { type: 'payload', kind: 'curves', payload, summary: `Spearman of the k-run mean with the ${series[0].x.length}-run mean, k = 1..${series[0].x.length}: ${summary}` };
}

function runsTable(runs: readonly RunInfo[], kind: string, limit: number): CellOutput {
  const rows = runs.filter((r) => kind === 'all' || r.kind === kind).slice(0, limit);
  if (rows.length === 0) return { type: 'text', markdown: `No ${kind === 'all' ? '' : kind + ' '}runs yet.`, plain: `No ${kind === 'all' ? '' : kind + ' '}runs yet.` };
  const cells = rows.map((r) => [r.id, r.kind, r.status, r.dataset ?? '', r.model ?? '', resultOf(r)]);
  const header = ['run', 'kind', 'status', 'dataset', 'model', 'result'];
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>&*_`[\]]/g, (c) => `\\${c}`);
  const markdown = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...cells.map((c) => `| ${c.map(esc).join(' | ')} |`)].join('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd();
  return { type: 'text', markdown, plain: [line(header), ...cells.map(line)].join('\n') };
}

function resultOf(r: RunInfo): string {
  const res = r.results ?? {};
  if (r.kind === 'score') return [r.scores?.join(', '), typeof res.examples === 'number' ? `${res.examples} examples` : ''].filter(Boolean).join('; ');
  if (r.kind === 'audit' && typeof res.rows === 'number') return `${String(res.flagged)} flagged of ${res.rows} rows (~${String(res.estimatedIssues)} issues estimated)`;
  const best = res.best as { testAccuracy?: number } | undefined;
  if (r.kind === 'window' && best?.testAccuracy !== undefined) return `best window ${(100 * best.testAccuracy).toFixed(2)}% test`;
  if (r.kind === 'prune' && Array.isArray(res.summary)) return `${res.summary.length} points`;
  const acc = res.testAccuracy;
  if (typeof acc === 'number') return `${(100 * acc).toFixed(2)}% test`;
  return r.error ?? '';
}

// ---------------------------------------------------------------------------------------------------------------
// Sweeps and scoring (engine jobs)

/** Engine params from the training arguments a user gave (names as the CLI and the jobs use them). */
function trainingParams(q: CellQuery, root: string, inherited: Record<string, unknown> = {}): Record<string, unknown> {
  const map: Record<string, string> = { model: 'model', epochs: 'epochs', steps: 'steps', subset: 'trainSubset', batch: 'batchSize', seed: 'seed', validation: 'validation', 'image-size': 'imageSize', resize: 'resize', backbone: 'backbone' };
  const out: Record<string, unknown> = {};
  for (const [arg, param] of Object.entries(map)) {
    if (q.given.has(arg)) out[param] = q.args[arg];
    else if (inherited[param] !== undefined) out[param] = inherited[param];
  }
  // A relative backbone folder is the workspace's, not the engine's working folder.
  if (typeof out.backbone === 'string') out.backbone = path.resolve(root, out.backbone);
  return out;
}

function sameList(a: unknown, b: readonly unknown[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new CellError(`${file}: cannot read the sweep results (${(e as Error).message})`);
  }
}

function sweepOutput(kind: 'prune' | 'window', run: RunInfo): CellOutput {
  try {
    return sweepPayload(kind, run);
  } catch (e) {
    if (run.status !== 'cancelled') throw e;
    throw new CellError(`run ${run.id} was interrupted before a point of the sweep was finished: nothing to show`);
  }
}

function sweepPayload(kind: 'prune' | 'window', run: RunInfo): CellOutput {
  const src = source(run, typeof run.config?.score === 'string' ? run.config.score : undefined);
  if (kind === 'prune') {
    const res = readJson<PruneSweepResults>(path.join(run.dir, 'prune-sweep.json'));
    const payload = pruningCurvePayload(res, { title: `Prune sweep by ${res.score ?? 'score'} — ${run.id}`, source: src });
    if (partialOf(run)) payload.partial = true;
    const lines = payload.series.map((s) => `${s.name}: ${s.points.map((p) => `${Math.round(100 * p.fractionPruned)}% pruned ${(100 * mean(p.accuracies)).toFixed(2)}%`).join(', ')}`);
    return { type: 'payload', kind: 'pruningCurve', payload, summary: `test accuracy (mean over seeds) — ${lines.join('; ')}${payload.partial ? ' (partial: cancelled)' : ''}` };
  }
  const res = readJson<WindowSweepResults>(path.join(run.dir, 'window-sweep.json'));
  const payload = windowSweepPayload(res, { title: `Sliding window by ${res.score ?? 'score'} — ${run.id}`, source: src });
  if (partialOf(run)) payload.partial = true;
  const best = res.best ? ` best window at offset ${res.best.offset} (chosen on validation)` : '';
  return { type: 'payload', kind: 'windowSweep', payload, summary: `window of ${res.size} of ${res.examples} examples at ${res.points.length} offsets;${best}${payload.partial ? ' (partial: cancelled)' : ''}` };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** A finished sweep over `scoreRun` with the settings asked for, newest first. */
function findSweep(kind: 'prune' | 'window', q: CellQuery, scoreRun: RunInfo, runs: readonly RunInfo[], params: Record<string, unknown>): RunInfo | undefined {
  return runs.find((r) => {
    if (r.kind !== kind || r.status !== 'done' || r.scoresRun !== scoreRun.id || !r.config) return false;
    const c = r.config;
    for (const [k, v] of Object.entries(params)) {
      if (k === 'scoresFrom' || k === 'dataset') continue;
      const recorded = k === 'stem' ? configStem(c) : c[k];
      if (Array.isArray(v) ? !sameList(recorded, v) : recorded !== v) return false;
    }
    return true;
  });
}

async function sweepCell(q: CellQuery, env: ExecEnv, runs: readonly RunInfo[]): Promise<CellOutput> {
  const kind = q.command as 'prune' | 'window';
  const target = pickRun(q, runs);
  if (target.kind === kind) return sweepOutput(kind, target);
  // A score run: show a matching sweep, or train one.
  const cfg = target.config ?? {};
  const use = datasetUse(target);
  const params: Record<string, unknown> = {
    dataset: use.spec,
    // The same pixels as were scored: the fingerprints must match.
    ...(use.imageSize !== undefined ? { imageSize: use.imageSize, resize: use.resize ?? 'crop' } : {}),
    scoresFrom: target.id,
    score: str(q, 'score'),
    seeds: num(q, 'seeds'),
    // The sweep must train on the examples that were scored (the same subset, drawn with the same seed), and by
    // default trains the architecture that was scored.
    ...trainingParams(q, env.root, { trainSubset: cfg.trainSubset, seed: cfg.seed, model: cfg.model, validation: cfg.validation, backbone: cfg.backbone }),
    ...(cfg.backboneInput !== undefined && !q.given.has('backbone') ? { backboneInput: cfg.backboneInput } : {}),
    ...(!q.given.has('model') && cfg.width !== undefined ? { width: cfg.width } : {}),
    ...(!q.given.has('model') ? { stem: configStem(cfg) } : {}),
    ...(kind === 'prune' ? { fractions: q.args.fractions, strategies: q.args.strategy } : { size: num(q, 'size'), offsets: q.args.offsets }),
  };
  if (target.scores && !target.scores.includes(params.score as string)) throw new CellError(`run ${target.id} has no score "${String(params.score)}" (it has ${target.scores.join(', ')})`);
  if (!q.args.fresh) {
    const found = findSweep(kind, q, target, runs, params);
    if (found) return sweepOutput(kind, found);
  }
  const manifest = await runEngineJob(kind, params, q, env);
  const submitted = submittedOutput(manifest);
  if (submitted) return submitted;
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the ${kind} job finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status === 'failed') throw new CellError(`the ${kind} sweep failed: ${run.error ?? 'no reason recorded'}`);
  return sweepOutput(kind, run);
}

/** `executor`: where the job runs when the cell itself decides (else the cell's executor= and parallel=, then the settings). */
export async function runEngineJob(job: EngineJob, params: Record<string, unknown>, q: CellQuery, env: ExecEnv, executor?: ExecutorChoice): Promise<RunManifest> {
  if (!env.trusted) throw new CellError(`"${q.command}" ${job === 'score' || job === 'prune' || job === 'window' ? 'trains models' : 'runs an engine job'}, which Data Diet does not do in Restricted Mode: trust this workspace to run it (reading recorded runs works without trust)`);
  if (!env.runJob) throw new CellError(`"${q.command}" needs the Data Diet engine, which is not available here`);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  env.signal?.addEventListener('abort', onAbort);
  try {
    const chosen: ExecutorChoice = executor ?? { ...(q.given.has('executor') ? { executor: q.args.executor as ExecutorName } : {}), ...(q.given.has('parallel') ? { parallel: q.args.parallel as number } : {}) };
    // Defaults from the settings (backend, ...) go to the jobs that take them: an analysis of finished runs has none.
    return await env.runJob(job, { ...paramsOf(job, env.jobDefaults ?? {}), ...params }, (p) => env.onProgress?.(q.line, p), controller.signal, chosen);
  } finally {
    env.signal?.removeEventListener('abort', onAbort);
  }
}

async function scoreCell(q: CellQuery, env: ExecEnv): Promise<CellOutput> {
  const scores = q.args.scores as string[];
  const params: Record<string, unknown> = {
    dataset: str(q, 'dataset'),
    scores,
    runs: num(q, 'runs'),
    scoreEpoch: num(q, 'epoch'),
    ...(num(q, 'noise') ? { labelNoise: num(q, 'noise') } : {}),
    ...trainingParams(q, env.root),
  };
  const manifest = await runEngineJob('score', params, q, env);
  const submitted = submittedOutput(manifest);
  if (submitted) return submitted;
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the score job finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status === 'failed') throw new CellError(`scoring failed: ${run.error ?? 'no reason recorded'}`);
  if (!run.scores?.length) throw new CellError(`run ${run.id} was ${run.status} before any score was written${run.error ? ` (${run.error})` : ''}`);
  const byNoise = num(q, 'noise') ? 'noise' : 'none';
  const hq: CellQuery = { ...q, command: 'histogram', args: { score: scores[0], run: run.id, by: byNoise, bins: 40 }, given: new Set(['score', 'run', 'by']) };
  const out = await histogramCell(hq, env, run);
  return out.type === 'payload' ? { ...out, summary: `scored ${scores.join(', ')} in run ${run.id} (${run.status}). ${out.summary}` } : out;
}

/** An audit: cross-validated probabilities and confident learning, shown as its summary in words. */
async function auditCell(q: CellQuery, env: ExecEnv): Promise<CellOutput> {
  const params: Record<string, unknown> = {
    dataset: str(q, 'dataset'),
    folds: num(q, 'folds'),
    filter: str(q, 'filter'),
    includeTest: q.args.test as boolean,
    ...(num(q, 'noise') ? { labelNoise: num(q, 'noise'), noiseKind: str(q, 'noise-kind') } : {}),
    ...trainingParams(q, env.root),
  };
  const manifest = await runEngineJob('audit', params, q, env);
  const submitted = submittedOutput(manifest);
  if (submitted) return submitted;
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the audit finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status === 'failed' && !run.results) throw new CellError(`the audit failed: ${run.error ?? 'no reason recorded'}`);
  const lines = [`run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}`, ...auditSummaryLines({ id: run.id, results: run.results }, run.dir, run.classNames)];
  const plain = lines.join('\n');
  return { type: 'text', markdown: '```\n' + plain + '\n```', plain };
}
