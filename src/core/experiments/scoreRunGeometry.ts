import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetUseOf } from '../data/datasetUse';
import { readRun, runsDir } from '../store/runStore';

function configOf(root: string, ref: string): Readonly<Record<string, unknown>> | undefined {
  const dir = fs.existsSync(path.join(ref, 'manifest.json')) ? ref : path.join(runsDir(root), ref);
  return readRun(dir).manifest?.config;
}

/** The --backbone folder a score run trained its heads on, if any. */
export function scoreRunBackbone(root: string, ref: string): string | undefined {
  const b = configOf(root, ref)?.backbone;
  return typeof b === 'string' ? b : undefined;
}

/**
 * The --image-size and --resize a score run used: a retraining from its scores must train on the same pixels (the
 * fingerprints must match), so it inherits them unless given.
 */
export function scoreRunGeometry(root: string, ref: string): { imageSize?: number; resize?: 'crop' | 'pad' } {
  const use = datasetUseOf(configOf(root, ref), 'unused');
  return use?.imageSize !== undefined ? { imageSize: use.imageSize, resize: use.resize ?? 'crop' } : {};
}
