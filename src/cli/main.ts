import { plural } from '../core/plural';
import { exitCode } from './exitCode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import type { JobProgress } from '../contract/jobProgress';
import { PRUNE_DEFAULTS, runPruneSweep, type PrunePoint } from '../core/experiments/pruneSweep';
import { type StrategyName } from '../core/select/selection';
import { runWindowSweep, WINDOW_DEFAULTS, type WindowPoint } from '../core/experiments/windowSweep';
import { runScores, SCORE_DEFAULTS, type ScoreName } from '../core/experiments/scoreRun';
import { AUDIT_DEFAULTS, runAudit } from '../core/experiments/labelAudit';
import { auditSummaryLines } from '../core/labelErrors/auditSummary';
import { runTraining, TRAIN_DEFAULTS, type TrainRunConfig } from '../core/experiments/trainRun';
import { writeRunChartSvgs } from '../core/notebook/runChartFiles';
import { isOnSlurm, type RunManifest } from '../contract/runManifest';
import { listRuns, runsDir } from '../core/store/runStore';
import { datadietVersion } from '../core/versions';
import { makeProgressPrinter } from './progress';
import { addJobOptions, executionFromFlags, paramsFromFlags } from './specOptions';
import { checkParams, type JobInput } from '../contract/jobOptions';
import { unitCountsText } from './unitsText';
import { reportSubmitted } from './submitted';
import { registerUnitCommands } from './unitCommands';
import { runUnits, settleVanishedSlurmRun, waitForRun } from '../core/jobs/runControl';
import type { StartOptions } from '../core/jobs/runner';
import { printable } from './printable';
import { addRunActions } from './runsCommands';
import { runsListLines, type RunsListEntry } from './runsList';
import { modelText } from './runSummary';
import { registerAnnotationCommands } from './suspectsCommand';
import { registerAnalyzeCommands } from './analyzeCommand';
import { pruneReport, windowReport, type SweepReport } from './sweepReport';
import { registerDynamicsCommands } from './dynamicsCommands';
import { registerImportCommands } from './importCommands';
import { registerDuplicatesCommand } from './duplicatesCommand';

interface TrainFlags {
  readonly root: string;
  readonly json?: boolean;
  readonly model: string;
  readonly width: number;
}

/**
 * The training options of a command, generated from the train job's metadata (contract/jobOptions.ts) with these
 * defaults; analyses that train (analyzeCommand.ts, dynamicsCommands.ts) add theirs to it.
 */
function addTrainOptions(cmd: Command, defaults: Partial<TrainRunConfig> & { dataset: string }, base: Omit<TrainRunConfig, 'dataset'> = TRAIN_DEFAULTS): Command {
  return addJobOptions(cmd, 'train', { ...base, ...defaults });
}

/** The training parameters from a command's flags. */
function toConfig(flags: object): JobInput<'train'> {
  return checkParams('train', paramsFromFlags('train', flags));
}

/** Ctrl-C once: stop after the current batch and keep a `cancelled` run. Twice: quit now. */
function cancelOnSigint(): AbortController {
  const abort = new AbortController();
  process.on('SIGINT', () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after this batch (Ctrl-C again to quit now)...\n');
    abort.abort();
  });
  process.on('SIGTERM', () => abort.abort());
  return abort;
}

