import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * The optional native CPU kernels (native/, an N-API addon that `npm install` builds when a C++ compiler and
 * oneDNN's headers are there: Debian/Ubuntu `libdnnl-dev`): NHWC convolutions (forward, input and filter
 * gradients) and matrix products on oneDNN, the library PyTorch CPU runs its convolutions on. The wasm backend's
 * conv and matmul kernels call them when they are loaded (`nativeKernels()`) and otherwise, or for a shape
 * oneDNN declines, run their own SIMD loops.
 *
 * Why: the wasm loops reach ~30 GFLOP/s per thread with 128-bit vectors; oneDNN's JIT kernels use AVX-512/AVX2
 * and reach 300-460 GFLOP/s on this 2-core machine (native/README.md has the measurements).
 */
export interface NativeApi {
  /** Creates oneDNN's CPU engine; returns e.g. 'oneDNN 2.6.3 OpenMP'. Throws when it cannot. */
  init(): string;
  /** The widest instruction set oneDNN's JIT dispatches to on this CPU, e.g. 'avx512_core_bf16'. */
  isa(): string;
  /** Sets (n > 0) and returns oneDNN's thread count. */
  setThreads(n: number): number;
  /**
   * kind 0 forward (x, filter, y), 1 input gradient (dy, filter, dx), 2 filter gradient (x, dy, dw); dims: [N, H,
   * W, Ci, KH, KW, Co, OH, OW, strideH, strideW, padTop, padLeft, dilH, dilW]. Returns the oneDNN implementation
   * that ran; throws when oneDNN cannot run this convolution.
   */
  conv(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): string;
  /**
   * Inference: out = act(conv(x, filter * scale) + shift [+ residual]) (scale, shift per output channel; act ReLU
   * when relu); dims as for conv. Returns the oneDNN implementation that ran.
   */
  convFused(
    x: Float32Array,
    filter: Float32Array,
    scale: Float32Array,
    shift: Float32Array,
    residual: Float32Array | null,
    out: Float32Array,
    dims: Int32Array,
    relu: boolean,
  ): string;
  /** out[i] = squared norm of example i's filter gradient (exact GraNd's conv part); dims as for conv. */
  convGradSqNorms(x: Float32Array, dy: Float32Array, out: Float32Array, dims: Int32Array): void;
  /** c[m, n] = op(a) op(b) + beta c (row-major, dense). */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, beta: number): void;
}

export interface NativeStatus {
  readonly loaded: boolean;
  /** 'oneDNN 2.6.3 OpenMP, JIT for avx512_core, 2 threads', or why the native kernels are not used. */
  readonly detail: string;
}

const ADDON = path.join('native', 'build', 'Release', 'datadiet_native.node');

/** The addon file: $DATADIET_NATIVE_ADDON, else native/build/Release/ in this package (searched upwards). */
export function findNativeAddon(start = __dirname): string | undefined {
  const env = process.env.DATADIET_NATIVE_ADDON;
  if (env) return fs.existsSync(env) ? env : undefined;
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, ADDON);
    if (fs.existsSync(p)) return p;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

let api: NativeApi | undefined;
let status: NativeStatus = { loaded: false, detail: 'not loaded' };
let version = '';

/**
 * Loads the addon and starts oneDNN (idempotent; the thread count is updated). Never throws: `status.detail` says why
 * it is not available. DATADIET_NATIVE=0 switches it off.
 */
export function loadNative(threads: number): NativeStatus {
  if (process.env.DATADIET_NATIVE === '0' || process.env.DATADIET_NATIVE === 'off') {
    api = undefined;
    status = { loaded: false, detail: 'switched off (DATADIET_NATIVE=0)' };
    return status;
  }
  if (!api) {
    const file = findNativeAddon();
    if (!file) {
      status = { loaded: false, detail: 'native kernels not built (npm install builds them where g++ and libdnnl-dev are installed)' };
      return status;
    }
    // OpenMP's idle threads spin by default after each parallel region, taking the cores from the wasm threads
    // that run everything between two convolutions (measured: cnn-small inference 8.5k -> 10-11k examples/s with
    // 'passive'). libgomp reads this once, when the addon loads it; the variable is removed again afterwards so
    // that child processes (the PyTorch benchmark) see the user's environment.
    const policy = process.env.OMP_WAIT_POLICY;
    if (policy === undefined) process.env.OMP_WAIT_POLICY = 'passive';
    try {
      const mod = createRequire(__filename)(file) as NativeApi;
      version = mod.init();
      version += `, JIT for ${mod.isa()}`;
      api = mod;
    } catch (e) {
      status = { loaded: false, detail: `native kernels failed to load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
      return status;
    } finally {
      if (policy === undefined) delete process.env.OMP_WAIT_POLICY;
    }
  }
  const n = api.setThreads(Math.max(1, Math.floor(threads)));
  status = { loaded: true, detail: `${version}, ${n} thread${n === 1 ? '' : 's'}` };
  return status;
}

/** Stops using the native kernels (tests compare both paths); `loadNative` turns them on again. */
export function unloadNative(): void {
  api = undefined;
  status = { loaded: false, detail: 'unloaded' };
}

/** The loaded native kernels, or undefined (then callers use their own code). */
export function nativeKernels(): NativeApi | undefined {
  return api;
}

export function nativeStatus(): NativeStatus {
  return status;
}
