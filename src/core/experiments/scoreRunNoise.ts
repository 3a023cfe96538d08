import * as path from 'node:path';
import type { NoiseKind } from '../../contract/choices';
import { readRun, runDirOf } from '../store/runStore';
import { readScoreTable, scoresDir } from '../store/scoreFiles';
import type { ExperimentData } from './experimentData';

/**
 * Label noise of a score run (noise study): experiments that prune or window by its scores retrain on the SAME
 * noisy labels, otherwise "the window sweep under noise" would train on clean labels chosen by noisy scores.
 */
export interface RunNoise {
  readonly labelNoise: number;
  readonly noiseSeed: number;
  readonly noiseKind: NoiseKind;
}

/** The label noise recorded in a score run's config (none when absent or the run cannot be read). */
export function scoreRunNoise(root: string, ref: string): RunNoise {
  const dir = runDirOf(root, ref);
  const config = readRun(dir).manifest?.config ?? {};
  const labelNoise = typeof config.labelNoise === 'number' ? config.labelNoise : 0;
  const noiseSeed = typeof config.noiseSeed === 'number' ? config.noiseSeed : 0;
  // Runs from before noise kinds existed permuted uniformly.
  const noiseKind: NoiseKind = config.noiseKind === 'pairs' ? 'pairs' : 'uniform';
  return { labelNoise, noiseSeed, noiseKind };
}

/**
 * Checks that the noise regenerated here corrupts exactly the examples the score table marks as corrupted (it
 * does when the split, subset and seeds match the score run); returns the number of corrupted trained examples.
 */
export function checkSameNoise(data: ExperimentData, scoreDir: string, score: string): number {
  if (!data.corrupted) return 0;
  const table = readScoreTable(scoresDir(scoreDir), score);
  const flags = table.extra?.corrupted;
  if (!flags) throw new Error(`score table "${score}" in ${scoreDir} has no "corrupted" column although its run injected label noise`);
  const row = new Map<number, number>();
  table.index.forEach((idx, r) => row.set(idx, r));
  let count = 0;
  for (const i of data.trainIndices) {
    const r = row.get(i);
    const here = data.corrupted[i];
    count += here;
    if (r !== undefined && (flags[r] === 1) !== (here === 1)) {
      throw new Error(`the label noise regenerated for example ${i} differs from score run ${path.basename(scoreDir)}'s; use the same --seed, --validation and --subset as that run`);
    }
  }
  return count;
}

/** Corrupted examples among the given dataset indices. */
export function corruptedAmong(data: ExperimentData, indices: ArrayLike<number>): number {
  if (!data.corrupted) return 0;
  let c = 0;
  for (let q = 0; q < indices.length; q++) c += data.corrupted[indices[q]];
  return c;
}
