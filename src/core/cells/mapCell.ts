/**
 * Executes the `map` cell (mapCommand.ts): reads a run's embeddings (or predicted probabilities), predictions,
 * suspects and a score table (annotations/mapInputs.ts), draws a seeded sample of at most `points` rows, projects
 * them to 2-D (analysis/mapCoordinates.ts) and returns the map payload, with thumbnails embedded for some points;
 * the renderer asks for the others (mapThumbs.ts) when a brushed region needs them. Runs in the cell worker.
 */
import { readMapInputs } from '../annotations/mapInputs';
import { mapCoordinates } from '../analysis/mapCoordinates';
import { UMAP_MIN_ROWS, UmapInterrupted } from '../analysis/umapProjection';
import { datasetUseOf } from '../data/datasetUse';
import { defaultClassNames } from '../notebook/galleryPayload';
import { mapPayload, mapThumbRows } from '../notebook/mapPayload';
import type { MapColor, MapMethod } from '../notebook/mime';
import { rowThumbs, type Images } from './imageCache';
import { RandomStream } from '../randomStreams';
import type { CellQuery } from './diagnose';
import { CellError, type CellOutput, type ExecEnv } from './execute';
import type { RunInfo } from './runRef';

/** Thumbnails embedded in a map payload, about a histogram's budget (640); a brushed region asks for the rest. */
export const MAP_EMBEDDED_THUMBS = 600;

/** The rows a map draws: the first `points` of a seeded shuffle of all rows (drawing order is that order). */
export function mapSample(rows: number, points: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  RandomStream.root(seed).derive('map-sample').rng().shuffle(order);
  return order.slice(0, Math.min(rows, points));
}

/** The rows `pick` of a row-major matrix of `d` columns. */
function takeRows(x: Float32Array | Float64Array, d: number, pick: Int32Array): Float32Array | Float64Array {
  const out = x instanceof Float64Array ? new Float64Array(pick.length * d) : new Float32Array(pick.length * d);
  pick.forEach((r, i) => out.set(x.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

const fmt = (v: number) => v.toLocaleString('en-US');

export async function mapCell(q: CellQuery, env: ExecEnv, run: RunInfo): Promise<CellOutput> {
  const method = q.args.method as MapMethod;
  const color = q.args.color as MapColor;
  const seed = q.args.seed as number;
  // The default score is a preference: a run without el2n maps with its first score instead.
  const scoreName = q.given.has('score') || run.scores?.includes(q.args.score as string) ? (q.args.score as string) : undefined;
  const inputs = readMapInputs(run.dir, scoreName !== undefined ? { score: scoreName } : {});
  const { suspects } = inputs;
  const p = suspects.predictions;
  const total = p.index.length;
  if (total === 0) throw new CellError(`run ${run.id} recorded no predictions rows: nothing to map`);
  if (color === 'score' && !suspects.score) throw new CellError(`run ${run.id} has no score table to colour by: use color=label, predicted or suspicion`);
  const drawn = mapSample(total, q.args.points as number, seed);
  const m = drawn.length;
  if (method === 'umap' && m < UMAP_MIN_ROWS) throw new CellError(`UMAP needs at least ${UMAP_MIN_ROWS} examples and run ${run.id} has ${m}: use method=pca`);
  const x = takeRows(inputs.features, inputs.dims, drawn);
  let coords;
  try {
    coords = await mapCoordinates(x, m, inputs.dims, method, {
      random: RandomStream.root(seed).derive('map-umap').uniform(),
      nNeighbors: q.args.neighbors as number,
      ...(env.signal ? { signal: env.signal } : {}),
      onEpoch: (done, all) => env.onProgress?.(q.line, { phase: 'train', message: `UMAP layout of ${fmt(m)} examples, epoch ${done} of ${all}`, fraction: done / all, epoch: done }),
    });
  } catch (e) {
    if (e instanceof UmapInterrupted) throw new CellError('interrupted before the map was drawn');
    throw e;
  }
  const pick = <T extends Float32Array | Int32Array | Uint8Array>(a: T): number[] => Array.from(drawn, (r) => a[r]);
  const flagged = pick(suspects.ranking.flagged);
  const suspicion = pick(suspects.ranking.suspicion);
  // Thumbnails need the run's images; a map without them is still a map, and the summary says why.
  let images: Images | undefined;
  let noImages: string | undefined;
  const use = datasetUseOf(run.config);
  if (!use) noImages = `run ${run.id} does not record its dataset`;
  else {
    try {
      images = await env.images(use);
    } catch (e) {
      noImages = (e as Error).message;
    }
  }
  // Rows are train indices, or dataset rows of both splits when the predictions say which split (an audit's).
  const thumbOf = images ? rowThumbs(images, p.split !== undefined) : undefined;
  const names = run.classNames ?? images?.classNames;
  const classNames = names && names.length >= p.numClasses ? [...names] : defaultClassNames([p.numClasses - 1]);
  const index = pick(p.index);
  const payload = mapPayload({
    method,
    input: inputs.input,
    dims: inputs.dims,
    ...(coords.reducedTo !== undefined ? { reducedTo: coords.reducedTo } : {}),
    ...(coords.explained ? { explained: coords.explained } : {}),
    xy: coords.xy,
    index,
    labels: pick(p.label),
    predicted: pick(p.predicted),
    ...(suspects.score ? { score: { name: suspects.score.name, values: pick(suspects.score.score) } } : {}),
    suspicion,
    flagged: { by: suspects.ranking.method, values: flagged },
    color,
    classNames,
    total,
    ...(thumbOf ? { thumb: (i: number) => thumbOf(i) || undefined, thumbRows: mapThumbRows(m, MAP_EMBEDDED_THUMBS, flagged, suspicion) } : {}),
    title: `Map of ${run.id}`,
    source: suspects.score ? { runId: run.id, score: suspects.score.name } : { runId: run.id },
  });
  if (run.status === 'cancelled') payload.partial = true;
  const nFlagged = flagged.reduce((a, v) => a + v, 0);
  const summary = [
    `${method === 'umap' ? 'UMAP' : 'PCA'} map of ${m < total ? `a seeded sample of ${fmt(m)} of ${fmt(total)}` : fmt(total)} examples of run ${run.id}`,
    inputs.input === 'embeddings' ? `from its embeddings (${inputs.dims} features${coords.reducedTo ? `, PCA to ${coords.reducedTo} first` : ''})` : `from its predicted probabilities (${inputs.dims} classes; the run has no embeddings)`,
    ...(coords.explained ? [`axes explain ${(100 * coords.explained[0]).toFixed(1)}% and ${(100 * coords.explained[1]).toFixed(1)}% of the variance`] : []),
    `coloured by ${color}`,
    `${fmt(nFlagged)} flagged by ${suspects.ranking.method === 'confident-learning' ? 'confident learning' : `threshold ${suspects.ranking.threshold}`}`,
    ...(noImages ? [`no thumbnails: ${noImages}`] : []),
  ].join(', ');
  return { type: 'payload', kind: 'map', payload, summary };
}
