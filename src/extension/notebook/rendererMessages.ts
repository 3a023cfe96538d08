// Renderer messaging (renderer id datadiet.renderer): checks each message, answers it (gallery actions here, brushed
// ranges and a brushed map's thumbnails in the cell worker) and tells
// every open renderer about stored annotations.
import * as vscode from 'vscode';
import { parseRendererMessage, type RangeGalleryMessage, type RequestRangeMessage, type RequestThumbsMessage, type ThumbsMessage } from '../../core/notebook/mime';
import type { GalleryActionSink } from './galleryMessages';

export const RENDERER_ID = 'datadiet.renderer';

export function registerRendererMessaging(
  context: vscode.ExtensionContext,
  deps: {
    readonly sink: () => GalleryActionSink;
    readonly rangeGallery: (m: RequestRangeMessage) => Promise<RangeGalleryMessage>;
    readonly thumbs: (m: RequestThumbsMessage) => Promise<ThumbsMessage>;
    readonly log: (line: string) => void;
  },
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
      } else if (m.type === 'requestThumbs') {
        await messaging.postMessage(await deps.thumbs(m), editor);
      } else {
        await messaging.postMessage(await deps.rangeGallery(m), editor);
      }
    }),
  );
  return messaging;
}
