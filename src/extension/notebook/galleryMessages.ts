// The extension's answer to the renderer's gallery actions (notebook/mime.ts), in plain Node so unit tests drive it:
// they go to the annotations of the run's dataset (core/annotations: the same store the editor and the review queue
// use). A brushed histogram range gets its gallery from the cell worker (core/cells/rangeGallery.ts).
import { applyGalleryAction } from '../../core/annotations/galleryAction';
import { annotationTargetForRun, storeFor } from '../../core/annotations/annotationTarget';
import type { RunInfo } from '../../core/cells/runRef';
import type { AnnotatedMessage, AnnotateMessage } from '../../core/notebook/mime';

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
