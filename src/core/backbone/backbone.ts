/**
 * A pretrained TensorFlow.js model from a local folder, used frozen as an image feature extractor. Loading reads
 * the folder (never the network), builds the model with the loader its format needs, resolves the input size and
 * runs one test batch: that pass finds ops the graph cannot run while the user is still at the command line,
 * gives the feature dimension whatever the output's shape, and measures the memory one example takes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataFormatError } from '../data/dataset';
import { loadFrozenModel, type FrozenModel } from './frozenModel';
import { resolveInput, type BackboneInput, type InputSizeRequest } from './inputSignature';
import { rephraseModelError } from './libraryErrors';
import type { ModelFormat } from './modelFormat';
import { readModelFolder } from './modelFolder';

export interface BackboneOptions {
  /** Height and width to feed a model whose input size is free (default DEFAULT_INPUT_SIZE). */
  readonly inputSize?: InputSizeRequest;
}

export interface Backbone {
  /** The folder holding model.json. */
  readonly dir: string;
  readonly modelJsonFile: string;
  readonly format: ModelFormat;
  readonly input: BackboneInput;
  /** Length of one example's feature vector: the first output, flattened. */
  readonly featureDim: number;
  /** sha256 (hex) of model.json and the weight bytes: changes whenever the model does. */
  readonly fingerprint: string;
  readonly weightCount: number;
  /** One line for logs and run manifests, e.g. "graph model, 3.5M weights, input 224x224x3, 1280 features". */
  readonly description: string;
  readonly notes: readonly string[];
  /** Memory one example took in the load-time test pass (activations and input), for choosing batch sizes. */
  readonly bytesPerExample: number;
  /** Runs the model on a preprocessed batch [n, H, W, C] and returns [n, featureDim] float32; the caller disposes both. */
  embed(x: tf.Tensor4D): Promise<tf.Tensor2D>;
  dispose(): void;
}

export async function loadBackbone(dir: string, opts: BackboneOptions = {}): Promise<Backbone> {
  const folder = await readModelFolder(dir);
  const model = await loadFrozenModel(folder);
  try {
    const input = resolveInput(model.inputShape, model.inputDtype, opts.inputSize, folder.modelJsonFile);
    const probe = await testPass(model, input, folder.modelJsonFile);
    const embed = async (x: tf.Tensor4D): Promise<tf.Tensor2D> => {
      const out = await model.run(x);
      try {
        return tf.tidy(() => tf.cast(tf.reshape(out, [x.shape[0], probe.featureDim]), 'float32') as tf.Tensor2D);
      } finally {
        if (out !== x) out.dispose();
      }
    };
    return {
      dir: folder.dir,
      modelJsonFile: folder.modelJsonFile,
      format: folder.format,
      input,
      featureDim: probe.featureDim,
      fingerprint: folder.fingerprint,
      weightCount: model.weightCount,
      description: describe(folder.format, model, input, probe.featureDim),
      notes: model.notes,
      bytesPerExample: probe.bytesPerExample,
      embed,
      dispose: () => model.dispose(),
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

interface TestPass {
  readonly featureDim: number;
  readonly bytesPerExample: number;
}

/** One forward pass on a black batch, under tf.profile to measure its peak memory. */
async function testPass(model: FrozenModel, input: BackboneInput, modelJsonFile: string): Promise<TestPass> {
  const n = input.fixedBatch ?? 1;
  const x = tf.zeros([n, input.height, input.width, input.channels], input.dtype);
  const before = tf.memory().numBytes;
  let out: tf.Tensor | undefined;
  try {
    const info = await tf.profile(async () => {
      out = await model.run(x);
      return out;
    });
    const peak = Math.max(before, ...info.kernels.map((k) => k.totalBytesSnapshot));
    const shape = out!.shape;
    if (shape.length === 0 || shape[0] !== n) {
      throw new DataFormatError(modelJsonFile, `the model's output for a batch of ${n} has shape [${shape.join(', ')}], with no batch dimension first`, 'use a model whose output is one feature vector per image');
    }
    const featureDim = out!.size / n;
    if (featureDim === 0) throw new DataFormatError(modelJsonFile, `the model's output [${shape.join(', ')}] is empty`, 'use a model whose output is one feature vector per image');
    return { featureDim, bytesPerExample: (peak - before + x.size * 4) / n };
  } catch (e) {
    throw rephraseModelError(e, modelJsonFile, 'run', tf.getBackend());
  } finally {
    if (out && out !== x) out.dispose();
    x.dispose();
  }
}

function describe(format: ModelFormat, model: FrozenModel, input: BackboneInput, featureDim: number): string {
  const kind = format === 'layers-model' ? 'layers model' : 'graph model';
  const weights = `${shortCount(model.weightCount)} ${format === 'layers-model' ? 'parameters' : 'weights'}`;
  const size = `input ${input.height}x${input.width}x${input.channels}${input.sizeChosen ? ' (the model takes any size)' : ''}`;
  return [`${kind}, ${weights}, ${size}, ${featureDim} features`, ...model.notes].join('; ');
}

function shortCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
