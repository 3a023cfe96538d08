/**
 * `npm run reproduce`: the papers' headline experiments on MNIST and Fashion-MNIST, end to end, written up as a
 * markdown report with charts (not part of CI: hours on a CPU at full size; `--quick` for a smaller pass).
 *
 *   1. scores: EL2N at epoch t, GraNd at initialization, forgetting over the whole run (K runs each)
 *   2. prune sweep: keep the highest EL2N / GraNd / forgetting scores vs random, pruned fractions x seeds
 *   3. noise study: 10% of labels permuted; how well EL2N (and AUM, forgetting) find them
 *   4. sliding-window sweep over EL2N
 *   5. GraNd at initialization examined: class composition, input norms, K = 10, class-balanced, after an epoch
 *   6. with --dynamics: NTK kernel velocity along the EL2N-sorted data and the linear-mode-connectivity error barrier
 *
 * The report opens with the headline numbers the papers lead us to expect (EL2N at 50% pruned within 0.3 points
 * of full data, above random at high pruning, AUROC >= 0.95 for 10% noise), as measured, whatever they are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPruneSweep, type PrunePoint } from '../src/core/experiments/pruneSweep';
import { runScores } from '../src/core/experiments/scoreRun';
import { runWindowSweep, type WindowPoint } from '../src/core/experiments/windowSweep';
import type { JobProgress } from '../src/core/experiments/job';
import type { RunManifest } from '../src/core/store/runManifest';
import { pruningCurve } from '../src/core/charts/pruningCurve';
import { windowSweep } from '../src/core/charts/windowSweep';
import { renderSvg } from '../src/core/charts/render';
import { scoreHistogram } from '../src/core/charts/scoreHistogram';
import { kernelVelocity } from '../src/core/charts/kernelVelocity';
import { errorBarrierChart } from '../src/core/charts/errorBarrier';
import { runKernelVelocity, type VelocityRow } from '../src/core/experiments/kernelVelocity';
import { BARRIER_SETS, runErrorBarrier, type BarrierPoint } from '../src/core/experiments/errorBarrier';
import { readScoreTable, scoresDir } from '../src/core/store/scoreFiles';
import { SEED_SCHEME } from '../src/core/randomStreams';
import { grandAtInitSection } from './grandAtInit';
import { finishedRuns } from './finishedRuns';

interface Options {
  datasets: string[];
  subset?: number;
  seeds: number;
  runs: number;
  epochs: number;
  scoreEpoch: number;
  fractions: number[];
  root: string;
  out: string;
  dynamics: boolean;
  /** Window sweep: offsets (fractions) and seeds per window. */
  offsets: number[];
  windowSeeds: number;
}

function parse(argv: string[]): Options {
  const o: Options = { datasets: ['mnist', 'fashion-mnist'], seeds: 4, runs: 4, epochs: 4, scoreEpoch: 1, fractions: [0.3, 0.5, 0.7, 0.8], root: 'reproduction', out: 'reproduction/REPORT.md', dynamics: false, offsets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], windowSeeds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--quick') Object.assign(o, { subset: 6000, seeds: 2, runs: 2, epochs: 2, fractions: [0.5, 0.8], offsets: [0, 0.2, 0.4, 0.6], windowSeeds: 1 });
    else if (k === '--datasets') (o.datasets = v.split(',')), i++;
    else if (k === '--subset') (o.subset = Number(v)), i++;
    else if (k === '--seeds') (o.seeds = Number(v)), i++;
    else if (k === '--runs') (o.runs = Number(v)), i++;
    else if (k === '--epochs') (o.epochs = Number(v)), i++;
    else if (k === '--score-epoch') (o.scoreEpoch = Number(v)), i++;
    else if (k === '--root') (o.root = v), i++;
    else if (k === '--out') (o.out = v), i++;
    else if (k === '--dynamics') o.dynamics = true;
    else {
      process.stdout.write('usage: npm run reproduce -- [--quick] [--datasets mnist,fashion-mnist] [--subset N] [--seeds 4] [--runs 4] [--epochs 4] [--score-epoch 1] [--root reproduction] [--out reproduction/REPORT.md] [--dynamics]\n');
      process.exit(k === '--help' ? 0 : 2);
    }
  }
  return o;
}

