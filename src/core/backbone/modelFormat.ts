/**
 * Which of the two TensorFlow.js model formats a parsed model.json holds, and, for folders and files that are not
 * TensorFlow.js models at all, which format they are and how to convert them. Pure functions: the callers read
 * the files and turn a `FormatProblem` into the error they throw.
 */
import * as path from 'node:path';

/** 'layers-model': a Keras-style layer graph (tf.loadLayersModel); 'graph-model': a TensorFlow GraphDef (tf.loadGraphModel). */
export type ModelFormat = 'layers-model' | 'graph-model';

/** Why a file or folder is not a usable model, and what the user can do about it. */
export interface FormatProblem {
  readonly problem: string;
  readonly fix: string;
}

export type FormatVerdict = { readonly format: ModelFormat } | FormatProblem;

const CONVERT_KERAS = 'convert it once with: tensorflowjs_converter --input_format=keras model.h5 <out-folder> (a Keras 3 model: export a SavedModel instead, see docs/backbones.md)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Classifies a parsed model.json. The `format` field decides when present (tfjs has written it since 1.0); older
 * files are told apart by their topology: a GraphDef has a `node` list, a Keras topology a `class_name` or a
 * `model_config` (the converter's wrapper around it).
 */
export function detectModelFormat(json: unknown): FormatVerdict {
  if (!isObject(json)) {
    return { problem: 'is JSON but not an object, so not a TensorFlow.js model.json', fix: 'point at the folder a tensorflowjs_converter run wrote' };
  }
  const topology = json.modelTopology;
  if (topology === undefined) {
    if ('class_name' in json && 'config' in json) {
      return {
        problem: 'is a Keras architecture file (model.to_json()), not a TensorFlow.js model.json: it holds no weights',
        fix: `save the whole Keras model as .h5 and ${CONVERT_KERAS}`,
      };
    }
    return { problem: 'has no modelTopology, so it is not a TensorFlow.js model.json', fix: 'point at the folder a tensorflowjs_converter run wrote' };
  }
  if (!isObject(topology)) {
    return { problem: 'modelTopology is not a JSON object', fix: 'the file is damaged or not from TensorFlow.js; convert the model again' };
  }
  if (!Array.isArray(json.weightsManifest)) {
    return {
      problem: 'has no weightsManifest list, so its weights cannot be found',
      fix: 'a backbone needs its trained weights: convert the model again with tensorflowjs_converter',
    };
  }
  if (json.format === 'layers-model' || json.format === 'graph-model') return { format: json.format };
  if (json.format !== undefined) {
    return {
      problem: `has format "${String(json.format)}"; expected "layers-model" or "graph-model"`,
      fix: 'convert the model with tensorflowjs_converter (--output_format=tfjs_graph_model or tfjs_layers_model)',
    };
  }
  if (Array.isArray(topology.node)) return { format: 'graph-model' };
  if ('class_name' in topology || 'model_config' in topology) return { format: 'layers-model' };
  return { problem: 'modelTopology is neither a TensorFlow graph (no "node" list) nor a Keras model (no "class_name")', fix: 'convert the model again with tensorflowjs_converter' };
}

/**
 * Recognizes what a folder without model.json holds, from its file names, so the message can say which
 * conversion to run. Undefined when nothing is recognized.
 */
export function foreignFolderHint(names: readonly string[]): FormatProblem | undefined {
  const has = (pred: (n: string) => boolean) => names.find(pred);
  const lower = (n: string) => n.toLowerCase();
  if (names.includes('saved_model.pb') || names.includes('saved_model.pbtxt')) {
    return {
      problem: 'is a TensorFlow SavedModel (saved_model.pb), not a TensorFlow.js model',
      fix: 'convert it once with: tensorflowjs_converter --input_format=tf_saved_model <this-folder> <out-folder> (--input_format=tf_hub for a TF Hub model), then pass <out-folder>',
    };
  }
  const h5 = has((n) => /\.(h5|hdf5)$/.test(lower(n)));
  if (h5) {
    return { problem: `holds a Keras HDF5 model (${h5}), not a TensorFlow.js model`, fix: `${CONVERT_KERAS.replace('model.h5', h5)}, then pass <out-folder>` };
  }
  const keras = has((n) => lower(n).endsWith('.keras'));
  if (keras) return kerasV3Hint(keras);
  const other = has((n) => /\.(tflite|onnx|pt|pth|safetensors|ckpt|pb)$/.test(lower(n)));
  if (other) {
    return {
      problem: `holds ${other}, a format Data Diet cannot read`,
      fix: 'only TensorFlow.js models (model.json + .bin weight files) are read; export the model as a TensorFlow SavedModel and convert it with tensorflowjs_converter --input_format=tf_saved_model',
    };
  }
  const json = names.filter((n) => lower(n).endsWith('.json'));
  if (json.length > 0) {
    return { problem: `has no model.json (found ${json.join(', ')})`, fix: 'rename the TensorFlow.js model file to model.json or point at the folder that holds it' };
  }
  return undefined;
}

function kerasV3Hint(file: string): FormatProblem {
  return {
    problem: `holds a Keras 3 model (${file}), not a TensorFlow.js model`,
    fix: 'in Python, export it with model.export("saved") and convert that once with: tensorflowjs_converter --input_format=tf_saved_model saved <out-folder>, then pass <out-folder>',
  };
}

/** What to say when the backbone path names a file instead of a folder (model.json itself is accepted earlier). */
export function foreignFileHint(file: string): FormatProblem {
  const name = path.basename(file).toLowerCase();
  if (/\.(tar\.gz|tgz|tar|zip)$/.test(name)) {
    return { problem: 'is an archive', fix: 'unpack it first (e.g. mkdir model && tar xzf <archive> -C model) and pass the folder that holds model.json' };
  }
  if (/\.(h5|hdf5)$/.test(name)) {
    return { problem: 'is a Keras HDF5 model, not a TensorFlow.js model', fix: `${CONVERT_KERAS.replace('model.h5', path.basename(file))}, then pass <out-folder>` };
  }
  if (name.endsWith('.keras')) return kerasV3Hint(path.basename(file));
  return { problem: 'is a file, not a model folder', fix: 'pass the folder that holds model.json and its .bin weight files' };
}
