import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { correlationMatrix } from '../core/charts/correlationMatrix';
import { errorBarrierChart } from '../core/charts/errorBarrier';
import { kernelVelocity } from '../core/charts/kernelVelocity';
import { renderSvg } from '../core/charts/render';
import { EL2N_GRID_DEFAULTS, runEl2nGrid } from '../core/experiments/el2nGrid';
import { BARRIER_SETS, ERROR_BARRIER_DEFAULTS, runErrorBarrier, type BarrierPoint } from '../core/experiments/errorBarrier';
import type { JobProgress } from '../core/experiments/job';
import { KERNEL_VELOCITY_DEFAULTS, runKernelVelocity, type VelocityRow } from '../core/experiments/kernelVelocity';
import type { TrainRunConfig } from '../core/experiments/trainRun';
import { writeFileAtomic, writeJsonAtomic } from '../core/store/atomicWrite';
import type { RunManifest } from '../core/store/runManifest';

/**
 * Training-dynamics and transfer commands: `datadiet velocity` (NTK kernel velocity along the sorted scores),
 * `datadiet barrier` (linear-mode-connectivity error barrier vs spawn time), `datadiet el2n-grid` (EL2N averaged
 * over a hyperparameter grid). Each writes its table in a new run folder and the chart next to it (Vega-Lite spec
 * and SVG). Transfer pruning is `datadiet prune --scores <run of model A> --model <B>`.
 */
type Ctx = { root: string; signal: AbortSignal; onProgress: (p: JobProgress) => void };

/** What main.ts shares with this file (passed in, so the two do not import each other). */
export interface DynamicsCliHelpers {
  addTrainOptions(cmd: Command, defaults: Partial<TrainRunConfig> & { dataset: string }, base?: Omit<TrainRunConfig, 'dataset'>): Command;
  toConfig(flags: never): Partial<TrainRunConfig> & { dataset: string };
  runWithProgress(job: (ctx: Ctx) => Promise<RunManifest>, root: string): Promise<{ manifest: RunManifest; runDir: string }>;
}

const exitCode = (m: RunManifest) => (m.status === 'done' ? 0 : m.status === 'cancelled' ? 130 : 1);

function numbers(name: string, check: (n: number) => boolean, hint: string) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (parts.length === 0 || parts.some((p) => !Number.isFinite(p) || !check(p))) throw new InvalidArgumentError(`${name} must be ${hint} separated by commas, got "${value}"`);
    return parts;
  };
}
function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${value}"`);
    return n;
  };
}

/** The chart as a Vega-Lite spec and an SVG beside the table; returns the SVG path. */
async function writeChart(runDir: string, name: string, spec: TopLevelSpec): Promise<string> {
  writeJsonAtomic(path.join(runDir, `${name}.vl.json`), spec);
  const file = path.join(runDir, `${name}.svg`);
  writeFileAtomic(file, new TextEncoder().encode(await renderSvg(spec)));
  return file;
}

function header(m: RunManifest, out: NodeJS.WritableStream): void {
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
}

