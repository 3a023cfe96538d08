import * as path from 'node:path';
import { topKLabelEntropy } from '../analysis/entropy';
import { RandomStream } from '../randomStreams';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { createRun } from '../store/runStore';
import { versions } from '../versions';
import type { JobContext } from './job';
import { numClassesOf, openScoreRun, resolveKs, scoreTableOf } from './scoreRunRef';

/**
 * Label entropy of the top-k examples vs k (Vodrahalli et al. 2018, Fig. 7 and 12) for the scores of a score run,
 * next to the uniform baseline ln K and the entropy of random top-k sets (what an unbiased selection gives). A
 * curve well below the baseline at small k says the highest scores crowd into a few classes.
 */
export interface LabelEntropyConfig {
  /** Score run: id under the root, or its folder. */
  readonly scoresFrom: string;
  /** Score tables to analyse (default: every score the run computed). */
  readonly scores?: readonly string[];
  /** k values: counts, or fractions (< 1) of the scored examples (default: 10, 20, 50, ... up to all). */
  readonly ks?: readonly number[];
  /** Root seed of the random baseline's rankings (draw d is its `entropy-baseline[draw=d]` stream). */
  readonly seed: number;
  /** Random rankings averaged for the random baseline. */
  readonly randomDraws: number;
}

export const ENTROPY_DEFAULTS: Omit<LabelEntropyConfig, 'scoresFrom'> = { seed: 0, randomDraws: 10 };

export interface LabelEntropyTable {
  readonly scoreRun: string;
  readonly examples: number;
  readonly numClasses: number;
  readonly ks: number[];
  /** ln K (nats): the entropy of equally frequent classes. */
  readonly uniform: number;
  /** Entropy of all scored examples' labels. */
  readonly dataset: number;
  readonly series: { score: string; entropy: number[] }[];
  /** Mean entropy of the top k of `randomDraws` random rankings. */
  readonly random: number[];
}

/** The table from scores and labels alone (pure). */
export function labelEntropyCurves(
  scores: readonly { name: string; values: ArrayLike<number> }[],
  labels: ArrayLike<number>,
  ks: readonly number[],
  opts: { numClasses: number; seed: number; randomDraws: number },
): Omit<LabelEntropyTable, 'scoreRun'> {
  const n = labels.length;
  const series = scores.map(({ name, values }) => ({ score: name, entropy: topKLabelEntropy(values, labels, ks, { numClasses: opts.numClasses }).entropy }));
  const root = RandomStream.root(opts.seed);
  const random = ks.map(() => 0);
  let uniform = Math.log(opts.numClasses);
  let dataset = NaN;
  for (let d = 0; d < opts.randomDraws; d++) {
    const rng = root.derive('entropy-baseline', { draw: d }).rng();
    const r = Float64Array.from({ length: n }, () => rng.next());
    const e = topKLabelEntropy(r, labels, ks, { numClasses: opts.numClasses });
    e.entropy.forEach((v, j) => (random[j] += v / opts.randomDraws));
    uniform = e.uniform;
    dataset = e.dataset;
  }
  if (opts.randomDraws === 0) dataset = topKLabelEntropy(new Float64Array(n), labels, [n], { numClasses: opts.numClasses }).dataset;
  return { examples: n, numClasses: opts.numClasses, ks: [...ks], uniform, dataset, series, random };
}

export async function runLabelEntropy(partial: Partial<LabelEntropyConfig> & { scoresFrom: string }, ctx: JobContext): Promise<RunManifest> {
  const cfg: LabelEntropyConfig = { ...ENTROPY_DEFAULTS, ...partial };
  if (!Number.isInteger(cfg.randomDraws) || cfg.randomDraws < 0) throw new RangeError(`randomDraws must be a non-negative integer, got ${cfg.randomDraws}`);
  const source = openScoreRun(ctx.root, cfg.scoresFrom);
  const names = cfg.scores?.length ? [...cfg.scores] : ((source.manifest.config.scores as string[] | undefined) ?? []);
  if (names.length === 0) throw new Error(`score run ${source.manifest.id} names no scores; pass the score tables to analyse`);
  const run = createRun(ctx.root, { kind: 'entropy', config: { ...cfg, scores: names }, seeds: { root: cfg.seed }, versions: versions() });
  const base = { runId: run.id, runDir: run.dir };
  try {
    ctx.onProgress?.({ ...base, phase: 'load', message: `reading ${names.join(', ')} from score run ${source.manifest.id}`, fraction: 0 });
    const tables = names.map((name) => scoreTableOf(source, name));
    const labels = tables[0].label;
    for (const t of tables) {
      if (t.index.length !== labels.length || t.index.some((v, i) => v !== tables[0].index[i])) throw new Error(`score tables ${tables[0].name} and ${t.name} cover different examples`);
    }
    const ks = resolveKs(labels.length, cfg.ks);
    const numClasses = numClassesOf(source, labels);
    const table: LabelEntropyTable = {
      scoreRun: source.manifest.id,
      ...labelEntropyCurves(tables.map((t) => ({ name: t.name, values: t.score })), labels, ks, { numClasses, seed: cfg.seed, randomDraws: cfg.randomDraws }),
    };
    writeJsonAtomic(path.join(run.dir, 'label-entropy.json'), table);
    run.update({ dataset: source.manifest.dataset, config: { ...cfg, scores: names, ks } });
    ctx.onProgress?.({ ...base, phase: 'save', message: 'wrote label-entropy.json', fraction: 1 });
    return run.finish('done', { results: { scoreRun: table.scoreRun, examples: table.examples, uniform: table.uniform, dataset: table.dataset } });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
