import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Helpers for kernels composed from other wasm kernels at the backend level. A kernel function receives
 * TensorInfos, not Tensors: everything it creates by calling another kernel function directly is invisible to
 * the engine, so it must be released with `backend.disposeData(dataId)` (see `Scope`), except the one output
 * it returns, which the engine takes over.
 */
export type WasmBackend = BackendWasm;
export type Attrs = tf.NamedAttrMap;

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: Attrs;
}

export type WasmKernel = (args: KernelArgs) => tf.TensorInfo;

/** The currently registered wasm kernel function `name` (throws if there is none). */
export function wasmKernel(name: string): WasmKernel {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc as unknown as WasmKernel;
}

/** Collects intermediates and releases them together. */
export class Scope {
  private readonly held: tf.TensorInfo[] = [];
  constructor(private readonly backend: WasmBackend) {}

  /** Runs the registered wasm kernel `name` and keeps its output for disposal. */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}): tf.TensorInfo {
    return this.track(wasmKernel(name)({ inputs, backend: this.backend, attrs }));
  }

  track(t: tf.TensorInfo): tf.TensorInfo {
    this.held.push(t);
    return t;
  }

  /** Stops tracking `t` (it becomes the kernel's output). */
  release(t: tf.TensorInfo): tf.TensorInfo {
    const i = this.held.lastIndexOf(t);
    if (i >= 0) this.held.splice(i, 1);
    return t;
  }

  dispose(): void {
    for (const t of this.held) this.backend.disposeData(t.dataId);
    this.held.length = 0;
  }
}

/** A Float32Array view of a tensor's data in the wasm heap (valid until the next allocation). */
export function heapF32(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export type Shape4 = [number, number, number, number];

export function asShape4(shape: readonly number[], what: string): Shape4 {
  if (shape.length !== 4) throw new Error(`${what}: expected a rank-4 shape, got [${shape.join(', ')}]`);
  return [shape[0], shape[1], shape[2], shape[3]];
}

/** Normalizes a conv stride/dilation attribute (number or [h, w]) to [h, w]. */
export function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  throw new Error(`${what}: expected a number or a pair of numbers, got ${JSON.stringify(v)}`);
}

export type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type RoundingAttr = 'floor' | 'round' | 'ceil' | undefined;

/** Throws unless the conv attributes describe the NHWC layout these kernels implement. */
export function assertNHWC(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports only the NHWC data format, got ${String(dataFormat)}`);
  }
}

/** The input `name` of a kernel call (throws a clear error when absent). */
export function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`${kernel}: missing input ${name}`);
  return t;
}