export function registerDynamicsCommands(program: Command, h: DynamicsCliHelpers): void {
  h.addTrainOptions(
    program.command('velocity').description('NTK kernel velocity: windows of score-sorted examples, cosine distance of their logit-NTK Grams between epochs t and t+1'),
    { dataset: 'mnist' },
    KERNEL_VELOCITY_DEFAULTS,
  )
    .option('--windows <n>', 'windows spread from the lowest to the highest scores', int('--windows', 1), KERNEL_VELOCITY_DEFAULTS.windows)
    .option('--window-size <m>', 'examples per window (the Gram is m*classes square)', int('--window-size', 1), KERNEL_VELOCITY_DEFAULTS.windowSize)
    .option('--scores <run>', 'sort by this score run (default: EL2N of the trained model at each epoch t)')
    .option('--score <name>', 'score table of --scores', KERNEL_VELOCITY_DEFAULTS.score)
    .action(async (flags: { windows: number; windowSize: number; scores?: string; score: string; root: string; json?: boolean }) => {
      const config = { ...h.toConfig(flags as never), windows: flags.windows, windowSize: flags.windowSize, scoresFrom: flags.scores, score: flags.score };
      const { manifest: m, runDir } = await h.runWithProgress((ctx) => runKernelVelocity(config, ctx), flags.root);
      const out = process.stdout;
      if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
      else header(m, out);
      const tableFile = path.join(runDir, 'kernel-velocity.json');
      if (fs.existsSync(tableFile)) {
        const t = JSON.parse(fs.readFileSync(tableFile, 'utf8')) as { rows: VelocityRow[]; windowSize: number; score: string };
        if (!flags.json) {
          out.write(`  velocity per window (ascending ${t.score}), window start -> epochs t -> t+1:\n`);
          for (const e of [...new Set(t.rows.map((r) => r.epoch))]) {
            out.write(`  epoch ${e} -> ${e + 1}: ${t.rows.filter((r) => r.epoch === e).map((r) => `${Math.round(100 * r.startFraction)}%:${r.velocity.toFixed(3)}`).join(' ')}\n`);
          }
        }
        if (t.rows.length) {
          const svg = await writeChart(runDir, 'kernel-velocity', kernelVelocity({ rows: t.rows, windowSize: t.windowSize, score: t.score }));
          if (!flags.json) out.write(`  table           ${tableFile}\n  chart           ${svg}\n`);
        }
      }
      process.exitCode = exitCode(m);
    });

  h.addTrainOptions(
    program.command('barrier').description('linear-mode connectivity: error barrier between children spawned at several times, on the highest/lowest/random score subsets'),
    { dataset: 'mnist' },
    ERROR_BARRIER_DEFAULTS,
  )
    .option('--spawn <fractions>', 'spawn times as fractions of the budget (0 = initialization)', numbers('--spawn', (n) => n >= 0 && n < 1, 'fractions in [0, 1)'), [...ERROR_BARRIER_DEFAULTS.spawnFractions])
    .option('--pairs <n>', 'children pairs per spawn time', int('--pairs', 1), ERROR_BARRIER_DEFAULTS.pairs)
    .option('--subset-size <k>', 'examples in each of the highest / lowest / random subsets', int('--subset-size', 1), ERROR_BARRIER_DEFAULTS.subsetSize)
    .option('--scores <run>', 'score run for the subsets (default: EL2N of the parent at --score-epoch)')
    .option('--score <name>', 'score table of --scores', ERROR_BARRIER_DEFAULTS.score)
    .option('--score-epoch <t>', 'epoch of the parent whose EL2N picks the subsets', int('--score-epoch', 0), ERROR_BARRIER_DEFAULTS.scoreEpoch)
    .option('--alphas <n>', 'intervals of the interpolation grid (n + 1 points)', int('--alphas', 1), ERROR_BARRIER_DEFAULTS.alphaSteps)
    .option('--bn-batches <n>', 'batches used to recompute batch-norm statistics of each interpolated network', int('--bn-batches', 1), ERROR_BARRIER_DEFAULTS.bnBatches)
    .option('--test-examples <n>', 'test examples the test error is measured on', int('--test-examples', 1), ERROR_BARRIER_DEFAULTS.testExamples)
    .action(async (flags: { spawn: number[]; pairs: number; subsetSize: number; scores?: string; score: string; scoreEpoch: number; alphas: number; bnBatches: number; testExamples: number; root: string; json?: boolean }) => {
      const config = {
        ...h.toConfig(flags as never),
        spawnFractions: flags.spawn,
        pairs: flags.pairs,
        subsetSize: flags.subsetSize,
        scoresFrom: flags.scores,
        score: flags.score,
        scoreEpoch: flags.scoreEpoch,
        alphaSteps: flags.alphas,
        bnBatches: flags.bnBatches,
        testExamples: flags.testExamples,
      };
      const { manifest: m, runDir } = await h.runWithProgress((ctx) => runErrorBarrier(config, ctx), flags.root);
      const out = process.stdout;
      if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
      else header(m, out);
      const tableFile = path.join(runDir, 'error-barrier.json');
      if (fs.existsSync(tableFile)) {
        const t = JSON.parse(fs.readFileSync(tableFile, 'utf8')) as { summary: BarrierPoint[]; steps: number; score: string };
        if (!flags.json) {
          out.write(`  error barrier between children (mean over pairs), subsets by ${t.score}, budget ${t.steps} steps:\n`);
          for (const step of [...new Set(t.summary.map((p) => p.spawnStep))]) {
            out.write(`  spawn at step ${String(step).padStart(5)}: ${BARRIER_SETS.map((s) => t.summary.find((p) => p.set === s && p.spawnStep === step)).filter(Boolean).map((p) => `${p!.set} ${(100 * p!.mean).toFixed(2)}%`).join(', ')}\n`);
          }
        }
        if (t.summary.length) {
          const series = BARRIER_SETS.map((set) => ({ name: set === 'test' ? 'test split' : `${set} scores`, points: t.summary.filter((p) => p.set === set).map((p) => ({ spawnStep: p.spawnStep, barriers: p.barriers })) })).filter((s) => s.points.length);
          const svg = await writeChart(runDir, 'error-barrier', errorBarrierChart({ series, steps: t.steps }));
          if (!flags.json) out.write(`  table           ${tableFile}\n  chart           ${svg}\n`);
        }
      }
      process.exitCode = exitCode(m);
    });

  h.addTrainOptions(
    program.command('el2n-grid').description('EL2N averaged over a learning rate x batch size x width grid; Spearman between grid points. The result is a score run: prune with it'),
    { dataset: 'mnist' },
    EL2N_GRID_DEFAULTS,
  )
    .option('--lrs <list>', 'learning rates', numbers('--lrs', (n) => n > 0, 'positive numbers'), [...EL2N_GRID_DEFAULTS.lrs])
    .option('--batch-sizes <list>', 'batch sizes', numbers('--batch-sizes', (n) => Number.isInteger(n) && n > 0, 'positive integers'), [...EL2N_GRID_DEFAULTS.batchSizes])
    .option('--widths <list>', 'width multipliers', numbers('--widths', (n) => n > 0, 'positive numbers'), [...EL2N_GRID_DEFAULTS.widths])
    .option('--epoch <t>', 'epoch at which EL2N is taken', int('--epoch', 0), EL2N_GRID_DEFAULTS.scoreEpoch)
    .option('--runs <k>', 'seeds averaged at each grid point', int('--runs', 1), EL2N_GRID_DEFAULTS.runs)
    .action(async (flags: { lrs: number[]; batchSizes: number[]; widths: number[]; epoch: number; runs: number; root: string; json?: boolean }) => {
      const config = { ...h.toConfig(flags as never), lrs: flags.lrs, batchSizes: flags.batchSizes, widths: flags.widths, scoreEpoch: flags.epoch, runs: flags.runs };
      const { manifest: m, runDir } = await h.runWithProgress((ctx) => runEl2nGrid(config, ctx), flags.root);
      const out = process.stdout;
      if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
      else header(m, out);
      const tableFile = path.join(runDir, 'el2n-grid.json');
      if (fs.existsSync(tableFile)) {
        const t = JSON.parse(fs.readFileSync(tableFile, 'utf8')) as { correlations?: { names: string[]; matrix: number[][] }; spearmanWithMean: { label: string; spearman: number }[] };
        if (!flags.json) {
          out.write('  Spearman of each grid point with the grid mean:\n');
          for (const p of t.spearmanWithMean) out.write(`    ${p.label.padEnd(32)} ${p.spearman.toFixed(3)}\n`);
          out.write(`  mean EL2N table ${path.join(runDir, 'scores', 'el2n.parquet')} (prune with --scores ${m.id})\n`);
        }
        if (t.correlations) {
          const svg = await writeChart(runDir, 'el2n-grid', correlationMatrix({ ...t.correlations, title: 'EL2N rankings across the grid (Spearman)' }));
          if (!flags.json) out.write(`  chart           ${svg}\n`);
        }
      }
      process.exitCode = exitCode(m);
    });
}
