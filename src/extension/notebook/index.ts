// Notebook support: the Data Diet kernel, the cell language's editor features, renderer messaging and the notebook
// commands. One call from activate().
import * as vscode from 'vscode';
import type { EngineHost } from '../engineHost';
import type { Settings } from '../settings';
import { DataDietController } from './controller';
import { registerLanguageFeatures } from './languageFeatures';
import { registerNotebookCommands } from './notebookCommands';
import { annotationsSink, type GalleryActionSink } from './galleryMessages';
import { registerRendererMessaging } from './rendererMessages';
import { RunCache } from './runCache';

export interface NotebookApi {
  readonly controller: DataDietController;
  /** Replaces where gallery actions go (default: the annotations of the run's dataset). */
  setGalleryActionSink(sink: GalleryActionSink): void;
}

export function registerNotebooks(
  context: vscode.ExtensionContext,
  deps: { readonly host: EngineHost; readonly runsRoot: () => string; readonly settings: () => Settings; readonly log: (line: string) => void },
): NotebookApi {
  const runCache = new RunCache(deps.runsRoot);
  const controller = new DataDietController({ ...deps, runCache, cellWorker: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cellWorker.js').fsPath });
  context.subscriptions.push(controller);
  for (const nb of vscode.workspace.notebookDocuments) controller.updateAffinity(nb);
  context.subscriptions.push(vscode.workspace.onDidOpenNotebookDocument((nb) => controller.updateAffinity(nb)));
  registerLanguageFeatures(context, runCache);
  let sink = annotationsSink(deps.runsRoot, () => runCache.get());
  registerRendererMessaging(context, {
    sink: () => sink,
    rangeGallery: (m) => controller.cells.rangeGallery(m, controller.context()).catch((e: Error) => ({ type: 'rangeGallery' as const, requestId: m.requestId, error: e.message })),
    thumbs: (m) => controller.cells.thumbs(m, controller.context()).catch((e: Error) => ({ type: 'thumbs' as const, requestId: m.requestId, error: e.message })),
    log: deps.log,
  });
  registerNotebookCommands(context, { runsRoot: deps.runsRoot, runs: runCache });
  return {
    controller,
    setGalleryActionSink: (s) => {
      sink = s;
    },
  };
}
