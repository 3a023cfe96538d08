/**
 * Turns what tfjs throws while building or first running a model into a DataFormatError that names model.json,
 * the op or layer at fault and what to do. Known messages are rephrased; any other keeps only its first line (no
 * stack), since a short cause still beats none.
 */
import { DataFormatError } from '../data/dataset';
import { isInputError } from '../inputError';

/** 'build': tfjs turning model.json into a model; 'run': the first forward pass on a test image. */
export type ModelStage = 'build' | 'run';

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].trim() || 'unknown error';
}

export function rephraseModelError(e: unknown, modelJsonFile: string, stage: ModelStage, backend: string): Error {
  if (isInputError(e)) return e;
  const msg = firstLine(e);
  let m: RegExpMatchArray | null;
  if ((m = msg.match(/Unknown op '([^']+)'/) ?? msg.match(/Custom op (\S+) is not registered/))) {
    return new DataFormatError(
      modelJsonFile,
      `the graph uses the TensorFlow op ${m[1]}, which TensorFlow.js cannot run`,
      `pick a variant of the model without ${m[1]}, e.g. a plain image feature vector model without built-in pre- or post-processing`,
    );
  }
  if ((m = msg.match(/Kernel '([^']+)' not registered for backend '([^']+)'/))) {
    return new DataFormatError(modelJsonFile, `the model needs the op ${m[1]}, which the ${m[2]} backend does not provide`, 'run with another compute backend (cpu provides every op)');
  }
  if (/InputLayer should be passed either a `batchInputShape` or an `inputShape`/.test(msg)) {
    // Keras 3 (TensorFlow 2.16 and later) writes `batch_shape` where TensorFlow.js layers reads `batch_input_shape`.
    return new DataFormatError(
      modelJsonFile,
      'the model was converted from Keras 3, whose layer configuration TensorFlow.js layers cannot read',
      'in Python, export it with model.export("saved") and convert that with tensorflowjs_converter --input_format=tf_saved_model, which gives a graph model',
    );
  }
  if ((m = msg.match(/Unknown layer: (\S+?)\.?(\s|$)/))) {
    return new DataFormatError(
      modelJsonFile,
      `the model uses the Keras layer ${m[1]}, which TensorFlow.js layers cannot build (a custom layer, or one from a newer Keras)`,
      'export the model as a SavedModel and convert it with tensorflowjs_converter --input_format=tf_saved_model: a graph model needs no layer classes',
    );
  }
  if ((m = msg.match(/Unknown (activation|initializer|regularizer|constraint|loss|metric)[^:]*: (\S+?)\.?(\s|$)/i))) {
    return new DataFormatError(
      modelJsonFile,
      `the model uses the Keras ${m[1].toLowerCase()} ${m[2]}, which TensorFlow.js layers does not know`,
      'export the model as a SavedModel and convert it with tensorflowjs_converter --input_format=tf_saved_model',
    );
  }
  if (/weights are not set|has no target variable|weight.*shape|shape.*weight/i.test(msg)) {
    return new DataFormatError(modelJsonFile, `the weights in weightsManifest do not match the model's layers (${msg})`, 'the .bin files and model.json come from different conversions; convert the model again');
  }
  const what = stage === 'build' ? 'could not build the model' : 'could not run the model on a test image';
  return new DataFormatError(modelJsonFile, `TensorFlow.js (${backend} backend) ${what}: ${msg}`, 'check that the folder holds an image model converted with tensorflowjs_converter');
}
