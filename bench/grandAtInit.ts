/**
 * Why GraNd at initialization prunes worse than random on MNIST-like data (a section of `npm run reproduce`).
 *
 * Measured, not argued: what keeping the highest GraNd@init scores does to the class composition of the kept set
 * (label entropy, the most and least kept classes), how far GraNd@init follows the size of the input (its L2
 * norm after normalization: the ink of a digit) instead of the label, and which of the usual remedies help:
 * averaging over K = 10 initializations instead of the run's K, class-balanced selection, and scoring after an
 * epoch of training. Every sentence of the section's conclusion is computed from these numbers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labelEntropy } from '../src/core/analysis/entropy';
import { spearman } from '../src/core/analysis/spearman';
import { normalizeBatch } from '../src/core/data/normalize';
import { prepareData } from '../src/core/experiments/experimentData';
import type { JobContext } from '../src/core/experiments/job';
import { runPruneSweep, type PrunePoint } from '../src/core/experiments/pruneSweep';
import { runScores } from '../src/core/experiments/scoreRun';
import { keepTop } from '../src/core/select/keepTop';
import type { RunManifest } from '../src/core/store/runManifest';
import { readScoreTable, scoresDir, type ScoreTable } from '../src/core/store/scoreFiles';
import type { FinishedRuns } from './finishedRuns';

export interface GrandAtInitInputs {
  readonly dataset: string;
  readonly ctx: JobContext & { root: string };
  /** The reproduction's finished-run index: what already ran is not run again. */
  readonly once: FinishedRuns;
  /** Training options shared by every run of the reproduction (model, budget, subset, batch, lr). */
  readonly common: Record<string, unknown> & { epochs: number };
  readonly runs: number;
  readonly seeds: number;
  readonly fractions: readonly number[];
  readonly scoreEpoch: number;
  /** The reproduction's own GraNd@init score run (K = runs) and its keep-top sweep points. */
  readonly grandRun: RunManifest;
  readonly grandPoints: readonly PrunePoint[];
  /** Random and full-data points of the EL2N sweep (same root seed: the same random subsets and retrainings). */
  readonly randomPoints: readonly PrunePoint[];
  readonly full: number;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const runDir = (root: string, id: string) => path.join(root, '.datadiet', 'runs', id);

function classCounts(labels: ArrayLike<number>, indices: ArrayLike<number> | undefined, numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  const n = indices ? indices.length : labels.length;
  for (let r = 0; r < n; r++) c[labels[indices ? indices[r] : r]]++;
  return c;
}

/** L2 norm of each scored example's normalized input, in the table's row order. */
async function inputNorms(run: RunManifest, table: ScoreTable): Promise<Float64Array> {
  const c = run.config as { dataset: string; validation: number; seed: number; trainSubset?: number; imageSize?: number; resize?: 'crop' | 'pad' };
  const data = await prepareData({ dataset: c.dataset, validation: c.validation, seed: c.seed, trainSubset: c.trainSubset, imageSize: c.imageSize, resize: c.resize });
  const size = data.train.shape[0] * data.train.shape[1] * data.train.shape[2];
  const out = new Float64Array(table.index.length);
  const chunk = 1024;
  for (let start = 0; start < table.index.length; start += chunk) {
    const idx = table.index.subarray(start, Math.min(table.index.length, start + chunk));
    const x = normalizeBatch(data.train, idx, data.stats);
    for (let r = 0; r < idx.length; r++) {
      let s = 0;
      for (let j = r * size; j < (r + 1) * size; j++) s += x[j] * x[j];
      out[start + r] = Math.sqrt(s);
    }
  }
  return out;
}

async function keepTopSweep(inp: GrandAtInitInputs, run: RunManifest, classBalanced: boolean): Promise<PrunePoint[]> {
  const m = await inp.once(
    'prune',
    { ...inp.common, dataset: inp.dataset, scoresFrom: run.id, score: 'grand', strategies: ['keep-top'], fractions: [...inp.fractions], seeds: inp.seeds, classBalanced },
    (r) => runPruneSweep(r as never, inp.ctx),
  );
  const t = JSON.parse(fs.readFileSync(path.join(runDir(inp.ctx.root, m.id), 'prune-sweep.json'), 'utf8')) as { summary: PrunePoint[] };
  return t.summary.filter((p) => p.strategy === 'keep-top');
}

