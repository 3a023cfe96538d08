/**
 * The thumbnails a brushed map asks for (a `requestThumbs` message): the images of some examples of a run whose map
 * payload does not embed them. The message comes from a notebook output, which a crafted .ipynb controls: the run
 * must be one of the recorded runs a map reads (by exact id), the rows integers inside its dataset (train indices, or dataset rows of both splits for an audit),
 * and at most MAX_THUMBS_REQUEST of them; nothing of the message reaches a file path.
 */
import { datasetUseOf } from '../data/datasetUse';
import { MAX_THUMBS_REQUEST, type RequestThumbsMessage, type ThumbsMessage } from '../notebook/mime';
import { rowThumbs } from './imageCache';
import { readPredictions } from '../annotations/predictions';
import type { ExecEnv } from './execute';
import { MAP_RUN_KINDS } from './mapCommand';
import { listRunInfos, usable } from './runRef';

export async function mapThumbs(m: RequestThumbsMessage, env: Pick<ExecEnv, 'root' | 'images'>): Promise<ThumbsMessage> {
  const reply = { type: 'thumbs' as const, requestId: m.requestId };
  const shown = JSON.stringify(String(m.runId).slice(0, 80));
  const run = listRunInfos(env.root).find((r) => r.id === m.runId);
  if (!run) return { ...reply, error: `no run ${shown} under .datadiet/runs` };
  if (!MAP_RUN_KINDS.includes(run.kind) || !usable(run)) return { ...reply, error: `run ${run.id} is a ${run.status} ${run.kind} run, not one a map shows` };
  if (!Array.isArray(m.indices) || m.indices.length > MAX_THUMBS_REQUEST) return { ...reply, error: `ask for at most ${MAX_THUMBS_REQUEST} thumbnails at a time` };
  const use = datasetUseOf(run.config);
  if (!use) return { ...reply, error: `run ${run.id} does not record its dataset, so its images cannot be shown` };
  try {
    const thumbOf = rowThumbs(await env.images(use), numbersBothSplits(run.dir));
    const thumbs = [...new Set(m.indices)].flatMap((index) => {
      const thumb = Number.isInteger(index) ? thumbOf(index) : '';
      return thumb ? [{ index, thumb }] : [];
    });
    return { ...reply, thumbs };
  } catch (e) {
    return { ...reply, error: (e as Error).message };
  }
}

/** Whether a run's predictions number the rows of both splits (they have a `split` column): an audit's. */
const bothSplits = new Map<string, boolean>();
function numbersBothSplits(runDir: string): boolean {
  // A finished run's predictions do not change; a brush asks many times.
  let v = bothSplits.get(runDir);
  if (v === undefined) bothSplits.set(runDir, (v = readPredictions(runDir)?.split !== undefined));
  return v;
}
