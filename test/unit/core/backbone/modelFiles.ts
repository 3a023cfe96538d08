/**
 * Writes TensorFlow.js model folders the way tensorflowjs_converter lays them out (model.json next to
 * group1-shard<i>of<n>.bin files), for the backbone tests: layers models saved from tfjs-layers, and graph models
 * written by hand as JSON GraphDefs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface FolderContents {
  readonly format: 'layers-model' | 'graph-model';
  readonly modelTopology: object;
  readonly weightSpecs: io.WeightsManifestEntry[];
  readonly weightData: Uint8Array;
  /** Split the weights into shards of at most this many bytes (the converter's default is 4 MiB). */
  readonly shardBytes?: number;
  /** Extra model.json fields (signature, userDefinedMetadata). */
  readonly extra?: object;
}

/** Writes model.json and its shards; returns the shard file names in order. */
export function writeModelFolder(dir: string, c: FolderContents): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const size = c.shardBytes ?? 4 * 2 ** 20;
  const n = Math.max(1, Math.ceil(c.weightData.byteLength / size));
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `group1-shard${i + 1}of${n}.bin`;
    fs.writeFileSync(path.join(dir, name), c.weightData.subarray(i * size, Math.min(c.weightData.byteLength, (i + 1) * size)));
    paths.push(name);
  }
  const modelJson = {
    format: c.format,
    generatedBy: c.format === 'layers-model' ? 'keras v2.15.0' : '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    ...c.extra,
    modelTopology: c.modelTopology,
    weightsManifest: [{ paths, weights: c.weightSpecs }],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return paths;
}

function bytesOf(data: io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((s, b) => s + b.byteLength, 0));
  let o = 0;
  for (const b of parts) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/**
 * Saves a tfjs-layers model through an IOHandler that writes the converter's layout; the topology is wrapped in
 * `model_config` as tensorflowjs_converter --input_format=keras writes it.
 */
export async function saveLayersModel(model: tfl.LayersModel, dir: string, shardBytes?: number): Promise<string[]> {
  let paths: string[] = [];
  await model.save({
    save: async (a) => {
      const { class_name, config, ...rest } = a.modelTopology as Record<string, unknown>;
      paths = writeModelFolder(dir, {
        format: 'layers-model',
        modelTopology: { ...rest, model_config: { class_name, config } },
        weightSpecs: a.weightSpecs ?? [],
        weightData: bytesOf(a.weightData),
        shardBytes,
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return paths;
}

// ------------------------------------------------------------------------------------------- graph models

/** A GraphDef tensor shape as the converter's JSON writes it (sizes are strings, -1 = free). */
export function dims(...d: number[]): { dim: { size: string }[] } {
  return { dim: d.map((x) => ({ size: String(x) })) };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const T = { T: { type: 'DT_FLOAT' } };

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: string[];
  readonly attr?: Record<string, unknown>;
}

export const node = {
  placeholder: (name: string, ...shape: number[]): GraphNode => ({ name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(...shape) } } }),
  constant: (name: string, shape: number[], dtype: 'DT_FLOAT' | 'DT_INT32' = 'DT_FLOAT'): GraphNode => ({
    name,
    op: 'Const',
    attr: { value: { tensor: { dtype, tensorShape: dims(...shape) } }, dtype: { type: dtype } },
  }),
  conv2d: (name: string, x: string, k: string, padding: 'SAME' | 'VALID'): GraphNode => ({
    name,
    op: 'Conv2D',
    input: [x, k],
    attr: { ...T, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64(padding) }, data_format: { s: b64('NHWC') }, dilations: { list: { i: ['1', '1', '1', '1'] } } },
  }),
  matMul: (name: string, a: string, b: string): GraphNode => ({ name, op: 'MatMul', input: [a, b], attr: { ...T, transpose_a: { b: false }, transpose_b: { b: false } } }),
  biasAdd: (name: string, x: string, b: string): GraphNode => ({ name, op: 'BiasAdd', input: [x, b], attr: { ...T, data_format: { s: b64('NHWC') } } }),
  relu: (name: string, x: string): GraphNode => ({ name, op: 'Relu', input: [x], attr: { ...T } }),
  mean: (name: string, x: string, axes: string): GraphNode => ({ name, op: 'Mean', input: [x, axes], attr: { ...T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } }),
  reshape: (name: string, x: string, shape: string): GraphNode => ({ name, op: 'Reshape', input: [x, shape], attr: { ...T, Tshape: { type: 'DT_INT32' } } }),
  op: (name: string, op: string, ...input: string[]): GraphNode => ({ name, op, input, attr: { ...T } }),
};

/** A named constant's value, stored in the weight shards in the order given. */
export interface GraphWeight {
  readonly name: string;
  readonly shape: number[];
  readonly values: Float32Array | Int32Array;
}

export function writeGraphModel(dir: string, nodes: readonly GraphNode[], weights: readonly GraphWeight[], opts: { shardBytes?: number; extra?: object } = {}): string[] {
  const data = new Uint8Array(weights.reduce((s, w) => s + w.values.byteLength, 0));
  let o = 0;
  for (const w of weights) {
    data.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), o);
    o += w.values.byteLength;
  }
  return writeModelFolder(dir, {
    format: 'graph-model',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1482 } },
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.values instanceof Int32Array ? 'int32' : 'float32' })),
    weightData: data,
    shardBytes: opts.shardBytes,
    extra: opts.extra,
  });
}

