/**
 * A loaded TensorFlow.js model seen only as a frozen function from an image batch to its first output: the two
 * formats differ in how they load, run and count weights, and nothing past this interface needs to know which.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadFrozenGraphModel } from './graphModel';
import { loadFrozenLayersModel } from './layersModel';
import { rephraseModelError } from './libraryErrors';
import type { ModelFolder } from './modelFolder';

export interface FrozenModel {
  /** The input's declared shape ([batch, height, width, channels] for an image model; null or -1 = free). */
  readonly inputShape: readonly (number | null)[] | undefined;
  readonly inputDtype: string | undefined;
  /** Number of weight values (a layers model's parameters, a graph model's constants). */
  readonly weightCount: number;
  /** Things the user should know, e.g. that only the first of several outputs is used. */
  readonly notes: readonly string[];
  /** Runs inference (no training behaviour: dropout off, batch norm on its moving statistics). */
  run(x: tf.Tensor): Promise<tf.Tensor>;
  dispose(): void;
}

export async function loadFrozenModel(folder: ModelFolder): Promise<FrozenModel> {
  try {
    return folder.format === 'layers-model' ? await loadFrozenLayersModel(folder) : await loadFrozenGraphModel(folder);
  } catch (e) {
    throw rephraseModelError(e, folder.modelJsonFile, 'build', tf.getBackend());
  }
}
