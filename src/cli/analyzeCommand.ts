import { exitCode } from './exitCode';
import { reportSubmitted } from './submitted';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { checkParams } from '../contract/jobOptions';
import { gradHeatmapChart } from '../core/charts/gradHeatmapChart';
import { gradSumChart } from '../core/charts/gradSumChart';
import { labelEntropyChart } from '../core/charts/labelEntropyChart';
import { renderSvg } from '../core/charts/render';
import { strategyComparisonChart } from '../core/charts/strategyComparisonChart';
import { topKOverlapChart } from '../core/charts/topKOverlapChart';
import { noiseHistogramChart } from '../core/charts/noiseHistogramChart';
import { runNoiseStudy, type NoiseStudyTable } from '../core/experiments/noiseStudy';
import { openScoreRun, scoreTableOf } from '../core/experiments/scoreRunRef';
import type { JobContext } from '../core/experiments/job';
import { GRADSUM_DEFAULTS, runGradSum, type GradSumTable } from '../core/experiments/gradSum';
import { HEATMAP_DEFAULTS, runGradHeatmap, type GradHeatmapTable } from '../core/experiments/gradHeatmap';
import { ENTROPY_DEFAULTS, runLabelEntropy, type LabelEntropyTable } from '../core/experiments/labelEntropyCurve';
import type { PrunePoint, RetrainRow } from '../core/experiments/pruneSweep';
import { PAPER_STRATEGY_NAMES, runStrategyComparison, STRATEGY_COMPARISON_DEFAULTS } from '../core/experiments/strategyComparison';
import { runTopKOverlap, type TopKOverlapTable } from '../core/experiments/topKOverlapCurve';
import type { StartOptions } from '../core/jobs/runner';
import { writeFileAtomic, writeJsonAtomic } from '../core/store/atomicWrite';
import type { RunManifest } from '../contract/runManifest';
import type { CliHelpers } from './cliHelpers';
import { addJobOptions, paramsFromFlags } from './specOptions';

/**
 * `datadiet analyze <entropy|overlap|heatmap|gradsum|noise|strategies>`: the analyses of Vodrahalli et al. 2018
 * (and the noise study of a score run). Each writes its table in a new run folder, and the chart next to it as a
 * Vega-Lite spec and an SVG. The options of each come from its job's metadata (contract/jobOptions.ts).
 */


/** Writes <name>.vl.json and <name>.svg into the run folder; a rendering failure is reported, never fatal. */
export async function writeChart(runDir: string, name: string, spec: TopLevelSpec, err: NodeJS.WritableStream = process.stderr): Promise<string[]> {
  const specFile = path.join(runDir, `${name}.vl.json`);
  writeJsonAtomic(specFile, spec);
  try {
    const svgFile = path.join(runDir, `${name}.svg`);
    writeFileAtomic(svgFile, await renderSvg(spec));
    return [specFile, svgFile];
  } catch (e) {
    err.write(`datadiet: could not render ${name}.svg (${(e as Error).message}); the Vega-Lite spec is in ${specFile}\n`);
    return [specFile];
  }
}

const readTable = <T>(runDir: string, file: string): T => JSON.parse(fs.readFileSync(path.join(runDir, file), 'utf8')) as T;

function header(m: RunManifest, out: NodeJS.WritableStream): void {
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
}

interface Common {
  root: string;
  json?: boolean;
}

