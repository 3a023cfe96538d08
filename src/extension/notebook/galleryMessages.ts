// The extension's answers to the renderer's messages (notebook/mime.ts), in plain Node so unit tests drive them:
// gallery actions go to the annotations of the run's dataset (core/annotations: the same store the editor and the
// review queue use); a brushed histogram range gets its gallery from the executor, like a `gallery ... range=` cell.
import { applyGalleryAction } from '../../core/annotations/galleryAction';
import { annotationTargetForRun, storeFor } from '../../core/annotations/annotationTarget';
import { executeCell, type ExecEnv } from '../../core/cells/execute';
import type { RunInfo } from '../../core/cells/runRef';
import type { AnnotatedMessage, AnnotateMessage, GalleryPayload, RangeGalleryMessage, RequestRangeMessage } from '../../core/notebook/mime';

/** Stores one gallery action and says what happened (error set when it was not stored). */
export type GalleryActionSink = (msg: AnnotateMessage) => AnnotatedMessage;

export function annotationsSink(root: () => string, runs: () => readonly RunInfo[]): GalleryActionSink {
  return (msg) => {
    const run = runs().find((r) => r.id === msg.runId);
    if (!run) return { type: 'annotated', runId: msg.runId, index: msg.index, action: msg.action, error: `run ${msg.runId} is not under ${root()}` };
    try {
      const target = annotationTargetForRun(root(), run.dir);
      return applyGalleryAction(storeFor(target.file), target, msg);
    } catch (e) {
      return { type: 'annotated', runId: msg.runId, index: msg.index, action: msg.action, error: (e as Error).message };
    }
  };
}

/** The gallery of a brushed score range, through the same executor as a `gallery ... range=lo..hi` cell. */
export async function rangeGallery(m: RequestRangeMessage, env: ExecEnv): Promise<RangeGalleryMessage> {
  const reply = { type: 'rangeGallery' as const, requestId: m.requestId };
  // A zero-width brush (a click) still selects the examples at that score.
  const hi = m.hi > m.lo ? m.hi : m.lo + Math.max(1e-9, Math.abs(m.lo) * 1e-9);
  const cell = `gallery ${m.score} run=${m.runId} range=${m.lo}..${hi}${m.perClass ? ` per-class=${m.perClass}` : ''}`;
  try {
    const [out] = await executeCell(cell, env);
    if (out?.type !== 'payload' || out.kind !== 'gallery') return { ...reply, error: 'no gallery for this range' };
    return { ...reply, gallery: out.payload as GalleryPayload };
  } catch (e) {
    return { ...reply, error: (e as Error).message };
  }
}
