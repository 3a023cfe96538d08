/**
 * tf.io load handlers for a model folder on disk. Without tfjs-node there is no file:// handler, and handing tfjs a
 * URL string would route it to its HTTP loader; an IOHandler object keeps loading local by construction.
 */
import { io } from '@tensorflow/tfjs-core';
import { readModelFolder, type ModelFolder } from './modelFolder';

/** A handler over a folder already read (loadBackbone reads first: it needs the format to pick the loader). */
export function modelFolderHandler(folder: ModelFolder): io.IOHandler {
  return {
    // getModelArtifactsForJSON carries every model.json field (signature, initializer, metadata) to the artifacts.
    load: () => io.getModelArtifactsForJSON(folder.modelJson, async () => [folder.weightSpecs, folder.weightData]),
  };
}

/** A handler that reads the folder (or model.json path) when tfjs asks for it. */
export function folderIOHandler(target: string): io.IOHandler {
  return {
    load: async () => modelFolderHandler(await readModelFolder(target)).load!(),
  };
}
