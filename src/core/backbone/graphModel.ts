/** A tfjs-converter graph model (a TensorFlow GraphDef, format "graph-model") as a FrozenModel. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import { DataFormatError } from '../data/dataset';
import { modelFolderHandler } from './folderIOHandler';
import type { FrozenModel } from './frozenModel';
import type { ModelFolder } from './modelFolder';

/** tfjs's message when a graph has control flow (If, While): only executeAsync can run it. */
const NEEDS_ASYNC = /executeAsync/;

export async function loadFrozenGraphModel(folder: ModelFolder): Promise<FrozenModel> {
  const model = await tfconv.loadGraphModel(modelFolderHandler(folder));
  const inputs = model.inputs;
  if (inputs.length !== 1) {
    model.dispose();
    throw new DataFormatError(folder.modelJsonFile, `the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); a backbone takes one image input`, 'convert a signature with a single image input');
  }
  const outputs = model.outputNodes;
  const first = outputs[0];
  const notes = outputs.length > 1 ? [`the graph has ${outputs.length} outputs (${outputs.join(', ')}); using the first (${first})`] : [];
  let weightCount = 0;
  for (const ts of Object.values(model.weights)) for (const t of ts) weightCount += t.size;
  let async = false;
  const run = async (x: tf.Tensor): Promise<tf.Tensor> => {
    if (!async) {
      try {
        // execute() computes only what `first` depends on; tidy frees what it leaves behind.
        return tf.tidy(() => model.execute(x, first) as tf.Tensor);
      } catch (e) {
        if (!(e instanceof Error && NEEDS_ASYNC.test(e.message))) throw e;
        async = true;
      }
    }
    return (await model.executeAsync(x, first)) as tf.Tensor;
  };
  return { inputShape: inputs[0].shape, inputDtype: inputs[0].dtype, weightCount, notes, run, dispose: () => model.dispose() };
}