export function registerAnalyzeCommands(program: Command, h: CliHelpers, out: NodeJS.WritableStream = process.stdout): void {
  const analyze = program.command('analyze').description('analyses of Vodrahalli et al. 2018: label entropy and overlap of top-k sets, gradient heatmap, ||sum of grads||, selection strategies');

  /** Runs the job, prints the manifest (--json) or `report`, writes the chart; sets the exit code. */
  const finish = async (flags: Common, job: (ctx: JobContext, opts: StartOptions) => Promise<RunManifest>, table: string, chart: (t: never) => TopLevelSpec, report: (t: never, m: RunManifest) => void) => {
    const { manifest: m, runDir } = await h.runWithProgress(job, flags.root, flags);
    if (reportSubmitted(m, flags, out)) return;
    const haveTable = fs.existsSync(path.join(runDir, table));
    const t = haveTable ? readTable<never>(runDir, table) : undefined;
    const charts = t !== undefined ? await writeChart(runDir, table.replace(/\.json$/, ''), chart(t)) : [];
    if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
    else {
      header(m, out);
      if (t !== undefined) report(t, m);
      out.write(`  table           ${path.join(runDir, table)}\n`);
      for (const c of charts) out.write(`  chart           ${c}\n`);
    }
    process.exitCode = exitCode(m);
  };

  addJobOptions(analyze.command('entropy').description('label entropy of the top-k examples vs k for scores of a score run, with the uniform baseline ln K'), 'entropy', ENTROPY_DEFAULTS)
    .action(async (f: Common) => {
      const config = checkParams('entropy', paramsFromFlags('entropy', f));
      await finish(f, (ctx, opts) => runLabelEntropy(config, ctx, opts), 'label-entropy.json', labelEntropyChart as (t: never) => TopLevelSpec, (t: LabelEntropyTable) => {
        out.write(`  ${t.examples.toLocaleString('en-US')} examples, ${t.numClasses} classes; entropy in nats (uniform ln ${t.numClasses} = ${t.uniform.toFixed(3)}, all data ${t.dataset.toFixed(3)})\n`);
        out.write(`  ${'k'.padStart(7)} ${[...t.series.map((s) => s.score), 'random'].map((s) => s.padStart(12)).join(' ')}\n`);
        t.ks.forEach((k, j) => out.write(`  ${String(k).padStart(7)} ${[...t.series.map((s) => s.entropy[j]), t.random[j]].map((v) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a').padStart(12)).join(' ')}\n`));
      });
    });

  addJobOptions(analyze.command('overlap').description('overlap |S1 ∩ S2|/k of two models\' top-k sets vs k (the runs kept by a score run, or two score runs), with the random baseline k/N'), 'overlap', {})
    .action(async (f: Common) => {
      const config = checkParams('overlap', paramsFromFlags('overlap', f));
      await finish(f, (ctx, opts) => runTopKOverlap(config, ctx, opts), 'topk-overlap.json', topKOverlapChart as (t: never) => TopLevelSpec, (t: TopKOverlapTable) => {
        out.write(`  ${t.examples.toLocaleString('en-US')} examples; overlap of the top-k sets:\n`);
        out.write(`  ${'k'.padStart(7)} ${[...t.series.map((s) => s.name), 'random k/N'].map((s) => s.padStart(14)).join(' ')}\n`);
        t.ks.forEach((k, j) => out.write(`  ${String(k).padStart(7)} ${[...t.series.map((s) => s.overlap[j]), t.baseline[j]].map((v) => v.toFixed(3).padStart(14)).join(' ')}\n`));
      });
    });

  addJobOptions(analyze.command('heatmap').description('per-example gradient norms of a random sample of examples at initialization and after every epoch of one training run'), 'grad-heatmap', { ...HEATMAP_DEFAULTS, dataset: 'mnist' })
    .action(async (f: Common) => {
      const config = checkParams('grad-heatmap', paramsFromFlags('grad-heatmap', f));
      await finish(f, (ctx, opts) => runGradHeatmap(config, ctx, opts), 'grad-heatmap.json', gradHeatmapChart as (t: never) => TopLevelSpec, (t: GradHeatmapTable) => {
        out.write(`  ${t.examples.length} examples x ${t.epochs.length} measurements (epoch 0 = initialization); gradient norm quantiles per epoch:\n`);
        t.epochs.forEach((e, j) => {
          const col = t.values.map((r) => r[j]).sort((a, b) => a - b);
          const q = (p: number) => col[Math.min(col.length - 1, Math.floor(p * col.length))];
          const acc = t.testAccuracy[j];
          out.write(`  epoch ${String(e).padStart(3)}  min ${q(0).toExponential(2)}  median ${q(0.5).toExponential(2)}  max ${col[col.length - 1].toExponential(2)}  max/median ${(col[col.length - 1] / q(0.5)).toFixed(1)}${acc === null ? '' : `  test ${(100 * acc).toFixed(2)}%`}\n`);
        });
      });
    });

  addJobOptions(analyze.command('gradsum').description('||sum of per-example gradients|| vs sum of their norms over random minibatches, at initialization and after every epoch'), 'grad-sum', { ...GRADSUM_DEFAULTS, dataset: 'mnist' })
    .action(async (f: Common) => {
      const config = checkParams('grad-sum', paramsFromFlags('grad-sum', f));
      await finish(f, (ctx, opts) => runGradSum(config, ctx, opts), 'grad-sum.json', gradSumChart as (t: never) => TopLevelSpec, (t: GradSumTable) => {
        out.write(`  minibatches of ${t.batchSize}; Pearson r over all of them ${t.pearson.toFixed(3)}\n`);
        for (const p of t.perEpoch) {
          const rs = t.rows.filter((r) => r.epoch === p.epoch);
          const mean = (f: (r: (typeof rs)[number]) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
          out.write(`  epoch ${String(p.epoch).padStart(3)}  mean ||sum|| ${mean((r) => r.normOfSum).toFixed(3)}  mean sum||.|| ${mean((r) => r.sumOfNorms).toFixed(3)}  ratio ${p.meanRatio.toFixed(3)}  Pearson ${p.pearson.toFixed(3)}${p.testAccuracy === null ? '' : `  test ${(100 * p.testAccuracy).toFixed(2)}%`}\n`);
        }
      });
    });

  addJobOptions(analyze.command('noise').description('noise study of a score run made with --label-noise: clean vs corrupted score distributions, AUROC, AP, precision@k'), 'noise-study', {})
    .action(async (f: Common & { scores: string }) => {
      const config = checkParams('noise-study', paramsFromFlags('noise-study', f));
      const { manifest: m, runDir } = await h.runWithProgress((ctx, opts) => runNoiseStudy(config, ctx, opts), f.root, f);
      if (reportSubmitted(m, f, out)) return;
      const file = path.join(runDir, 'noise-study.json');
      const t = fs.existsSync(file) ? readTable<NoiseStudyTable>(runDir, 'noise-study.json') : undefined;
      const charts: string[] = [];
      if (t) {
        const source = openScoreRun(path.resolve(f.root), f.scores);
        for (const s of t.scores) {
          const table = scoreTableOf(source, s.score);
          charts.push(...(await writeChart(runDir, `noise-${s.score}`, noiseHistogramChart({ score: s.score, values: table.score, corrupted: table.extra!.corrupted, auroc: s.auroc }))));
        }
      }
      if (f.json) out.write(JSON.stringify(m, null, 2) + '\n');
      else {
        header(m, out);
        if (t) {
          out.write(`  ${t.corrupted} of ${t.examples} examples have a corrupted label (${t.labelNoise * 100}% permuted); higher score = more suspicious:\n`);
          for (const s of t.scores) {
            const pk = Object.entries(s.precisionAt).map(([k, v]) => `P@${k} ${v.toFixed(3)}`).join(', ');
            out.write(`  ${s.score.padEnd(13)} AUROC ${s.auroc.toFixed(3)}, AP ${s.averagePrecision.toFixed(3)}, ${pk}; median clean ${s.clean.median.toPrecision(3)}, corrupted ${s.corruptedStats.median.toPrecision(3)}\n`);
          }
        }
        out.write(`  table           ${file}\n`);
        for (const c of charts) out.write(`  chart           ${c}\n`);
      }
      process.exitCode = exitCode(m);
    });

  addJobOptions(analyze.command('strategies').description('Max-Gradient vs Non-extreme Max-Gradient vs Gradient-CDF vs random: retrain on subsets chosen by gradient-magnitude scores'), 'strategies', { ...STRATEGY_COMPARISON_DEFAULTS, dataset: 'mnist' })
    .action(async (f: Common & { score: string; seeds: number }) => {
      const config = checkParams('strategies', paramsFromFlags('strategies', f));
      const chart = (t: { rows: RetrainRow[]; score: string }) => strategyComparisonChart({ rows: t.rows, names: PAPER_STRATEGY_NAMES, score: t.score });
      await finish(f, (ctx, opts) => runStrategyComparison(config, ctx, opts), 'prune-sweep.json', chart as (t: never) => TopLevelSpec, (t: { summary: PrunePoint[] }) => {
        out.write(`  test accuracy, mean [16th-84th percentile] over ${f.seeds} repeat(s), ${f.score} scores:\n`);
        for (const p of t.summary) {
          out.write(`  ${(PAPER_STRATEGY_NAMES[p.strategy] ?? p.strategy).padEnd(25)} ${String(Math.round(p.fractionPruned * 100)).padStart(3)}% pruned  ${(100 * p.mean).toFixed(2)}% [${(100 * p.lo).toFixed(2)}, ${(100 * p.hi).toFixed(2)}]\n`);
        }
      });
    });
}
