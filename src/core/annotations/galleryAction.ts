/**
 * Notebook gallery actions (flag, relabel, ok, exclude; see notebook/mime.ts) written to the same annotations as
 * the editor and the review queue. The controller forwards each parsed `annotate` message here and posts the
 * returned `annotated` message to every renderer, so all open galleries mark the example.
 */
import type { AnnotatedMessage, AnnotateMessage } from '../notebook/mime';
import type { AnnotationStore } from './annotationStore';
import { annotationTargetForRun, storeFor, type AnnotationTarget } from './annotationTarget';

export function applyGalleryAction(store: AnnotationStore, target: AnnotationTarget, msg: AnnotateMessage, note?: string): AnnotatedMessage {
  const reply: AnnotatedMessage = { type: 'annotated', runId: msg.runId, index: msg.index, action: msg.action, ...(msg.label !== undefined ? { label: msg.label } : {}) };
  try {
    store.append([
      {
        ...target.keyOf(msg.index),
        action: msg.action,
        ...(msg.action === 'relabel' ? { newLabel: msg.label! } : {}),
        ...(msg.originalLabel !== undefined ? { originalLabel: msg.originalLabel } : {}),
        note: note ?? `notebook gallery${msg.score ? ` (${msg.score})` : ''}`,
      },
    ]);
    return reply;
  } catch (e) {
    return { ...reply, error: (e as Error).message };
  }
}

/**
 * For the notebook controller: one call per parsed `annotate` message. `runDir` is the message's run (the
 * gallery's score run); the annotations go to that dataset's file (annotationTarget.ts) through the shared store,
 * so the editor and the review queue update at once.
 */
export function annotateFromGallery(root: string, runDir: string, msg: AnnotateMessage, author?: string): AnnotatedMessage {
  try {
    const target = annotationTargetForRun(root, runDir);
    return applyGalleryAction(storeFor(target.file, { author }), target, msg);
  } catch (e) {
    return { type: 'annotated', runId: msg.runId, index: msg.index, action: msg.action, error: (e as Error).message };
  }
}
