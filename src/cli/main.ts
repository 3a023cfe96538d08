import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice } from '../core/compute/backend';
import type { JobProgress } from '../core/experiments/job';
import { PRUNE_DEFAULTS, runPruneSweep, type PrunePoint } from '../core/experiments/pruneSweep';
import { STRATEGY_NAMES, type StrategyName } from '../core/select/selection';
import { runWindowSweep, WINDOW_DEFAULTS, type WindowPoint } from '../core/experiments/windowSweep';
import { runScores, SCORE_DEFAULTS, SCORE_NAMES, type ScoreName, type ScoreRunConfig } from '../core/experiments/scoreRun';
import { runTraining, TRAIN_DEFAULTS, type TrainRunConfig } from '../core/experiments/trainRun';
import { ARCHITECTURES } from '../core/models/registry';
import type { Architecture } from '../core/models/model';
import type { RunManifest } from '../core/store/runManifest';
import { listRuns, runsDir } from '../core/store/runStore';
import { datadietVersion } from '../core/versions';
import { makeProgressPrinter } from './progress';
import { addExecutionOptions, executionFromFlags } from './specOptions';
import { unitCountsText } from './unitsText';
import { registerUnitCommands } from './unitCommands';
import { runUnits, settleVanishedSlurmRun, waitForRun } from '../core/jobs/runControl';
import type { StartOptions } from '../core/jobs/runner';
import { printable } from './printable';
import { addRunActions } from './runsCommands';
import { registerAnnotationCommands } from './suspectsCommand';
import { registerAnalyzeCommands } from './analyzeCommand';
import { registerDynamicsCommands } from './dynamicsCommands';

function num(name: string, check: (n: number) => boolean, hint: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`${name} must be ${hint}, got "${value}"`);
    return n;
  };
}
const positiveInt = (name: string) => num(name, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
const nonNegInt = (name: string) => num(name, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
const positive = (name: string) => num(name, (n) => n > 0, 'a positive number');
const nonNeg = (name: string) => num(name, (n) => n >= 0, 'a non-negative number');

function fractions(value: string): number[] {
  const parts = value.split(',').filter((s) => s.trim() !== '').map(Number);
  if (parts.length === 0 || parts.some((p) => !(p > 0 && p < 1))) throw new InvalidArgumentError(`expected fractions in (0,1) separated by commas, got "${value}"`);
  return parts;
}

interface TrainFlags {
  dataset: string;
  model: Architecture;
  width: number;
  epochs: number;
  steps?: number;
  batchSize: number;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  milestones: number[];
  gamma: number;
  seed: number;
  dataSeed?: number;
  validation: number;
  augment: 'auto' | 'on' | 'off';
  backend: BackendChoice;
  threads?: number;
  subset?: number;
  annotations?: string;
  root: string;
  json?: boolean;
}

function addTrainOptions(cmd: Command, defaults: Partial<TrainRunConfig> & { dataset: string }, base: Omit<TrainRunConfig, 'dataset'> = TRAIN_DEFAULTS): Command {
  const d = { ...base, ...defaults };
  addExecutionOptions(cmd);
  return cmd
    .option('-d, --dataset <spec>', 'mnist | fashion-mnist | cifar10:<dir> | cifar100:<dir> | idx:<dir> | folder:<dir> | csv:<file> | jsonl:<file> | <path>', d.dataset)
    .addOption(new Option('-m, --model <arch>', 'model architecture').choices(ARCHITECTURES as string[]).default(d.model))
    .option('-w, --width <x>', 'channel width multiplier (0.25 = a quarter of the channels)', positive('--width'), d.width)
    .option('-e, --epochs <n>', 'epochs of the full training split (sets the iteration budget)', positive('--epochs'), d.epochs)
    .option('--steps <n>', 'explicit iteration budget (overrides --epochs)', positiveInt('--steps'))
    .option('-b, --batch-size <n>', 'minibatch size', positiveInt('--batch-size'), d.batchSize)
    .option('--lr <x>', 'initial learning rate', positive('--lr'), d.lr)
    .option('--momentum <x>', 'SGD momentum', nonNeg('--momentum'), d.momentum)
    .option('--no-nesterov', 'plain momentum instead of Nesterov')
    .option('--weight-decay <x>', 'L2 weight decay', nonNeg('--weight-decay'), d.weightDecay)
    .option('--milestones <fractions>', 'fractions of the budget where the lr is multiplied by --gamma', fractions, [...d.milestones])
    .option('--gamma <x>', 'learning-rate decay factor at milestones', positive('--gamma'), d.gamma)
    .option('-s, --seed <n>', 'root seed: initialization, data order, split, subset, noise and random baselines each draw from their own stream of it (docs/randomness.md)', nonNegInt('--seed'), d.seed)
    .option('--data-seed <n>', 'vary data order and augmentation alone: draw them from this root seed (default: --seed)', nonNegInt('--data-seed'))
    .option('--validation <n>', 'held-out validation examples (count >= 1, or a fraction < 1; 0 = none)', nonNeg('--validation'), d.validation)
    .addOption(new Option('--augment <mode>', 'pad-4 crop + flip augmentation (auto: on for colour images)').choices(['auto', 'on', 'off']).default('auto'))
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKEND_CHOICES as unknown as string[]).default(d.backend))
    .option('--threads <n>', 'wasm threads', positiveInt('--threads'))
    .option('--subset <n>', 'train on a seeded random subset of n examples', positiveInt('--subset'))
    .option('--annotations <file>', 'apply label corrections and exclusions from an annotations.jsonl')
    .option('--root <dir>', 'where .datadiet/runs lives', process.cwd())
    .option('--json', 'print the final run manifest as JSON');
}

