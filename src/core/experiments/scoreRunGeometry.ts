import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetUseOf } from '../data/datasetUse';
import { readRun, runsDir } from '../store/runStore';

/**
 * The --image-size and --resize a score run used: a retraining from its scores must train on the same pixels (the
 * fingerprints must match), so it inherits them unless given.
 */
export function scoreRunGeometry(root: string, ref: string): { imageSize?: number; resize?: 'crop' | 'pad' } {
  const dir = fs.existsSync(path.join(ref, 'manifest.json')) ? ref : path.join(runsDir(root), ref);
  const use = datasetUseOf(readRun(dir).manifest?.config, 'unused');
  return use?.imageSize !== undefined ? { imageSize: use.imageSize, resize: use.resize ?? 'crop' } : {};
}
