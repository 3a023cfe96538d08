/**
 * One entry point for every pruning strategy, so a CLI flag, a config file or an experiment sweep names a strategy
 * by string and gets the kept indices; plus the size helper and the export a PyTorch user loads.
 *
 * Every strategy returns the KEPT example indices, ascending (dataset order), as an Int32Array. Scores are higher =
 * "harder"/more important (EL2N, GraNd, forgetting), as in both papers.
 */
import type { RandomStream } from '../randomStreams';
import { classBalanced, type ClassSelector } from './classBalanced';
import { checkWeights, gradientCdf } from './gradientCdf';
import { keepBottom, keepTop } from './keepTop';
import { checkNonExtreme, nonExtreme, nonExtremeDropCount } from './nonExtreme';
import { checkKeep, checkScores } from './order';
import { randomSubset } from './random';
import { checkWindow, slidingWindow } from './slidingWindow';

import { STRATEGY_NAMES, type StrategyName } from '../../contract/choices';

export { STRATEGY_NAMES, type StrategyName };

/** A strategy and whether to apply it within each class (quotas proportional to class size; see classBalanced.ts). */
export interface Strategy {
  readonly name: StrategyName;
  readonly classBalanced?: boolean;
}

export interface SelectOptions {
  /**
   * 'random', 'gradient-cdf': the draw's own stream (purpose `select`, indexed by what distinguishes this draw).
   * Required, so a baseline cannot silently share randomness with anything else.
   */
  stream?: RandomStream;
  /** 'window': examples skipped at the low-score end, a fraction (< 1) or a count, as keepCount reads it. */
  offset?: number;
  /** 'non-extreme': fraction of all examples discarded from the top first, in [0, 1); default 0.05. */
  dropFraction?: number;
  /** Class-balanced only: number of classes (default: max label + 1). */
  numClasses?: number;
}

type StrategyOption = 'stream' | 'offset' | 'dropFraction';

export interface StrategyInfo {
  readonly description: string;
  /** Options the strategy reads; select() refuses the others, which would otherwise be silently ignored. */
  readonly options: readonly StrategyOption[];
}

export const STRATEGIES: Readonly<Record<StrategyName, StrategyInfo>> = {
  'keep-top': { description: 'keep the highest scores, prune the lowest (Data Diet; Max-Gradient)', options: [] },
  'keep-bottom': { description: 'keep the lowest scores, prune the highest', options: [] },
  random: { description: 'uniformly random subset (the baseline); needs a random stream', options: ['stream'] },
  window: { description: 'skip the `offset` lowest scores, keep the next ones (Data Diet sliding window)', options: ['offset'] },
  'non-extreme': { description: 'discard the top dropFraction (default 5%), keep the highest of the rest (Vodrahalli et al.)', options: ['dropFraction'] },
  'gradient-cdf': { description: 'sample without replacement, probability proportional to the score (Vodrahalli et al.); needs a random stream', options: ['stream'] },
};

export function isStrategyName(name: string): name is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** A strategy from its name (e.g. a CLI flag), with a message listing the valid names. */
export function parseStrategy(name: string, classBalanced = false): Strategy {
  if (!isStrategyName(name)) throw new RangeError(`unknown selection strategy "${name}"; expected one of ${STRATEGY_NAMES.join(', ')}`);
  return { name, classBalanced };
}

/**
 * Resolve "fraction (< 1) or count (>= 1)" of `n` examples to a count, as the validation split does (data/split.ts):
 * 0.3 is 30% (rounded to the nearest example), 300 is 300 examples. Note 1 means ONE example; pass n for all.
 */
export function keepCount(n: number, fractionOrCount: number): number {
  return resolveCount('keepCount', n, fractionOrCount);
}

function resolveCount(what: string, n: number, v: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: dataset size must be a non-negative integer, got ${n}`);
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${what}: expected a fraction in [0, 1) or a count in [1, ${n}], got ${v}`);
  if (v < 1) return Math.round(v * n);
  if (!Number.isInteger(v)) throw new RangeError(`${what}: a count must be an integer, got ${v} (fractions are below 1)`);
  if (v > n) throw new RangeError(`${what}: count ${v} exceeds the ${n} examples`);
  return v;
}

/**
 * Indices (ascending) of the `keep` examples that `strategy` keeps. `labels` (one per example) are needed only for
 * class-balanced strategies. `keep` is a count; use keepCount(N, 0.3) for a fraction.
 */
