/**
 * Executes the analysis cells (analysisCommands.ts): reads the table an analysis or training-dynamics run wrote
 * (label-entropy.json, topk-overlap.json, grad-heatmap.json, grad-sum.json, kernel-velocity.json,
 * error-barrier.json) and turns it into a notebook payload; `entropy` and `overlap` of a score run compute the
 * table as an engine job when no finished one matches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BarrierPoint } from '../experiments/errorBarrier';
import type { GradHeatmapTable } from '../experiments/gradHeatmap';
import type { GradSumTable } from '../experiments/gradSum';
import type { VelocityRow } from '../experiments/kernelVelocity';
import type { LabelEntropyTable } from '../experiments/labelEntropyCurve';
import type { TopKOverlapTable } from '../experiments/topKOverlapCurve';
import { heatmapPayload, scatterPayload } from '../notebook/analysisPayloads';
import type { CurvesPayload } from '../notebook/mime';
import type { CellQuery } from './diagnose';
import { CellError, pickRun, runEngineJob, type CellOutput, type ExecEnv } from './execute';
import { listRunInfos, type RunInfo } from './runRef';

const nullIfNaN = (v: number): number | null => (Number.isFinite(v) ? v : null);
const fmt = (v: number | null) => (v === null ? 'n/a' : Number(v.toPrecision(3)).toString());
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The JSON table a run wrote; a run cancelled before writing it says so. */
export function readRunTable<T>(run: RunInfo, file: string): T {
  const full = path.join(run.dir, file);
  if (!fs.existsSync(full)) {
    throw new CellError(run.status === 'cancelled' ? `run ${run.id} was interrupted before ${file} was written: nothing to show` : `run ${run.id} has no ${file} (${full})`);
  }
  try {
    return JSON.parse(fs.readFileSync(full, 'utf8')) as T;
  } catch (e) {
    throw new CellError(`${full}: cannot read the ${run.kind} table (${(e as Error).message})`);
  }
}

const partial = (run: RunInfo, table?: { partial?: boolean }) => run.status === 'cancelled' || table?.partial === true;
const withPartial = <P extends { partial?: boolean }>(p: P, yes: boolean): P => (yes ? { ...p, partial: true } : p);