const log = (p: JobProgress) => {
  if (p.phase !== 'train' && p.phase !== 'score') process.stderr.write(`  ${p.message}\n`);
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const runDir = (root: string, id: string) => path.join(root, '.datadiet', 'runs', id);
const readTable = <T>(root: string, id: string, file: string): T => JSON.parse(fs.readFileSync(path.join(runDir(root, id), file), 'utf8')) as T;

/** What the closing note quotes, per dataset. */
interface Headline {
  dataset: string;
  full?: { mean: number; lo: number; hi: number };
  at: { strategy: string; fraction: number; mean: number; lo: number; hi: number }[];
  auroc?: number;
  averagePrecision?: number;
}

function headlineLines(h: Headline[]): string[] {
  const out = ['## Headline numbers', '', '| dataset | full data | EL2N 50% pruned | random 50% pruned | EL2N 80% pruned | random 80% pruned | EL2N AUROC, 10% noise |', '|---|---|---|---|---|---|---|'];
  const cell = (x?: { mean: number; lo: number; hi: number }) => (x ? `${pct(x.mean)} [${pct(x.lo)}, ${pct(x.hi)}]` : 'n/a');
  for (const d of h) {
    const at = (strategy: string, fraction: number) => d.at.find((p) => p.strategy === strategy && Math.abs(p.fraction - fraction) < 1e-9);
    out.push(`| ${d.dataset} | ${cell(d.full)} | ${cell(at('keep-top', 0.5))} | ${cell(at('random', 0.5))} | ${cell(at('keep-top', 0.8))} | ${cell(at('random', 0.8))} | ${d.auroc === undefined ? 'n/a' : d.auroc.toFixed(3)} |`);
  }
  out.push('', 'Test accuracy: mean over seeds [16th, 84th percentile]. Expected from the papers: EL2N at 50% within 0.3 points of full data, above random at high pruning, AUROC >= 0.95.', '');
  return out;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const ctx = { root: path.resolve(o.root), onProgress: log };
  // A stopped reproduction continues: requests that finished in this root are not run again.
  const once = finishedRuns(ctx.root);
  // Small subsets get small batches, so a 2-epoch budget is still a few hundred SGD steps.
  const batchSize = o.subset && o.subset < 20_000 ? 32 : 128;
  // Linear scaling rule: the default lr 0.05 is for batch 128; at batch 32 it collapsed some short runs to chance.
  const lr = (0.05 * batchSize) / 128;
  const common = { model: 'cnn-small' as const, width: 1, epochs: o.epochs, trainSubset: o.subset, batchSize, lr };
  const headlines: Headline[] = [];
  const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
  const intro = () => [
    `# Data Diet reproduction`,
    '',
    `${new Date().toISOString()}; cnn-small, batch ${batchSize}, lr ${lr}, ${o.epochs} epochs budget, ${o.runs} scoring runs, ${o.seeds} seeds per point${o.subset ? `, ${o.subset}-example training subset` : ''}; ` +
      `random streams of seed scheme ${SEED_SCHEME} (docs/randomness.md); ${cpu}; ${(once.seconds() / 60).toFixed(0)} minutes of runs. ` +
      `Generated by \`node dist/reproduce.js ${process.argv.slice(2).join(' ')}\`; nothing in this file is edited by hand.`,
    '',
  ];
  const lines: string[] = [];
  const write = () => fs.writeFileSync(o.out, [...intro(), ...headlineLines(headlines), ...lines].join('\n') + '\n');
  for (const dataset of o.datasets) {
    process.stderr.write(`\n== ${dataset}\n`);
    const head: Headline = { dataset, at: [] };
    headlines.push(head);
    const score = (scores: string[], scoreEpoch: number, extra: object = {}): Promise<RunManifest> =>
      once('score', { ...common, dataset, scores: scores as never, scoreEpoch, runs: o.runs, ...extra }, (r) => runScores(r, ctx));
    const el2n = await score(['el2n'], o.scoreEpoch);
    const grand = await score(['grand'], 0);
    const forgetting = await score(['forgetting'], o.epochs);
    const sweeps: { name: string; run: RunManifest; score: string; strategies: ('keep-top' | 'random')[] }[] = [
      { name: `EL2N (epoch ${o.scoreEpoch})`, run: el2n, score: 'el2n', strategies: ['keep-top', 'random'] },
      { name: 'GraNd (init)', run: grand, score: 'grand', strategies: ['keep-top'] },
      { name: `forgetting (epoch ${o.epochs})`, run: forgetting, score: 'forgetting', strategies: ['keep-top'] },
    ];
    const series: { name: string; points: { fractionPruned: number; accuracies: number[] }[] }[] = [];
    const summaries = new Map<string, PrunePoint[]>();
    let fullData: number[] = [];
    lines.push(`## ${dataset}`, '', '### Pruning', '', '| score | pruned | test accuracy (mean) | 16th-84th percentile |', '|---|---|---|---|');
    for (const s of sweeps) {
      const m = await once('prune', { ...common, dataset, scoresFrom: s.run.id, score: s.score, strategies: s.strategies, fractions: o.fractions, seeds: o.seeds }, (r) => runPruneSweep(r, ctx));
      const table = JSON.parse(fs.readFileSync(path.join(ctx.root, '.datadiet', 'runs', m.id, 'prune-sweep.json'), 'utf8')) as { summary: PrunePoint[] };
      summaries.set(s.score, table.summary);
      for (const p of table.summary) {
        if (p.strategy === 'full data') {
          fullData = p.accuracies;
          head.full ??= { mean: p.mean, lo: p.lo, hi: p.hi };
          continue;
        }
        if (s.score === 'el2n') head.at.push({ strategy: p.strategy, fraction: p.fractionPruned, mean: p.mean, lo: p.lo, hi: p.hi });
        const name = p.strategy === 'random' ? 'random' : s.name;
        let ser = series.find((x) => x.name === name);
        if (!ser) series.push((ser = { name, points: [] }));
        ser.points.push({ fractionPruned: p.fractionPruned, accuracies: p.accuracies });
        lines.push(`| ${name} | ${Math.round(p.fractionPruned * 100)}% | ${pct(p.mean)} | ${pct(p.lo)} – ${pct(p.hi)} |`);
      }
    }
    const full = fullData.reduce((a, v) => a + v, 0) / Math.max(1, fullData.length);
    lines.push(`| full data | 0% | ${pct(full)} | |`, '');
    const curve = `${dataset}-pruning.svg`;
    fs.writeFileSync(path.join(path.dirname(o.out), curve), await renderSvg(pruningCurve({ series, fullData, title: `${dataset}: pruning` })));
    lines.push(`![pruning curves](${curve})`, '');
    write();
    lines.push(
      ...(await grandAtInitSection({
        dataset,
        ctx,
        once,
        common,
        runs: o.runs,
        seeds: o.seeds,
        fractions: o.fractions,
        scoreEpoch: o.scoreEpoch,
        grandRun: grand,
        grandPoints: (summaries.get('grand') ?? []).filter((p) => p.strategy === 'keep-top'),
        randomPoints: (summaries.get('el2n') ?? []).filter((p) => p.strategy === 'random'),
        full,
      })),
    );
    write();

    const noise = await score(['el2n', 'aum', 'forgetting'], Math.max(1, o.scoreEpoch), { labelNoise: 0.1, noiseSeed: 0, epochs: Math.max(o.epochs, o.scoreEpoch) });
    const det = (noise.results as { detection: Record<string, { auroc: number; averagePrecision: number; precisionAt: Record<string, number> }> }).detection;
    lines.push('### Finding 10% injected label noise', '', '| score | AUROC | average precision | precision@k |', '|---|---|---|---|');
    for (const [name, d] of Object.entries(det)) lines.push(`| ${name} | ${d.auroc.toFixed(3)} | ${d.averagePrecision.toFixed(3)} | ${Object.entries(d.precisionAt).map(([k, v]) => `@${k}: ${v.toFixed(3)}`).join(', ')} |`);
    lines.push('');
    head.auroc = det.el2n?.auroc;
    head.averagePrecision = det.el2n?.averagePrecision;
    // EL2N of clean vs corrupted examples (Data Diet Fig. 14), each group as fractions of its own size.
    const noisy = readScoreTable(scoresDir(runDir(ctx.root, noise.id)), 'el2n');
    if (noisy.extra?.corrupted) {
      const hist = `${dataset}-noise-el2n.svg`;
      fs.writeFileSync(path.join(path.dirname(o.out), hist), await renderSvg(scoreHistogram({ score: `EL2N (epoch ${Math.max(1, o.scoreEpoch)})`, values: noisy.score, groups: { name: 'corrupted', member: noisy.extra.corrupted, rest: 'clean' }, normalize: true, title: `${dataset}: EL2N of clean and corrupted labels` })));
      lines.push(`![EL2N of clean vs corrupted labels](${hist})`, '');
    }

    // The window sweep holds out validation data; scores from a run with the same split cover exactly its examples.
    const el2nVal = await score(['el2n'], o.scoreEpoch, { validation: 0.1 });
    const w = await once('window', { ...common, dataset, scoresFrom: el2nVal.id, score: 'el2n', validation: 0.1, size: 0.4, offsets: o.offsets, seeds: Math.min(o.windowSeeds, o.seeds) }, (r) => runWindowSweep(r, ctx)).catch((e: Error) => e);
    if (w instanceof Error) lines.push(`Window sweep skipped: ${w.message}`, '');
    else {
      const wt = JSON.parse(fs.readFileSync(path.join(ctx.root, '.datadiet', 'runs', w.id, 'window-sweep.json'), 'utf8')) as { size: number; examples: number; points: WindowPoint[]; best: { offset: number; offsetFraction: number; testAccuracy: number } };
      const svg = `${dataset}-window.svg`;
      fs.writeFileSync(path.join(path.dirname(o.out), svg), await renderSvg(windowSweep({ size: wt.size, n: wt.examples, points: wt.points.map((p) => ({ offset: p.offset, val: p.val, test: p.test })), best: { offset: wt.best.offset } })));
      lines.push('### Sliding window (EL2N, 40% kept)', '', `Best window on validation: offset ${Math.round(wt.best.offsetFraction * 100)}%, test accuracy ${pct(wt.best.testAccuracy)}.`, '', `![window sweep](${svg})`, '');
    }
    write();

    if (o.dynamics) {
      const kv = await once('kernel-velocity', { ...common, dataset, epochs: Math.max(2, o.epochs), windows: 10, windowSize: 50 }, (r) => runKernelVelocity(r, ctx));
      const kt = readTable<{ rows: VelocityRow[]; windowSize: number; score: string }>(ctx.root, kv.id, 'kernel-velocity.json');
      const kvSvg = `${dataset}-kernel-velocity.svg`;
      fs.writeFileSync(path.join(path.dirname(o.out), kvSvg), await renderSvg(kernelVelocity({ rows: kt.rows, windowSize: kt.windowSize, score: kt.score, title: `${dataset}: NTK kernel velocity` })));
      lines.push('### Kernel velocity along the EL2N-sorted data', '', `![kernel velocity](${kvSvg})`, '');
      const eb = await once('error-barrier', { ...common, dataset, subsetSize: Math.min(1000, Math.floor((o.subset ?? 60000) / 4)), pairs: Math.min(2, o.seeds) }, (r) => runErrorBarrier(r, ctx));
      const et = readTable<{ summary: BarrierPoint[]; steps: number }>(ctx.root, eb.id, 'error-barrier.json');
      const ebSvg = `${dataset}-error-barrier.svg`;
      const series = BARRIER_SETS.map((set) => ({ name: set === 'test' ? 'test split' : `${set} EL2N`, points: et.summary.filter((p) => p.set === set).map((p) => ({ spawnStep: p.spawnStep, barriers: p.barriers })) }));
      fs.writeFileSync(path.join(path.dirname(o.out), ebSvg), await renderSvg(errorBarrierChart({ series, steps: et.steps, title: `${dataset}: error barrier between children` })));
      lines.push('### Linear mode connectivity', '', '| spawn step | ' + BARRIER_SETS.join(' | ') + ' |', '|---|' + BARRIER_SETS.map(() => '---|').join(''));
      for (const step of [...new Set(et.summary.map((p) => p.spawnStep))]) lines.push(`| ${step} | ${BARRIER_SETS.map((set) => pct(et.summary.find((p) => p.set === set && p.spawnStep === step)?.mean ?? NaN)).join(' | ')} |`);
      lines.push('', `![error barrier](${ebSvg})`, '');
      write();
    }
  }
  process.stderr.write(`\nreport: ${o.out}\n`);
}

main().catch((e) => {
  process.stderr.write(`reproduce: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