/** Deterministic, varied values in [-1, 1] (no RNG: fixtures must not depend on seeding). */
export function pattern(n: number, salt = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i * 7 + salt * 13) % 11) - 5) / 5);
}

export interface ConvMeanGraph {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  /** The features by hand: per example, the mean over pixels of relu(x . kernel + bias); x is NHWC float. */
  reference(x: Float32Array, count: number): Float32Array;
}

/**
 * Placeholder [-1, height, width, channels] -> Conv2D 1x1 -> BiasAdd -> Relu -> Mean over height and width: a global
 * average pooled conv layer, the shape of most image feature extractors' heads. -1 sizes make the input free.
 */
export function writeConvMeanGraph(dir: string, g: { height: number; width: number; channels: number; filters: number; shardBytes?: number }): ConvMeanGraph {
  const kernel = pattern(g.channels * g.filters, 1);
  const bias = Float32Array.from({ length: g.filters }, (_, f) => (f % 3) * 0.25 - 0.25);
  writeGraphModel(
    dir,
    [
      node.placeholder('image', -1, g.height, g.width, g.channels),
      node.constant('conv/kernel', [1, 1, g.channels, g.filters]),
      node.conv2d('conv', 'image', 'conv/kernel', 'VALID'),
      node.constant('conv/bias', [g.filters]),
      node.biasAdd('conv/biasadd', 'conv', 'conv/bias'),
      node.relu('conv/relu', 'conv/biasadd'),
      node.constant('pool/axes', [2], 'DT_INT32'),
      node.mean('pool', 'conv/relu', 'pool/axes'),
    ],
    [
      { name: 'conv/kernel', shape: [1, 1, g.channels, g.filters], values: kernel },
      { name: 'conv/bias', shape: [g.filters], values: bias },
      { name: 'pool/axes', shape: [2], values: Int32Array.from([1, 2]) },
    ],
    { shardBytes: g.shardBytes },
  );
  const reference = (x: Float32Array, count: number): Float32Array => {
    const c = g.channels;
    const pixels = x.length / count / c;
    const out = new Float32Array(count * g.filters);
    for (let e = 0; e < count; e++) {
      for (let f = 0; f < g.filters; f++) {
        let sum = 0;
        for (let p = 0; p < pixels; p++) {
          let z = bias[f];
          for (let k = 0; k < c; k++) z += x[(e * pixels + p) * c + k] * kernel[k * g.filters + f];
          sum += Math.max(0, z);
        }
        out[e * g.filters + f] = sum / pixels;
      }
    }
    return out;
  };
  return { kernel, bias, reference };
}