function summary(m: RunManifest, out: NodeJS.WritableStream): void {
  const r = (m.results ?? {}) as Record<string, number | undefined>;
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(2)}%`);
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
  out.write(`  test accuracy   ${pct(r.testAccuracy)}\n`);
  if (r.valAccuracy !== undefined) out.write(`  val accuracy    ${pct(r.valAccuracy)}\n`);
  if (r.trainExamplesPerSecond !== undefined) out.write(`  training speed  ${Math.round(r.trainExamplesPerSecond)} examples/s\n`);
  if (m.backend) out.write(`  backend         ${m.backend.device} (${m.backend.reason})\n`);
  if (m.model) out.write(`  model           ${modelText(m.model)}\n`);
  if (m.timings.totalSeconds !== undefined) out.write(`  wall time       ${m.timings.totalSeconds.toFixed(1)} s\n`);
}

interface ScoreFlags extends TrainFlags {
  score: ScoreName[];
  epoch: number;
  runs: number;
  norm: 'l1' | 'l2' | 'linf';
  params: 'all' | 'weights' | 'biases' | 'last-layer';
  convMethod: 'auto' | 'direct' | 'ghost';
  scoreBatch: number;
  csv?: boolean;
  labelNoise: number;
  noiseSeed: number;
}

/**
 * Runs a job with Ctrl-C cancellation and progress on stderr; returns the final manifest. A run submitted to Slurm
 * returns at once (status running) unless --wait, which follows its units until the merge job finishes it.
 */
async function runWithProgress(job: (ctx: { root: string; signal: AbortSignal; onProgress: (p: JobProgress) => void }, opts: StartOptions) => Promise<RunManifest>, root: string, flags: object = {}): Promise<{ manifest: RunManifest; runDir: string }> {
  const execution = executionFromFlags(flags);
  const abort = cancelOnSigint();
  const printer = makeProgressPrinter(process.stderr, Boolean(process.stderr.isTTY));
  let runDir = '';
  let manifest = await job(
    {
      root: path.resolve(root),
      signal: abort.signal,
      onProgress: (p: JobProgress) => {
        // Named once work starts: a run refused while loading (bad path, bad file) leaves no folder to point at.
        if (!runDir && p.runDir && p.phase !== 'backend' && p.phase !== 'load') {
          runDir = p.runDir;
          process.stderr.write(`run directory: ${printable(runDir)}\n`);
        }
        printer({ ...p, message: printable(p.message) });
      },
    },
    { execution },
  );
  runDir ||= path.join(runsDir(path.resolve(root)), manifest.id);
  if (isOnSlurm(manifest) && 'wait' in flags && flags.wait) {
    let last = '';
    manifest = await waitForRun(runDir, {
      signal: abort.signal,
      onUnits: (u) => {
        const line = unitCountsText(u);
        if (line !== last) process.stderr.write(`${line}\n`);
        last = line;
      },
    });
  }
  return { manifest, runDir };
}



async function score(flags: ScoreFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = checkParams('score', paramsFromFlags('score', flags));
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runScores(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (reportSubmitted(m, flags, out)) return 0;
  if (flags.json) {
    out.write(JSON.stringify(m, null, 2) + '\n');
    return exitCode(m);
  }
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
  const r = m.results as
    | {
        runs: number;
        examples: number;
        stability: Record<string, number[]>;
        examplesPerSecond: Record<string, number>;
        correlations?: { names: string[]; matrix: number[][] };
        detection?: Record<string, { auroc: number; averagePrecision: number; precisionAt: Record<string, number> }>;
      }
    | undefined;
  if (r) {
    out.write(`  ${r.examples.toLocaleString('en-US')} examples, ${plural(r.runs, 'run')}, epoch ${flags.epoch}, backend ${m.backend?.device ?? '?'}\n`);
    for (const name of Object.keys(r.stability)) {
      const st = r.stability[name];
      const speed = r.examplesPerSecond[name];
      out.write(`  ${name.padEnd(13)} ${speed ? `${Math.round(speed)} examples/s` : 'from training dynamics'}; Spearman of 1-run mean with ${r.runs}-run mean ${st[0]?.toFixed(3) ?? 'n/a'}\n`);
    }
    if (r.detection) {
      out.write(`  finding the ${flags.labelNoise * 100}% injected noisy labels (higher score = more suspicious):\n`);
      for (const [name, d] of Object.entries(r.detection)) {
        const pk = Object.entries(d.precisionAt).map(([k, v]) => `P@${k} ${v.toFixed(3)}`).join(', ');
        out.write(`    ${name.padEnd(13)} AUROC ${d.auroc.toFixed(3)}, AP ${d.averagePrecision.toFixed(3)}, ${pk}\n`);
      }
    }
    if (r.correlations) {
      out.write(`  Spearman between scores:\n`);
      r.correlations.names.forEach((a, i) => out.write(`    ${a.padEnd(13)} ${r.correlations!.matrix[i].map((v) => v.toFixed(3).padStart(7)).join(' ')}\n`));
    }
  }
  out.write(`  scores          ${runDir}/scores/<name>.parquet and .npy${flags.csv ? ' and .csv' : ''}\n`);
  out.write(`  predictions     ${runDir}/predictions/probabilities.npy (N x classes) and softmax.parquet\n`);
  return exitCode(m);
}

/** `datadiet audit`: cross-validated predictions of every audited row, then confident learning; a summary of both. */
async function audit(flags: TrainFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = checkParams('audit', paramsFromFlags('audit', flags));
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runAudit(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (reportSubmitted(m, flags, out)) return 0;
  if (flags.json) {
    out.write(JSON.stringify(m, null, 2) + '\n');
    return exitCode(m);
  }
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
  for (const line of auditSummaryLines(m, runDir, m.dataset?.classNames)) out.write(printable(line) + '\n');
  return exitCode(m);
}

interface PruneFlags extends TrainFlags {
  scores: string;
  score: string;
  strategies: StrategyName[];
  fractions: number[];
  seeds: number;
  classBalanced?: boolean;
}

async function prune(flags: PruneFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = checkParams('prune', paramsFromFlags('prune', flags));
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runPruneSweep(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (reportSubmitted(m, flags, out)) return 0;
  if (flags.json) {
    out.write(JSON.stringify(m, null, 2) + '\n');
    return exitCode(m);
  }
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
  const r = m.results as { summary?: Omit<PrunePoint, 'accuracies'>[]; scoresModel?: { arch: string; width: number } } | undefined;
  if (r?.scoresModel && (r.scoresModel.arch !== flags.model || r.scoresModel.width !== flags.width)) out.write(`  transfer: scores from ${r.scoresModel.arch} x${r.scoresModel.width}, retrained ${flags.model} x${flags.width}\n`);
  out.write(`  test accuracy, mean [16th-84th percentile] over ${flags.seeds} repeat(s):\n`);
  const summary = r?.summary ?? [];
  // Noise study: how many corrupted labels each subset kept, against what a random subset of its size keeps.
  const noisy = summary.find((p) => p.strategy === 'full data')?.corruptedKept?.[0];
  const examples = (m.results as { examples?: number } | undefined)?.examples;
  for (const p of summary) {
    const kept = examples === undefined ? undefined : p.strategy === 'full data' ? examples : Math.round((1 - p.fractionPruned) * examples);
    const corrupted =
      noisy !== undefined && p.corruptedKept && kept !== undefined
        ? `  corrupted kept ${p.corruptedKept.join(', ')} of ${noisy} (random expectation ${((kept * noisy) / examples!).toFixed(1)})`
        : '';
    out.write(`  ${p.strategy.padEnd(12)} ${String(Math.round(p.fractionPruned * 100)).padStart(3)}% pruned  ${(100 * p.mean).toFixed(2)}% [${(100 * p.lo).toFixed(2)}, ${(100 * p.hi).toFixed(2)}]${corrupted}\n`);
  }
  out.write(`  table           ${runDir}/prune-sweep.json\n`);
  await printSweepReport(await pruneReport(runDir, classNamesOf(m)), out);
  return exitCode(m);
}

interface WindowFlags extends TrainFlags {
  scores: string;
  score: string;
  size: number;
  offsets: number[];
  seeds: number;
}

/** Class names of a run's dataset, by label (their indices when the dataset has none). */
function classNamesOf(m: RunManifest): string[] {
  const d = m.dataset;
  return d ? Array.from({ length: d.numClasses }, (_, k) => d.classNames?.[k] ?? String(k)) : [];
}

async function printSweepReport(r: SweepReport, out: NodeJS.WritableStream): Promise<void> {
  for (const line of r.lines) out.write(printable(line) + '\n');
  for (const w of r.warnings) process.stderr.write(printable(`warning: ${w}`) + '\n');
}

async function windowSweep(flags: WindowFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = checkParams('window', paramsFromFlags('window', flags));
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runWindowSweep(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (reportSubmitted(m, flags, out)) return 0;
  if (flags.json) {
    out.write(JSON.stringify(m, null, 2) + '\n');
    return exitCode(m);
  }
  out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
  const table = JSON.parse(fs.readFileSync(path.join(runDir, 'window-sweep.json'), 'utf8')) as { points: WindowPoint[]; best?: { offsetFraction: number; valAccuracy: number; testAccuracy: number } };
  for (const p of table.points) {
    out.write(`  offset ${String(Math.round(p.offsetFraction * 100)).padStart(3)}%  val ${(100 * p.valMean).toFixed(2)}%  test ${(100 * p.testMean).toFixed(2)}% [${(100 * p.testLo).toFixed(2)}, ${(100 * p.testHi).toFixed(2)}]${p.corrupted === undefined ? '' : `  noisy labels in window ${p.corrupted}`}\n`);
  }
  if (table.best) out.write(`  best window on validation: offset ${Math.round(table.best.offsetFraction * 100)}%, test accuracy ${(100 * table.best.testAccuracy).toFixed(2)}%\n`);
  out.write(`  table           ${runDir}/window-sweep.json\n`);
  await printSweepReport(await windowReport(runDir, classNamesOf(m)), out);
  return exitCode(m);
}

async function train(flags: TrainFlags, out: NodeJS.WriteStream): Promise<number> {
  const { manifest, runDir } = await runWithProgress((ctx, opts) => runTraining(toConfig(flags), ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (reportSubmitted(manifest, flags, out)) return 0;
  if (flags.json) out.write(JSON.stringify(manifest, null, 2) + '\n');
  else {
    summary(manifest, out);
    out.write(`  run directory   ${runDir}\n`);
  }
  // Cancelled runs too: their curves show how far they got.
  const charts = await writeRunChartSvgs(runDir);
  if (!flags.json) for (const c of charts) out.write(`  chart           ${c}\n`);
  return exitCode(manifest);
}

export function buildProgram(): Command {
  const program = new Command('datadiet')
    .description('Data Diet: find the training examples that matter (EL2N, GraNd, forgetting), prune, retrain.')
    .version(datadietVersion())
    .showHelpAfterError('(run with --help for usage)');

  addTrainOptions(program.command('train').description('train a model and record the run under .datadiet/runs'), { dataset: 'mnist' }).action(
    async (flags: TrainFlags) => {
      process.exitCode = await train(flags, process.stdout);
    },
  );

  addTrainOptions(
    program
      .command('demo')
      .description('train the small CNN on bundled MNIST (1 epoch) and report test accuracy, speed and backend'),
    { dataset: 'mnist', model: 'cnn-small', epochs: 1 },
  ).action(async (flags: TrainFlags) => {
    process.exitCode = await train(flags, process.stdout);
  });

  addJobOptions(program.command('score').description('score every training example (EL2N, GraNd, forgetting, ...), averaged over K runs (one work unit each)'), 'score', { ...SCORE_DEFAULTS, dataset: 'mnist' }).action(
    async (flags: ScoreFlags) => {
      process.exitCode = await score(flags, process.stdout);
    },
  );

  addJobOptions(program.command('audit').description('find label errors: K-fold cross-validated probabilities of every row (train and test splits; one work unit per fold), then confident learning'), 'audit', { ...AUDIT_DEFAULTS, dataset: 'mnist' }).action(
    async (flags: TrainFlags) => {
      process.exitCode = await audit(flags, process.stdout);
    },
  );

  addJobOptions(program.command('prune').description('prune sweep: retrain on kept subsets (same iteration budget as full data) per fraction x strategy x seed, one work unit each'), 'prune', { ...PRUNE_DEFAULTS, dataset: 'mnist' }).action(
    async (flags: PruneFlags) => {
      process.exitCode = await prune(flags, process.stdout);
    },
  );

  addJobOptions(program.command('window').description('sliding-window sweep: keep a window of the score-sorted examples at several offsets; best window picked on validation'), 'window', { ...WINDOW_DEFAULTS, dataset: 'mnist' }).action(
    async (flags: WindowFlags) => {
      process.exitCode = await windowSweep(flags, process.stdout);
    },
  );

  registerAnalyzeCommands(program, { runWithProgress });
  registerDynamicsCommands(program, { runWithProgress });
  registerImportCommands(program, { runWithProgress });
  registerDuplicatesCommand(program, { runWithProgress });

  registerAnnotationCommands(program);
  registerUnitCommands(program);

  const runsCommand = program
    .command('runs')
    .description('list recorded runs, newest first')
    .option('--root <dir>', 'where .datadiet/runs lives', process.cwd())
    .option('--json', 'print as JSON')
    .action(async (flags: { root: string; json?: boolean }) => {
      const runs = listRuns(path.resolve(flags.root));
      if (flags.json) {
        process.stdout.write(JSON.stringify(runs.map((r) => r.manifest ?? { dir: r.dir, problem: r.problem }), null, 2) + '\n');
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs under ${runsDir(path.resolve(flags.root))}\n`);
        return;
      }
      const entries: RunsListEntry[] = [];
      for (const r of runs) {
        let m = r.manifest;
        // Units, and for a run on Slurm what squeue says of them (a run whose jobs vanished is settled here).
        const units = m && m.unitsTotal !== undefined && m.unitsTotal > 1 ? await runUnits(r.dir, m) : undefined;
        if (m && units) m = settleVanishedSlurmRun(r.dir, m, units);
        const unitsText = m && units && m.status !== 'done' ? `${m.execution?.executor === 'slurm' ? `Slurm ${m.execution.slurm?.arrayJobId}: ` : ''}${unitCountsText(units)}` : undefined;
        entries.push({ dir: r.dir, manifest: m, problem: r.problem, units: unitsText });
      }
      for (const line of runsListLines(entries, (d) => path.basename(d))) process.stdout.write(line + '\n');
    });
  addRunActions(runsCommand);
  return program;
}

/**
 * A reader that stops early (`datadiet runs | head -1`) closes the pipe: that is the end of the output, not an
 * error. Later writes are dropped and the command ends quietly, as Unix tools do.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe(process.stdout);
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`datadiet: ${printable((e as Error).message)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
