/**
 * A dataset as a run used it: its spec and the geometry its images were brought to. Everything that shows a run's
 * images again (galleries, the review queue, suspects) loads it this way, so pixels and scores line up.
 */
import type { ResizeMode } from '../../contract/choices';
import { geometryOf, type ImageGeometry } from './imageGeometry';

export interface DatasetUse {
  readonly spec: string;
  readonly imageSize?: number;
  readonly resize?: ResizeMode;
}

/** From a run's recorded config (params as resolved): `dataset`, `imageSize`, `resize`. */
export function datasetUseOf(config: Readonly<Record<string, unknown>> | undefined, spec?: string): DatasetUse | undefined {
  const s = spec ?? config?.dataset;
  if (typeof s !== 'string' || s === '') return undefined;
  const size = config?.imageSize;
  const resize = config?.resize;
  return {
    spec: s,
    ...(typeof size === 'number' ? { imageSize: size } : {}),
    ...(resize === 'crop' || resize === 'pad' ? { resize } : {}),
  };
}

export function geometryOfUse(u: DatasetUse): ImageGeometry {
  return geometryOf(u.imageSize, u.resize);
}

/** A cache key: one entry per spec and geometry. */
export function useKey(u: DatasetUse): string {
  return JSON.stringify([u.spec, u.imageSize ?? null, u.resize ?? 'crop']);
}
