import { readRun, runDirOf } from '../store/runStore';

/**
 * What a retraining from a score run's scores takes from that run: its --image-size and --resize (the same pixels,
 * so the fingerprints match; inherited unless given) and its --backbone (required again: a retraining without it
 * would train another model on other inputs).
 */
export interface ScoreRunInputs {
  readonly geometry: { readonly imageSize?: number; readonly resize?: 'crop' | 'pad' };
  readonly backbone?: string;
}

export function scoreRunInputs(root: string, ref: string): ScoreRunInputs {
  const config = readRun(runDirOf(root, ref)).manifest?.config ?? {};
  const { imageSize, resize, backbone } = config;
  return {
    geometry: typeof imageSize === 'number' ? { imageSize, resize: resize === 'pad' ? 'pad' : 'crop' } : {},
    ...(typeof backbone === 'string' ? { backbone } : {}),
  };
}
