import { exitCode } from './exitCode';
import { reportSubmitted } from './submitted';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { checkParams } from '../contract/jobOptions';
import { correlationMatrix } from '../core/charts/correlationMatrix';
import { errorBarrierChart } from '../core/charts/errorBarrier';
import { kernelVelocity } from '../core/charts/kernelVelocity';
import { renderSvg } from '../core/charts/render';
import { EL2N_GRID_DEFAULTS, runEl2nGrid } from '../core/experiments/el2nGrid';
import { BARRIER_SETS, ERROR_BARRIER_DEFAULTS, runErrorBarrier, type BarrierPoint } from '../core/experiments/errorBarrier';
import { KERNEL_VELOCITY_DEFAULTS, runKernelVelocity, type VelocityRow } from '../core/experiments/kernelVelocity';
import { writeFileAtomic, writeJsonAtomic } from '../core/store/atomicWrite';
import type { RunManifest } from '../contract/runManifest';
import type { CliHelpers } from './cliHelpers';
import { addJobOptions, paramsFromFlags } from './specOptions';

/**
 * Training-dynamics and transfer commands: `datadiet velocity` (NTK kernel velocity along the sorted scores),
 * `datadiet barrier` (linear-mode-connectivity error barrier vs spawn time), `datadiet el2n-grid` (EL2N averaged
 * over a hyperparameter grid). Each writes its table in a new run folder and the chart next to it (Vega-Lite spec
 * and SVG). Transfer pruning is `datadiet prune --scores <run of model A> --model <B>`. The options of each come
 * from its job's metadata (contract/jobOptions.ts).
 */


interface Common {
  readonly root: string;
  readonly json?: boolean;
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

export function registerDynamicsCommands(program: Command, h: CliHelpers): void {
  addJobOptions(
    program.command('velocity').description('NTK kernel velocity: windows of score-sorted examples, cosine distance of their logit-NTK Grams between epochs t and t+1'),
    'kernel-velocity',
    { ...KERNEL_VELOCITY_DEFAULTS, dataset: 'mnist' },
  )
    .action(async (flags: Common) => {
      const config = checkParams('kernel-velocity', paramsFromFlags('kernel-velocity', flags));
      const { manifest: m, runDir } = await h.runWithProgress((ctx, opts) => runKernelVelocity(config, ctx, opts), flags.root, flags);
      if (reportSubmitted(m, flags, process.stdout)) return;
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

  addJobOptions(
    program.command('barrier').description('linear-mode connectivity: error barrier between children spawned at several times, on the highest/lowest/random score subsets'),
    'error-barrier',
    { ...ERROR_BARRIER_DEFAULTS, dataset: 'mnist' },
  )
    .action(async (flags: Common) => {
      const config = checkParams('error-barrier', paramsFromFlags('error-barrier', flags));
      const { manifest: m, runDir } = await h.runWithProgress((ctx, opts) => runErrorBarrier(config, ctx, opts), flags.root, flags);
      if (reportSubmitted(m, flags, process.stdout)) return;
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

  addJobOptions(
    program.command('el2n-grid').description('EL2N averaged over a learning rate x batch size x width grid; Spearman between grid points. The result is a score run: prune with it'),
    'el2n-grid',
    { ...EL2N_GRID_DEFAULTS, dataset: 'mnist' },
  )
    .action(async (flags: Common) => {
      const config = checkParams('el2n-grid', paramsFromFlags('el2n-grid', flags));
      const { manifest: m, runDir } = await h.runWithProgress((ctx, opts) => runEl2nGrid(config, ctx, opts), flags.root, flags);
      if (reportSubmitted(m, flags, process.stdout)) return;
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