export async function analysisCell(q: CellQuery, env: ExecEnv, runs: readonly RunInfo[]): Promise<CellOutput> {
  const run = pickRun(q, runs);
  switch (q.command) {
    case 'entropy':
      return entropyOutput(run.kind === 'entropy' ? run : await tableOfScoreRun(q, env, runs, run), q.args.scores as string[] | undefined);
    case 'overlap':
      return overlapOutput(run.kind === 'overlap' ? run : await tableOfScoreRun(q, env, runs, run));
    case 'heatmap':
      return heatmapOutput(run);
    case 'gradsum':
      return gradSumOutput(run);
    case 'velocity':
      return velocityOutput(run);
    case 'barrier':
      return barrierOutput(run);
    default:
      throw new CellError(`no executor for "${q.command}"`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Computed from a score run

/** The engine job's parameters for an entropy/overlap table of `scoreRun`, as the cell asks for it. */
export function analysisParams(q: CellQuery, scoreRun: RunInfo): Record<string, unknown> {
  const has = (s: string) => {
    if (scoreRun.scores && !scoreRun.scores.includes(s)) throw new CellError(`run ${scoreRun.id} has no score "${s}" (it has ${scoreRun.scores.join(', ') || 'none'})`);
    return s;
  };
  if (q.command === 'entropy') {
    const scores = (q.args.scores as string[] | undefined) ?? scoreRun.scores;
    if (!scores?.length) throw new CellError(`run ${scoreRun.id} has no score tables`);
    return { scoresFrom: scoreRun.id, scores: scores.map(has) };
  }
  const first = (scoreRun.config?.scores as string[] | undefined)?.find((s) => scoreRun.scores?.includes(s) ?? true) ?? scoreRun.scores?.[0];
  const score = (q.args.score as string | undefined) ?? first;
  if (!score) throw new CellError(`run ${scoreRun.id} has no score tables`);
  const against = q.args.against as string | undefined;
  return { scoresFrom: scoreRun.id, score: has(score), ...(against !== undefined ? { againstScore: has(against) } : {}) };
}

/** A finished entropy/overlap run of `scoreRun` that answers `params`, newest first. */
export function findAnalysis(kind: 'entropy' | 'overlap', scoreRun: RunInfo, params: Record<string, unknown>, runs: readonly RunInfo[]): RunInfo | undefined {
  return runs.find((r) => {
    if (r.kind !== kind || r.status !== 'done' || r.scoresRun !== scoreRun.id || !r.config) return false;
    if (kind === 'entropy') {
      const have = r.config.scores;
      return Array.isArray(have) && (params.scores as string[]).every((s) => have.includes(s));
    }
    return r.config.against === undefined && r.config.score === params.score && r.config.againstScore === params.againstScore;
  });
}

async function tableOfScoreRun(q: CellQuery, env: ExecEnv, runs: readonly RunInfo[], scoreRun: RunInfo): Promise<RunInfo> {
  const kind = q.command as 'entropy' | 'overlap';
  const params = analysisParams(q, scoreRun);
  if (!q.args.fresh) {
    const found = findAnalysis(kind, scoreRun, params, runs);
    if (found) return found;
  }
  const manifest = await runEngineJob(kind, params, q, env);
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the ${kind} job finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status === 'failed') throw new CellError(`the ${kind} analysis failed: ${run.error ?? 'no reason recorded'}`);
  return run;
}

export function entropyOutput(run: RunInfo, only?: readonly string[]): CellOutput {
  const t = readRunTable<LabelEntropyTable>(run, 'label-entropy.json');
  const missing = only?.filter((s) => !t.series.some((x) => x.score === s)) ?? [];
  if (missing.length) throw new CellError(`entropy run ${run.id} has no curve for ${missing.join(', ')} (it has ${t.series.map((s) => s.score).join(', ')})`);
  const series = t.series.filter((s) => !only || only.includes(s.score));
  const payload = withPartial<CurvesPayload>(
    {
      version: 1,
      title: `Label entropy of the top-k examples — ${run.id}`,
      xTitle: 'k (examples with the highest scores)',
      yTitle: `Label entropy (nats; uniform ln ${t.numClasses} = ${t.uniform.toFixed(3)})`,
      xScale: 'log',
      series: series.map((s) => ({ name: s.score, x: [...t.ks], y: s.entropy.map(nullIfNaN) })),
      baseline: { name: 'random ranking', y: t.random.map(nullIfNaN), x: [...t.ks] },
      source: { runId: run.id },
    },
    partial(run),
  );
  const at = (ys: number[]) => t.ks.map((k, j) => `k=${k} ${fmt(nullIfNaN(ys[j]))}`).join(', ');
  const summary = `label entropy (nats) of the top-k of ${t.examples} examples, ${t.numClasses} classes (uniform ${fmt(t.uniform)}, all data ${fmt(t.dataset)}, score run ${t.scoreRun}) — ${[...series.map((s) => `${s.score}: ${at(s.entropy)}`), `random: ${at(t.random)}`].join('; ')}`;
  return { type: 'payload', kind: 'curves', payload, summary };
}

export function overlapOutput(run: RunInfo): CellOutput {
  const t = readRunTable<TopKOverlapTable>(run, 'topk-overlap.json');
  const payload = withPartial<CurvesPayload>(
    {
      version: 1,
      title: `Overlap of the top-k examples — ${run.id}`,
      xTitle: 'k (examples with the highest scores)',
      yTitle: 'Overlap of the top-k sets',
      yFormat: '.0%',
      xScale: 'log',
      series: t.series.map((s) => ({ name: s.name, x: [...t.ks], y: s.overlap.map(nullIfNaN) })),
      baseline: { name: 'chance (k/N)', y: t.baseline.map(nullIfNaN), x: [...t.ks] },
      source: { runId: run.id },
    },
    partial(run),
  );
  const summary = `overlap of the top-k sets of ${t.examples} examples — ${t.series.map((s) => `${s.name}: ${t.ks.map((k, j) => `k=${k} ${pct(s.overlap[j])}`).join(', ')}`).join('; ')}; chance k/N: ${t.ks.map((k, j) => pct(t.baseline[j])).join(', ')}`;
  return { type: 'payload', kind: 'curves', payload, summary };
}

// ---------------------------------------------------------------------------------------------------------------
// Training-dynamics runs (shown only)

export function heatmapOutput(run: RunInfo): CellOutput {
  const t = readRunTable<GradHeatmapTable>(run, 'grad-heatmap.json');
  if (t.epochs.length === 0 || t.examples.length === 0) throw new CellError(`run ${run.id} measured no gradient norms yet`);
  const payload = withPartial(
    heatmapPayload({ examples: t.examples, epochs: t.epochs, values: t.values, valueTitle: 'gradient norm', logColor: true, title: `Per-example gradient norm over training — ${run.id}`, source: { runId: run.id } }),
    partial(run, t),
  );
  const medians = t.epochs.map((e, j) => {
    const col = t.values.map((r) => r[j]).filter(Number.isFinite).sort((a, b) => a - b);
    return `epoch ${e} median ${fmt(col[Math.floor(col.length / 2)] ?? NaN)} max ${fmt(col[col.length - 1] ?? NaN)}`;
  });
  return { type: 'payload', kind: 'heatmap', payload, summary: `gradient norms of ${t.examples.length} examples at ${t.epochs.length} points (epoch 0 = initialization): ${medians.join('; ')}${payload.partial ? ' (partial: cancelled)' : ''}` };
}

export function gradSumOutput(run: RunInfo): CellOutput {
  const t = readRunTable<GradSumTable>(run, 'grad-sum.json');
  if (t.rows.length === 0) throw new CellError(`run ${run.id} measured no minibatch yet`);
  const last = Math.max(...t.rows.map((r) => r.epoch));
  const payload = withPartial(
    scatterPayload({
      x: { name: 'sum of per-example gradient norms', values: t.rows.map((r) => r.sumOfNorms) },
      y: { name: 'norm of the summed gradient', values: t.rows.map((r) => r.normOfSum) },
      // The last measured epoch on top of the earlier ones: how training changes the cancellation.
      ...(last > 0 ? { groups: { name: `epoch ${last}`, member: t.rows.map((r) => r.epoch === last), rest: 'earlier epochs' } } : {}),
      title: `||sum of gradients|| vs sum of ||gradients||, minibatches of ${t.batchSize} — ${run.id}`,
      source: { runId: run.id },
    }),
    partial(run, t),
  );
  const perEpoch = t.perEpoch.map((p) => `epoch ${p.epoch}: ratio ${fmt(p.meanRatio)}, Pearson ${fmt(nullIfNaN(p.pearson))}${p.testAccuracy === null ? '' : `, test ${pct(p.testAccuracy)}`}`);
  return { type: 'payload', kind: 'scatter', payload, summary: `${t.rows.length} minibatches of ${t.batchSize}; Pearson over all ${fmt(nullIfNaN(t.pearson))} — ${perEpoch.join('; ')}${payload.partial ? ' (partial: cancelled)' : ''}` };
}

export function velocityOutput(run: RunInfo): CellOutput {
  const t = readRunTable<{ score: string; windowSize: number; examples: number; rows: VelocityRow[]; partial?: boolean }>(run, 'kernel-velocity.json');
  if (t.rows.length === 0) throw new CellError(`run ${run.id} measured no epoch yet`);
  const epochs = [...new Set(t.rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const series = epochs.map((e) => {
    const rows = t.rows.filter((r) => r.epoch === e).sort((a, b) => a.startFraction - b.startFraction);
    return { name: `epoch ${e} → ${e + 1}`, x: rows.map((r) => r.startFraction), y: rows.map((r) => nullIfNaN(r.velocity)) };
  });
  const payload = withPartial<CurvesPayload>(
    {
      version: 1,
      title: `Kernel velocity of windows of ${t.windowSize} examples sorted by ${t.score} — ${run.id}`,
      xTitle: `window start (fraction of examples, ascending ${t.score})`,
      yTitle: 'kernel velocity (cosine distance of NTK Grams)',
      series,
      source: { runId: run.id },
    },
    partial(run, t),
  );
  const summary = `kernel velocity of ${series[0].x.length} windows of ${t.windowSize} of ${t.examples} examples, sorted by ${t.score} — ${series.map((s) => `${s.name}: ${s.y.map(fmt).join(' ')}`).join('; ')}${payload.partial ? ' (partial: cancelled)' : ''}`;
  return { type: 'payload', kind: 'curves', payload, summary };
}

export function barrierOutput(run: RunInfo): CellOutput {
  const t = readRunTable<{ score: string; subsetSize: number; steps: number; summary: BarrierPoint[]; partial?: boolean }>(run, 'error-barrier.json');
  if (t.summary.length === 0) throw new CellError(`run ${run.id} finished no children pair yet`);
  const sets = [...new Set(t.summary.map((p) => p.set))];
  const series = sets.map((set) => {
    const pts = t.summary.filter((p) => p.set === set).sort((a, b) => a.spawnStep - b.spawnStep);
    return { name: set === 'test' ? 'test set' : `${set} ${t.subsetSize} by ${t.score}`, x: pts.map((p) => p.spawnStep), y: pts.map((p) => nullIfNaN(p.mean)) };
  });
  const payload = withPartial<CurvesPayload>(
    { version: 1, title: `Error barrier between children spawned at step t (of ${t.steps}) — ${run.id}`, xTitle: 'spawn step t', yTitle: 'error barrier (mean over pairs)', yFormat: '.1%', series, source: { runId: run.id } },
    partial(run, t),
  );
  const summary = `error barrier (mean over children pairs) by spawn step — ${series.map((s) => `${s.name}: ${s.x.map((x, i) => `t=${x} ${s.y[i] === null ? 'n/a' : pct(s.y[i]!)}`).join(', ')}`).join('; ')}${payload.partial ? ' (partial: cancelled)' : ''}`;
  return { type: 'payload', kind: 'curves', payload, summary };
}