function toConfig(f: TrainFlags): Partial<TrainRunConfig> & { dataset: string } {
  return {
    dataset: f.dataset,
    model: f.model,
    width: f.width,
    epochs: f.epochs,
    steps: f.steps,
    batchSize: f.batchSize,
    lr: f.lr,
    momentum: f.momentum,
    nesterov: f.nesterov,
    weightDecay: f.weightDecay,
    milestones: f.milestones,
    gamma: f.gamma,
    seed: f.seed,
    dataSeed: f.dataSeed,
    validation: f.validation,
    augment: f.augment === 'auto' ? 'auto' : f.augment === 'on',
    backend: f.backend,
    threads: f.threads,
    trainSubset: f.subset,
    annotations: f.annotations,
  };
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
  if (m.model) out.write(`  model           ${m.model.arch} x${m.model.width}, ${m.model.params.toLocaleString('en-US')} parameters\n`);
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

function scoreList(value: string): ScoreName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(SCORE_NAMES as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new InvalidArgumentError(`unknown score "${bad.join(',') || value}"; choose from ${SCORE_NAMES.join(', ')}`);
  return names as ScoreName[];
}

/**
 * Runs a job with Ctrl-C cancellation and progress on stderr; returns the final manifest. A run submitted to Slurm
 * returns at once (status running) unless --wait, which follows its units until the merge job finishes it.
 */
async function runWithProgress(job: (ctx: { root: string; signal: AbortSignal; onProgress: (p: JobProgress) => void }, opts: StartOptions) => Promise<RunManifest>, root: string, flags: Record<string, unknown> = {}): Promise<{ manifest: RunManifest; runDir: string }> {
  const execution = executionFromFlags(flags);
  const abort = cancelOnSigint();
  const printer = makeProgressPrinter(process.stderr, Boolean(process.stderr.isTTY));
  let runDir = '';
  let manifest = await job(
    {
      root: path.resolve(root),
      signal: abort.signal,
      onProgress: (p: JobProgress) => {
        if (!runDir && p.runDir) {
          runDir = p.runDir;
          process.stderr.write(`run directory: ${printable(runDir)}\n`);
        }
        printer({ ...p, message: printable(p.message) });
      },
    },
    { execution },
  );
  runDir ||= path.join(runsDir(path.resolve(root)), manifest.id);
  if (manifest.status === 'running' && manifest.execution?.executor === 'slurm' && flags.wait) {
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

/** A run handed to Slurm and not waited for: where it is and how to follow it. */
function submitted(m: RunManifest, out: NodeJS.WritableStream): number {
  const s = m.execution?.slurm;
  out.write(`run ${m.id}: submitted to Slurm: array job ${s?.arrayJobId} (${s?.units.length} units), merge job ${s?.mergeJobId}\n`);
  out.write(`  follow it with   datadiet runs show ${m.id}\n  cancel it with   datadiet runs cancel ${m.id}\n`);
  return 0;
}

const isSubmitted = (m: RunManifest) => m.status === 'running' && m.execution?.executor === 'slurm';
const exitCode = (m: RunManifest) => (m.status === 'done' ? 0 : m.status === 'cancelled' ? 130 : 1);

async function score(flags: ScoreFlags, out: NodeJS.WriteStream): Promise<number> {
  const config: Partial<ScoreRunConfig> & { dataset: string } = {
    ...toConfig(flags),
    scores: flags.score,
    scoreEpoch: flags.epoch,
    runs: flags.runs,
    norm: flags.norm,
    subset: flags.params,
    convMethod: flags.convMethod,
    scoreBatch: flags.scoreBatch,
    csv: Boolean(flags.csv),
    labelNoise: flags.labelNoise,
    noiseSeed: flags.noiseSeed,
  };
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runScores(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (isSubmitted(m) && !flags.json) return submitted(m, out);
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
    out.write(`  ${r.examples.toLocaleString('en-US')} examples, ${r.runs} run(s), epoch ${flags.epoch}, backend ${m.backend?.device ?? '?'}\n`);
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

function strategyList(value: string): StrategyName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(STRATEGY_NAMES as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new InvalidArgumentError(`unknown strategy "${bad.join(',') || value}"; choose from ${STRATEGY_NAMES.join(', ')}`);
  return names as StrategyName[];
}

async function prune(flags: PruneFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = { ...toConfig(flags), scoresFrom: flags.scores, score: flags.score, strategies: flags.strategies, fractions: flags.fractions, seeds: flags.seeds, classBalanced: Boolean(flags.classBalanced) };
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runPruneSweep(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (isSubmitted(m) && !flags.json) return submitted(m, out);
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
  return exitCode(m);
}

interface WindowFlags extends TrainFlags {
  scores: string;
  score: string;
  size: number;
  offsets: number[];
  seeds: number;
}

async function windowSweep(flags: WindowFlags, out: NodeJS.WriteStream): Promise<number> {
  const config = { ...toConfig(flags), scoresFrom: flags.scores, score: flags.score, size: flags.size, offsets: flags.offsets, seeds: flags.seeds };
  const { manifest: m, runDir } = await runWithProgress((ctx, opts) => runWindowSweep(config, ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (isSubmitted(m) && !flags.json) return submitted(m, out);
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
  return exitCode(m);
}

async function train(flags: TrainFlags, out: NodeJS.WriteStream): Promise<number> {
  const { manifest, runDir } = await runWithProgress((ctx, opts) => runTraining(toConfig(flags), ctx, opts), flags.root, flags as unknown as Record<string, unknown>);
  if (isSubmitted(manifest) && !flags.json) return submitted(manifest, out);
  if (flags.json) out.write(JSON.stringify(manifest, null, 2) + '\n');
  else {
    summary(manifest, out);
    out.write(`  run directory   ${runDir}\n`);
  }
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

  addTrainOptions(
    program.command('score').description('score every training example (EL2N, GraNd, forgetting, ...), averaged over K runs'),
    { dataset: 'mnist' },
    SCORE_DEFAULTS,
  )
    .option('--score <names>', `comma-separated: ${SCORE_NAMES.join(', ')}`, scoreList, [...SCORE_DEFAULTS.scores])
    .option('--epoch <t>', 'epoch at which scores are taken (0 = initialization)', nonNegInt('--epoch'), SCORE_DEFAULTS.scoreEpoch)
    .option('--runs <k>', 'independent runs to average', positiveInt('--runs'), SCORE_DEFAULTS.runs)
    .addOption(new Option('--norm <kind>', 'gradmag: norm of the per-example gradient').choices(['l1', 'l2', 'linf']).default(SCORE_DEFAULTS.norm))
    .addOption(new Option('--params <subset>', 'gradmag: parameters the norm runs over').choices(['all', 'weights', 'biases', 'last-layer']).default(SCORE_DEFAULTS.subset))
    .addOption(new Option('--conv-method <m>', 'exact per-example conv gradients: materialized, ghost norm, or the cheaper per layer').choices(['auto', 'direct', 'ghost']).default(SCORE_DEFAULTS.convMethod))
    .option('--score-batch <n>', 'examples per per-example-gradient chunk', positiveInt('--score-batch'), SCORE_DEFAULTS.scoreBatch)
    .option('--csv', 'also write CSV tables')
    .option('--label-noise <fraction>', 'noise study: permute the labels of this fraction of the training examples, then report how well each score finds them', num('--label-noise', (n) => n >= 0 && n < 1, 'a fraction in [0, 1)'), 0)
    .option('--noise-seed <n>', 'which noise draw: other noise on the same --seed\'s split and subset', nonNegInt('--noise-seed'), 0)
    .action(async (flags: ScoreFlags) => {
      process.exitCode = await score(flags, process.stdout);
    });

  addTrainOptions(
    program.command('prune').description('prune sweep: retrain on kept subsets (same iteration budget as full data) per fraction x strategy x seed'),
    { dataset: 'mnist' },
    PRUNE_DEFAULTS,
  )
    .requiredOption('--scores <run>', 'id or folder of a score run on the same dataset')
    .option('--score <name>', 'score table to prune by', PRUNE_DEFAULTS.score)
    .option('--strategies <names>', `comma-separated: ${STRATEGY_NAMES.join(', ')}`, strategyList, [...PRUNE_DEFAULTS.strategies])
    .option('--fractions <list>', 'fractions of the training set pruned', fractions, [...PRUNE_DEFAULTS.fractions])
    .option('--seeds <n>', 'independent repeats per point (each retraining and random draw has its own stream)', positiveInt('--seeds'), PRUNE_DEFAULTS.seeds)
    .option('--class-balanced', 'apply each strategy within every class')
    .action(async (flags: PruneFlags) => {
      process.exitCode = await prune(flags, process.stdout);
    });

  addTrainOptions(
    program.command('window').description('sliding-window sweep: keep a window of the score-sorted examples at several offsets; best window picked on validation'),
    { dataset: 'mnist' },
    WINDOW_DEFAULTS,
  )
    .requiredOption('--scores <run>', 'id or folder of a score run on the same dataset')
    .option('--score <name>', 'score table to sort by', WINDOW_DEFAULTS.score)
    .option('--size <n>', 'window size: fraction (< 1) or count of the training examples', positive('--size'), WINDOW_DEFAULTS.size)
    .option('--offsets <list>', 'offsets as fractions of the training examples', (v: string) => v.split(',').map((x) => num('--offsets', (n) => n >= 0 && n < 1, 'fractions in [0, 1)')(x)), [...WINDOW_DEFAULTS.offsets])
    .option('--seeds <n>', 'independent repeats per window', positiveInt('--seeds'), WINDOW_DEFAULTS.seeds)
    .action(async (flags: WindowFlags) => {
      process.exitCode = await windowSweep(flags, process.stdout);
    });

  registerAnalyzeCommands(program, { addTrainOptions, toConfig, runWithProgress });
  registerDynamicsCommands(program, { addTrainOptions, toConfig, runWithProgress });

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
      for (const r of runs) {
        if (!r.manifest) {
          process.stdout.write(printable(`${path.basename(r.dir)}  unreadable: ${r.problem}`) + '\n');
          continue;
        }
        let m = r.manifest;
        // Units, and for a run on Slurm what squeue says of them (a run whose jobs vanished is settled here).
        const units = m.unitsTotal !== undefined && m.unitsTotal > 1 ? await runUnits(r.dir, m) : undefined;
        if (units) m = settleVanishedSlurmRun(r.dir, m, units);
        const acc = (m.results as { testAccuracy?: number } | undefined)?.testAccuracy;
        const cols = [
          m.id,
          m.status.padEnd(9),
          (m.dataset?.name ?? String(m.config.dataset ?? '')).padEnd(16),
          (m.model ? `${m.model.arch}x${m.model.width}` : '').padEnd(14),
          acc === undefined ? '' : `test ${(100 * acc).toFixed(2)}%`,
          units && m.status !== 'done' ? `[${m.execution?.executor === 'slurm' ? `Slurm ${m.execution.slurm?.arrayJobId}: ` : ''}${unitCountsText(units)}]` : '',
          m.error ? `(${m.error})` : '',
        ];
        process.stdout.write(printable(cols.filter(Boolean).join('  ').trimEnd()) + '\n');
      }
    });
  addRunActions(runsCommand);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`datadiet: ${printable((e as Error).message)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