export async function grandAtInitSection(inp: GrandAtInitInputs): Promise<string[]> {
  const score = (runs: number, scoreEpoch: number) =>
    inp.once('score', { ...inp.common, dataset: inp.dataset, scores: ['grand'], scoreEpoch, runs }, (r) => runScores(r as never, inp.ctx));
  const grand10 = await score(10, 0);
  const grandEarly = await score(inp.runs, inp.scoreEpoch);
  const read = (m: RunManifest) => readScoreTable(scoresDir(runDir(inp.ctx.root, m.id)), 'grand');
  const tK = read(inp.grandRun);
  const t10 = read(grand10);
  const tEarly = read(grandEarly);
  for (const t of [t10, tEarly]) {
    if (t.index.length !== tK.index.length || t.index.some((v, r) => v !== tK.index[r])) throw new Error('the GraNd score runs scored different examples');
  }

  const at = (points: readonly PrunePoint[], f: number) => points.find((p) => Math.abs(p.fractionPruned - f) < 1e-9);
  const variants: { name: string; points: readonly PrunePoint[] }[] = [
    { name: 'random', points: inp.randomPoints },
    { name: `GraNd at init, K = ${inp.runs}, keep-top`, points: inp.grandPoints },
    { name: 'GraNd at init, K = 10, keep-top', points: await keepTopSweep(inp, grand10, false) },
    { name: 'GraNd at init, K = 10, class-balanced keep-top', points: await keepTopSweep(inp, grand10, true) },
    { name: `GraNd after epoch ${inp.scoreEpoch}, K = ${inp.runs}, keep-top`, points: await keepTopSweep(inp, grandEarly, false) },
  ];

  const numClasses = Math.max(...tK.label) + 1;
  const dataCounts = classCounts(tK.label, undefined, numClasses);
  const n = tK.label.length;
  const hardest = Math.max(...inp.fractions);
  const keptAt = (t: ScoreTable, f: number) => keepTop(t.score, Math.round((1 - f) * n));
  const composition = (t: ScoreTable, f: number) => classCounts(t.label, keptAt(t, f), numClasses);
  const norms = await inputNorms(inp.grandRun, tK);

  const lines: string[] = [
    '### GraNd at initialization: why it prunes worse than random here',
    '',
    'The Data Diet paper (section 4, Fig. 1) finds that keeping the highest GraNd scores at initialization, averaged over ' +
      '10 initializations, beats random pruning on CIFAR-10 and CIFAR-100 (\"even at initialization, we can prune 50% of ' +
      'examples from CIFAR-10 without affecting accuracy\"). Kirsch (arXiv 2303.14753) could not reproduce that: in his ' +
      'runs GraNd at initialization is about as good as random, not better. Ours, on this dataset and budget:',
    '',
    `| selection | ${inp.fractions.map((f) => `${Math.round(f * 100)}% pruned`).join(' | ')} |`,
    `|---|${inp.fractions.map(() => '---|').join('')}`,
  ];
  for (const v of variants) lines.push(`| ${v.name} | ${inp.fractions.map((f) => (at(v.points, f) ? `${pct(at(v.points, f)!.mean)} [${pct(at(v.points, f)!.lo)}, ${pct(at(v.points, f)!.hi)}]` : 'n/a')).join(' | ')} |`);
  lines.push(`| full data (no pruning) | ${inp.fractions.map(() => pct(inp.full)).join(' | ')} |`, '');

  // Composition of the kept sets at the hardest pruning.
  const shares = (c: number[]) => c.map((v) => v / c.reduce((a, b) => a + b, 0));
  const dataShare = shares(dataCounts);
  lines.push(
    `Class composition of the kept ${Math.round((1 - hardest) * 100)}% (label entropy in nats; the data's is ${labelEntropy(dataCounts).toFixed(3)}, ln ${numClasses} = ${Math.log(numClasses).toFixed(3)}):`,
    '',
    `| scores | entropy | ${Array.from({ length: numClasses }, (_, c) => `class ${c}`).join(' | ')} |`,
    `|---|---|${Array.from({ length: numClasses }, () => '---|').join('')}`,
    `| (all data) | ${labelEntropy(dataCounts).toFixed(3)} | ${dataShare.map((s) => pct(s)).join(' | ')} |`,
  );
  const tables: [string, ScoreTable][] = [
    [`GraNd at init, K = ${inp.runs}`, tK],
    ['GraNd at init, K = 10', t10],
    [`GraNd after epoch ${inp.scoreEpoch}`, tEarly],
  ];
  for (const [name, t] of tables) {
    const c = composition(t, hardest);
    lines.push(`| ${name} | ${labelEntropy(c).toFixed(3)} | ${shares(c).map((s) => pct(s)).join(' | ')} |`);
  }
  lines.push('');

  // What GraNd@init follows.
  const rhoNorm = spearman(t10.score, norms);
  const rhoEarly = spearman(t10.score, tEarly.score);
  const rhoK = spearman(tK.score, t10.score);
  // Within a class, where class balance cannot help: does GraNd at init still follow the input's size?
  const withinClass = Array.from({ length: numClasses }, (_, c) => {
    const rows = Array.from({ length: n }, (_, r) => r).filter((r) => t10.label[r] === c);
    return rows.length > 2 ? spearman(rows.map((r) => t10.score[r]), rows.map((r) => norms[r])) : NaN;
  }).filter((v) => Number.isFinite(v));
  const rhoWithin = withinClass.reduce((a, v) => a + v, 0) / Math.max(1, withinClass.length);
  const c10 = shares(composition(t10, hardest));
  const ratio = c10.map((s, c) => s / dataShare[c]);
  const most = ratio.indexOf(Math.max(...ratio));
  const least = ratio.indexOf(Math.min(...ratio));
  const meanNorm = (c: number) => {
    let s = 0;
    let k = 0;
    for (let r = 0; r < n; r++) if (t10.label[r] === c) (s += norms[r]), k++;
    return s / Math.max(1, k);
  };
  lines.push(
    '| Spearman correlation | value |',
    '|---|---|',
    `| GraNd at init (K = 10) vs input L2 norm (normalized pixels) | ${rhoNorm.toFixed(3)} |`,
    `| the same within each class (mean over classes; min, max) | ${rhoWithin.toFixed(3)} (${Math.min(...withinClass).toFixed(3)}, ${Math.max(...withinClass).toFixed(3)}) |`,
    `| GraNd at init, K = ${inp.runs} vs K = 10 | ${rhoK.toFixed(3)} |`,
    `| GraNd at init (K = 10) vs GraNd after epoch ${inp.scoreEpoch} | ${rhoEarly.toFixed(3)} |`,
    '',
  );

  // The conclusion, from the numbers above.
  const r10 = at(variants[2].points, hardest);
  const rBal = at(variants[3].points, hardest);
  const rRand = at(inp.randomPoints, hardest);
  const rEarly = at(variants[4].points, hardest);
  const said: string[] = [];
  said.push(
    `At initialization the network's outputs barely depend on the input, so the per-example gradient norm is driven by the size of the input: ` +
      `GraNd at init has Spearman ${rhoNorm.toFixed(2)} with the input's L2 norm. Keeping the top ${Math.round((1 - hardest) * 100)}% keeps ` +
      `class ${most} at ${ratio[most].toFixed(2)}x its share of the data (mean input norm ${meanNorm(most).toFixed(1)}) and class ${least} at ` +
      `${ratio[least].toFixed(2)}x (mean input norm ${meanNorm(least).toFixed(1)}); the kept set's label entropy is ${labelEntropy(composition(t10, hardest)).toFixed(2)} nats ` +
      `against ${labelEntropy(dataCounts).toFixed(2)} for the data.`,
  );
  const rK = at(inp.grandPoints, hardest);
  if (r10 && rBal && rRand && rK) {
    const closed = (rBal.mean - r10.mean) / Math.max(1e-9, rRand.mean - r10.mean);
    const gain = r10.mean - rK.mean;
    said.push(
      `Averaging over 10 initializations instead of ${inp.runs} (Spearman ${rhoK.toFixed(2)} between the two rankings) ${Math.abs(gain) < 0.01 ? 'changes the accuracy by less than a point' : gain > 0 ? `gains ${(100 * gain).toFixed(1)} points` : `loses ${(100 * -gain).toFixed(1)} points`} at ${Math.round(hardest * 100)}% pruned (${pct(rK.mean)} -> ${pct(r10.mean)}). ` +
        `Class-balanced selection gives ${pct(rBal.mean)}: it ${closed >= 0.9 ? 'closes the gap to random' : closed > 0.1 ? `closes ${Math.round(100 * closed)}% of the gap to random (${pct(rRand.mean)})` : `does not close the gap to random (${pct(rRand.mean)})`}` +
        `${rBal.mean > rRand.mean ? ', and beats it' : ''}; ${
          closed >= 0.9
            ? 'the loss was the class imbalance.'
            : rhoWithin > 0.5
              ? `within each class GraNd at init still follows the input's size (Spearman ${rhoWithin.toFixed(2)} on average), so the kept examples are the largest inputs of their class, a shifted sample, not its hard examples.`
              : `within classes GraNd at init follows the input's size only weakly (Spearman ${rhoWithin.toFixed(2)} on average), so what remains of the gap is not explained by input size.`
        }`,
    );
  }
  if (rEarly && rRand) {
    const early = labelEntropy(composition(tEarly, hardest));
    said.push(
      `After ${inp.scoreEpoch} epoch(s) of training GraNd ranks differently (Spearman ${rhoEarly.toFixed(2)} with GraNd at init; kept-set entropy ${early.toFixed(2)} nats) and gives ${pct(rEarly.mean)} at ` +
        `${Math.round(hardest * 100)}% pruned against random's ${pct(rRand.mean)}${rEarly.mean >= rRand.lo ? '.' : ': still below random at this budget.'}`,
    );
  }
  said.push('cnn-small has no batch normalization, so the batch-norm mode at initialization (train vs eval) cannot explain this result.');
  lines.push(...said.map((s) => `- ${s}`), '');
  if (r10 && rRand) {
    // "About equal" when the two 16th-84th percentile bands overlap.
    const verdict =
      r10.hi < rRand.lo
        ? 'worse than random, which neither the paper (better) nor Kirsch (about equal) found'
        : r10.lo > rRand.hi
          ? 'better than random, as the paper found'
          : 'about equal to random, as Kirsch found';
    lines.push(`Side by side, at ${Math.round(hardest * 100)}% pruned with K = 10: GraNd at initialization is ${verdict} (${pct(r10.mean)} vs ${pct(rRand.mean)}). Scores: run ${grand10.id}.`, '');
  }
  return lines;
}
