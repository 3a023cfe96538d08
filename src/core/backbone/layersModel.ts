/** A tfjs-layers model (Keras-style, format "layers-model") as a FrozenModel. */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DataFormatError } from '../data/dataset';
import { modelFolderHandler } from './folderIOHandler';
import type { FrozenModel } from './frozenModel';
import type { ModelFolder } from './modelFolder';

export async function loadFrozenLayersModel(folder: ModelFolder): Promise<FrozenModel> {
  // strict: a weight in model.json that no layer takes, or a layer left without weights, is an error, not a warning.
  const model = await tfl.loadLayersModel(modelFolderHandler(folder), { strict: true });
  if (model.inputs.length !== 1) {
    model.dispose();
    throw new DataFormatError(folder.modelJsonFile, `the model has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}); a backbone takes one image input`, 'use a model with a single image input');
  }
  const notes: string[] = [];
  let net: tfl.LayersModel = model;
  if (model.outputs.length > 1) {
    notes.push(`the model has ${model.outputs.length} outputs; using the first (${model.outputs[0].name})`);
    // A model over the same layers with only the first output, so the others are never computed.
    net = tfl.model({ inputs: model.inputs, outputs: model.outputs[0] });
  }
  return {
    inputShape: model.inputs[0].shape,
    inputDtype: model.inputs[0].dtype,
    weightCount: model.countParams(),
    notes,
    run: async (x: tf.Tensor) => net.predict(x, { batchSize: x.shape[0] }) as tf.Tensor,
    dispose: () => model.dispose(),
  };
}