export function select(
  strategy: Strategy | StrategyName,
  scores: ArrayLike<number>,
  labels: ArrayLike<number> | undefined,
  keep: number,
  opts: SelectOptions = {},
): Int32Array {
  // Re-parse objects too: a Strategy built from untyped input (JSON config) may carry an unknown name.
  const s = typeof strategy === 'string' ? parseStrategy(strategy) : parseStrategy(strategy.name, strategy.classBalanced ?? false);
  const info = STRATEGIES[s.name];
  for (const key of ['stream', 'offset', 'dropFraction'] as const) {
    if (opts[key] !== undefined && !info.options.includes(key)) {
      const users = STRATEGY_NAMES.filter((n) => STRATEGIES[n].options.includes(key));
      throw new RangeError(`select: option ${key} is not used by strategy "${s.name}" (it is for ${users.join(', ')})`);
    }
  }
  if (opts.numClasses !== undefined && !s.classBalanced) throw new RangeError('select: numClasses only applies to class-balanced selection');
  const n = scores.length;
  if (labels !== undefined && labels.length !== n) throw new RangeError(`select: ${n} scores but ${labels.length} labels`);
  if (s.classBalanced && labels === undefined) throw new RangeError(`select: class-balanced "${s.name}" needs the labels`);
  checkKeep('select', keep, n);
  const stream = (): RandomStream => {
    if (opts.stream === undefined) throw new RangeError(`select: strategy "${s.name}" is random and needs opts.stream`);
    return opts.stream;
  };
  // Validate the whole score vector here: inside a class, an error would name the position within the class.
  if (s.name === 'gradient-cdf') checkWeights(scores);
  else if (s.name !== 'random') checkScores('select', scores);

  let inClass: ClassSelector;
  switch (s.name) {
    case 'keep-top':
      if (!s.classBalanced) return keepTop(scores, keep);
      inClass = (cs, q) => keepTop(cs, q);
      break;
    case 'keep-bottom':
      if (!s.classBalanced) return keepBottom(scores, keep);
      inClass = (cs, q) => keepBottom(cs, q);
      break;
    case 'random': {
      if (!s.classBalanced) return randomSubset(n, keep, stream().rng());
      inClass = (cs, q, label) => randomSubset(cs.length, q, classStream(stream(), label));
      break;
    }
    case 'gradient-cdf': {
      if (!s.classBalanced) return gradientCdf(scores, keep, stream().rng());
      inClass = (cs, q, label) => gradientCdf(cs, q, classStream(stream(), label));
      break;
    }
    case 'window': {
      if (opts.offset === undefined) throw new RangeError('select: strategy "window" needs opts.offset (a fraction < 1 or a count)');
      const offset = resolveCount('select: window offset', n, opts.offset);
      checkWindow('select: window', offset, keep, n);
      if (!s.classBalanced) return slidingWindow(scores, offset, keep);
      // Each class skips its share of the offset, rounded down. With largest-remainder quotas this always fits
      // (floor(O n_c / N) + q_c <= n_c whenever O + keep <= N), so no class window can overflow its class.
      inClass = (cs, q) => slidingWindow(cs, n === 0 ? 0 : Math.floor((offset * cs.length) / n), q);
      break;
    }
    case 'non-extreme': {
      const drop = nonExtremeDropCount(n, { dropFraction: opts.dropFraction });
      if (!s.classBalanced) return nonExtreme(scores, keep, { dropCount: drop });
      checkNonExtreme('select: non-extreme', drop, keep, n);
      // Same rounding argument as the window: each class drops floor(drop n_c / N) of its top examples.
      inClass = (cs, q) => nonExtreme(cs, q, { dropCount: n === 0 ? 0 : Math.floor((drop * cs.length) / n) });
      break;
    }
  }
  return classBalanced(scores, labels!, keep, inClass, opts.numClasses);
}

/**
 * Each class draws from its own child stream. One generator for every class would correlate them (two classes of
 * equal size would keep the same positions) or make class 3's subset depend on how many draws classes 0-2 used.
 */
function classStream(stream: RandomStream, label: number) {
  return stream.derive('class', { label }).rng();
}

// ---------------------------------------------------------------------------------------------------------------
// Export

export type SelectionFormat = 'indices' | 'csv';

export interface ExportOptions {
  /**
   * 'indices': one index per line, no header, for
   *     idx = np.loadtxt('keep.txt', dtype=int, ndmin=1).tolist(); torch.utils.data.Subset(train_set, idx)
   * 'csv': header `index,label` (pandas.read_csv), or `path,label` when `paths` are given, which is also the
   * manifest format Data Diet itself loads (data/manifest.ts).
   */
  format: SelectionFormat;
  /** 'csv': the label of every example of the full dataset (indexed by example index). */
  labels?: ArrayLike<number>;
  /** 'csv': the file of every example of the full dataset; switches the columns to `path,label`. */
  paths?: readonly string[];
}

/** RFC 4180 quoting, only where needed (commas, quotes, line breaks, or edge spaces a reader might trim). */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The selection as text a PyTorch (or any) user can load; lines end in \n, including the last. */
export function exportSelection(indices: ArrayLike<number>, opts: ExportOptions): string {
  const { format, labels, paths } = opts;
  if (format !== 'indices' && format !== 'csv') throw new RangeError(`exportSelection: format must be "indices" or "csv", got "${String(format)}"`);
  const limit = labels?.length ?? paths?.length ?? Infinity;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= limit) {
      throw new RangeError(`exportSelection: entry ${r} is ${i}, not an example index` + (limit < Infinity ? ` in [0, ${limit})` : ''));
    }
  }
  if (format === 'indices') {
    // labels/paths are allowed (a caller may pass them regardless of format) but only range-check the indices.
    let out = '';
    for (let r = 0; r < indices.length; r++) out += `${indices[r]}\n`;
    return out;
  }
  if (labels === undefined) throw new RangeError('exportSelection: format "csv" needs the labels of the full dataset');
  if (paths !== undefined && paths.length !== labels.length) {
    throw new RangeError(`exportSelection: ${paths.length} paths but ${labels.length} labels; both must cover the full dataset`);
  }
  const lines = [paths ? 'path,label' : 'index,label'];
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    lines.push(`${paths ? csvField(paths[i]) : i},${labels[i]}`);
  }
  return lines.join('\n') + '\n';
}
