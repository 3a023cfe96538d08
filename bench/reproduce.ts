/**
 * `npm run reproduce`: the papers' headline experiments on MNIST and Fashion-MNIST, end to end, written up as a
 * markdown report with charts (not part of CI: hours on a CPU at full size; `--quick` for a smaller pass).
 *
 *   1. scores: EL2N at epoch t, GraNd at initialization, forgetting over the whole run (K runs each)
 *   2. prune sweep: keep the highest EL2N / GraNd / forgetting scores vs random, pruned fractions x seeds
 *   3. noise study: 10% of labels permuted; how well EL2N (and AUM, forgetting) find them
 *   4. sliding-window sweep over EL2N
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPruneSweep, type PrunePoint } from '../src/core/experiments/pruneSweep';
import { runScores } from '../src/core/experiments/scoreRun';
import { runWindowSweep, type WindowPoint } from '../src/core/experiments/windowSweep';
import type { JobProgress } from '../src/core/experiments/job';
import type { RunManifest } from '../src/core/store/runManifest';
import { pruningCurve } from '../src/core/charts/pruningCurve';
import { windowSweep } from '../src/core/charts/windowSweep';
import { renderSvg } from '../src/core/charts/render';

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
}

function parse(argv: string[]): Options {
  const o: Options = { datasets: ['mnist', 'fashion-mnist'], seeds: 4, runs: 4, epochs: 4, scoreEpoch: 1, fractions: [0.3, 0.5, 0.7, 0.8], root: 'reproduction', out: 'reproduction/REPORT.md' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--quick') Object.assign(o, { subset: 6000, seeds: 2, runs: 2, epochs: 2, fractions: [0.5, 0.8] });
    else if (k === '--datasets') (o.datasets = v.split(',')), i++;
    else if (k === '--subset') (o.subset = Number(v)), i++;
    else if (k === '--seeds') (o.seeds = Number(v)), i++;
    else if (k === '--runs') (o.runs = Number(v)), i++;
    else if (k === '--epochs') (o.epochs = Number(v)), i++;
    else if (k === '--score-epoch') (o.scoreEpoch = Number(v)), i++;
    else if (k === '--root') (o.root = v), i++;
    else if (k === '--out') (o.out = v), i++;
    else {
      process.stdout.write('usage: npm run reproduce -- [--quick] [--datasets mnist,fashion-mnist] [--subset N] [--seeds 4] [--runs 4] [--epochs 4] [--score-epoch 1] [--root reproduction] [--out reproduction/REPORT.md]\n');
      process.exit(k === '--help' ? 0 : 2);
    }
  }
  return o;
}

const log = (p: JobProgress) => {
  if (p.phase !== 'train' && p.phase !== 'score') process.stderr.write(`  ${p.message}\n`);
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const ctx = { root: path.resolve(o.root), onProgress: log };
  // Small subsets get small batches, so a 2-epoch budget is still a few hundred SGD steps.
  const batchSize = o.subset && o.subset < 20_000 ? 32 : 128;
  const common = { model: 'cnn-small' as const, width: 1, epochs: o.epochs, trainSubset: o.subset, batchSize };
  const lines: string[] = [`# Data Diet reproduction`, '', `${new Date().toISOString()}; cnn-small, batch ${batchSize}, ${o.epochs} epochs budget, ${o.runs} scoring runs, ${o.seeds} seeds per point${o.subset ? `, ${o.subset}-example training subset` : ''}.`, ''];
  for (const dataset of o.datasets) {
    process.stderr.write(`\n== ${dataset}\n`);
    const score = (scores: string[], scoreEpoch: number, extra: object = {}): Promise<RunManifest> =>
      runScores({ ...common, dataset, scores: scores as never, scoreEpoch, runs: o.runs, ...extra }, ctx);
    const el2n = await score(['el2n'], o.scoreEpoch);
    const grand = await score(['grand'], 0);
    const forgetting = await score(['forgetting'], o.epochs);
    const sweeps: { name: string; run: RunManifest; score: string; strategies: ('keep-top' | 'random')[] }[] = [
      { name: `EL2N (epoch ${o.scoreEpoch})`, run: el2n, score: 'el2n', strategies: ['keep-top', 'random'] },
      { name: 'GraNd (init)', run: grand, score: 'grand', strategies: ['keep-top'] },
      { name: `forgetting (epoch ${o.epochs})`, run: forgetting, score: 'forgetting', strategies: ['keep-top'] },
    ];
    const series: { name: string; points: { fractionPruned: number; accuracies: number[] }[] }[] = [];
    let fullData: number[] = [];
    lines.push(`## ${dataset}`, '', '### Pruning', '', '| score | pruned | test accuracy (mean) | 16th-84th percentile |', '|---|---|---|---|');
    for (const s of sweeps) {
      const m = await runPruneSweep({ ...common, dataset, scoresFrom: s.run.id, score: s.score, strategies: s.strategies, fractions: o.fractions, seeds: o.seeds }, ctx);
      const table = JSON.parse(fs.readFileSync(path.join(ctx.root, '.datadiet', 'runs', m.id, 'prune-sweep.json'), 'utf8')) as { summary: PrunePoint[] };
      for (const p of table.summary) {
        if (p.strategy === 'full data') {
          fullData = p.accuracies;
          continue;
        }
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

    const noise = await score(['el2n', 'aum', 'forgetting'], Math.max(1, o.scoreEpoch), { labelNoise: 0.1, noiseSeed: 0, epochs: Math.max(o.epochs, o.scoreEpoch) });
    const det = (noise.results as { detection: Record<string, { auroc: number; averagePrecision: number; precisionAt: Record<string, number> }> }).detection;
    lines.push('### Finding 10% injected label noise', '', '| score | AUROC | average precision | precision@k |', '|---|---|---|---|');
    for (const [name, d] of Object.entries(det)) lines.push(`| ${name} | ${d.auroc.toFixed(3)} | ${d.averagePrecision.toFixed(3)} | ${Object.entries(d.precisionAt).map(([k, v]) => `@${k}: ${v.toFixed(3)}`).join(', ')} |`);
    lines.push('');

    // The window sweep holds out validation data; scores from a run with the same split cover exactly its examples.
    const el2nVal = await score(['el2n'], o.scoreEpoch, { validation: 0.1 });
    const w = await runWindowSweep({ ...common, dataset, scoresFrom: el2nVal.id, score: 'el2n', validation: 0.1, size: 0.4, offsets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], seeds: Math.min(2, o.seeds) }, ctx).catch((e: Error) => e);
    if (w instanceof Error) lines.push(`Window sweep skipped: ${w.message}`, '');
    else {
      const wt = JSON.parse(fs.readFileSync(path.join(ctx.root, '.datadiet', 'runs', w.id, 'window-sweep.json'), 'utf8')) as { size: number; examples: number; points: WindowPoint[]; best: { offset: number; offsetFraction: number; testAccuracy: number } };
      const svg = `${dataset}-window.svg`;
      fs.writeFileSync(path.join(path.dirname(o.out), svg), await renderSvg(windowSweep({ size: wt.size, n: wt.examples, points: wt.points.map((p) => ({ offset: p.offset, val: p.val, test: p.test })), best: { offset: wt.best.offset } })));
      lines.push('### Sliding window (EL2N, 40% kept)', '', `Best window on validation: offset ${Math.round(wt.best.offsetFraction * 100)}%, test accuracy ${pct(wt.best.testAccuracy)}.`, '', `![window sweep](${svg})`, '');
    }
    fs.writeFileSync(o.out, lines.join('\n') + '\n');
  }
  process.stderr.write(`\nreport: ${o.out}\n`);
}

main().catch((e) => {
  process.stderr.write(`reproduce: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
