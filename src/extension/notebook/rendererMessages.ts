// The extension side of the renderer's messages (notebook/mime.ts): gallery actions go to the annotations of the
// run's dataset (core/annotations, the same store the editor and the review queue use) and every open renderer is
// told; a brushed histogram range gets its gallery from the executor.
import * as vscode from 'vscode';
import { applyGalleryAction } from '../../core/annotations/galleryAction';
import { annotationTargetForRun, storeFor } from '../../core/annotations/annotationTarget';
import { executeCell, type ExecEnv } from '../../core/cells/execute';
import { parseRendererMessage, type AnnotatedMessage, type AnnotateMessage, type GalleryPayload, type RangeGalleryMessage, type RequestRangeMessage } from '../../core/notebook/mime';
import type { RunCache } from './runCache';

export const RENDERER_ID = 'datadiet.renderer';

/** Stores one gallery action and says what happened (error set when it was not stored). */
export type GalleryActionSink = (msg: AnnotateMessage) => AnnotatedMessage;

export function annotationsSink(root: () => string, runs: RunCache): GalleryActionSink {
  return (msg) => {
    const run = runs.get().find((r) => r.id === msg.runId);
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

export function registerRendererMessaging(
  context: vscode.ExtensionContext,
  deps: { readonly sink: () => GalleryActionSink; readonly env: () => ExecEnv; readonly log: (line: string) => void },
): vscode.NotebookRendererMessaging {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const m = parseRendererMessage(message);
      if (!m) return deps.log(`renderer: ignored a malformed message ${JSON.stringify(message).slice(0, 200)}`);
      if (m.type === 'annotate') {
        const reply = deps.sink()(m);
        deps.log(`gallery ${m.action} of example ${m.index} (run ${m.runId})${reply.error ? `: not stored: ${reply.error}` : ''}`);
        if (reply.error) void vscode.window.showWarningMessage(`Data Diet: the ${m.action} of example ${m.index} was not stored: ${reply.error}`);
        // Every open gallery marks the example, not just the one that sent it.
        await messaging.postMessage(reply);
      } else {
        await messaging.postMessage(await rangeGallery(m, deps.env()), editor);
      }
    }),
  );
  return messaging;
}
