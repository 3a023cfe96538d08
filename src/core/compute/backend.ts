import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasmPkg from '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './kernels/index';
import { findNativeAddon, loadNative, nativeStatus, unloadNative } from './native';
import { createThreadedWasmBackend, MAX_WASM_THREADS, threadsUnsupportedReason } from './wasmThreads';

/**
 * Picks the compute backend. 'auto' tries, in order, tfjs-node-gpu > tfjs-node > webgpu (a hardware adapter only; a
 * software one such as lavapipe is slower than wasm) > wasm > cpu; every
 * candidate is tried in its own try/catch and optional packages are loaded only when tried, so a missing one is
 * simply skipped with the reason recorded. An explicit choice that cannot start throws BackendUnavailableError.
 */

import { BACKEND_CHOICES, type BackendChoice } from '../../contract/choices';

export { BACKEND_CHOICES, type BackendChoice };
export type ConcreteBackend = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** The backend that runs, as a choice that reproduces it (never 'auto'). What runs record. */
  readonly name: ConcreteBackend;
  /** Human-readable device, e.g. 'wasm (SIMD, 2 threads)'. */
  readonly device: string;
  /** Why this one: the explicit request, or why each better candidate was skipped. */
  readonly reason: string;
  /** Threads the backend computes with, where it is known (wasm, cpu). */
  readonly threads?: number;
}

export interface InitBackendOptions {
  /** wasm threads (1..8). Default: min(available parallelism, 4). Ignored by other backends. */
  readonly threads?: number;
  /**
   * wasm only: run convolutions and matrix products on the native kernels (native/, oneDNN) when they load
   * (default true; DATADIET_NATIVE=0 also switches them off).
   */
  readonly native?: boolean;
  /** Give up on a WebGPU adapter request after this long (default 10 s). */
  readonly adapterTimeoutMs?: number;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly choice: BackendChoice,
    readonly reason: string,
  ) {
    super(`backend ${choice} is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

/** A candidate that cannot run here; `reason` says why in a few words. */
class Skip extends Error {}

const AUTO_ORDER: readonly ConcreteBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'];

export async function initBackend(choice: BackendChoice = 'auto', opts: InitBackendOptions = {}): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`unknown backend ${String(choice)}; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  if (choice !== 'auto') {
    try {
      return await start(choice, opts, 'requested', false);
    } catch (e) {
      throw new BackendUnavailableError(choice, message(e));
    }
  }
  const skipped: string[] = [];
  for (const c of AUTO_ORDER) {
    try {
      return await start(c, opts, skipped.length ? skipped.join('; ') : 'first available in auto order', true);
    } catch (e) {
      skipped.push(`${c}: ${message(e)}`);
    }
  }
  throw new BackendUnavailableError('auto', skipped.join('; '));
}

async function start(c: ConcreteBackend, opts: InitBackendOptions, reason: string, auto: boolean): Promise<BackendInfo> {
  switch (c) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      return startTfjsNode(c, reason);
    case 'webgpu':
      return startWebgpu(reason, auto, opts.adapterTimeoutMs ?? 10000);
    case 'wasm':
      return startWasm(reason, opts.threads, opts.native ?? true);
    case 'cpu':
      return startCpu(reason);
  }
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].trim() || 'failed';
}

// ---------------------------------------------------------------------------------------------- tfjs-node

function requireTfjsNode(c: 'tfjs-node-gpu' | 'tfjs-node'): void {
  // Literal requires: these packages are external to the bundles and resolved at run time when installed.
  if (c === 'tfjs-node-gpu') {
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      throw new Skip('@tensorflow/tfjs-node-gpu not installed');
    }
    require('@tensorflow/tfjs-node-gpu');
  } else {
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      throw new Skip('@tensorflow/tfjs-node not installed');
    }
    require('@tensorflow/tfjs-node');
  }
}

async function startTfjsNode(c: 'tfjs-node-gpu' | 'tfjs-node', reason: string): Promise<BackendInfo> {
  try {
    requireTfjsNode(c);
  } catch (e) {
    if (e instanceof Skip) throw e;
    throw new Skip(`@tensorflow/${c} failed to load (${message(e)})`);
  }
  if (!tf.findBackendFactory('tensorflow')) throw new Skip(`@tensorflow/${c} registered no 'tensorflow' backend`);
  if (!(await quietly(() => tf.setBackend('tensorflow')))) throw new Skip('libtensorflow failed to initialize');
  return {
    name: c,
    device: c === 'tfjs-node-gpu' ? 'tensorflow (libtensorflow GPU build, CUDA)' : 'tensorflow (libtensorflow CPU)',
    reason,
  };
}

// ---------------------------------------------------------------------------------------------- webgpu

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
  /** Older spelling of info.isFallbackAdapter. */
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}
interface WebgpuModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** Is a Vulkan loader present? Dawn needs one on Linux; without it, loading it only prints a warning. */
export function hasVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  const name = 'libvulkan.so.1';
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/lib64',
    '/usr/local/lib',
  ];
  if (dirs.some((d) => fs.existsSync(path.join(d, name)))) return true;
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return false;
  }
}

function loadWebgpu(): WebgpuModule {
  try {
    require.resolve('webgpu');
  } catch {
    throw new Skip('webgpu package not installed');
  }
  try {
    // An ES module; Node >= 20.19 can require() it.
    return require('webgpu') as WebgpuModule;
  } catch (e) {
    throw new Skip(`webgpu package failed to load (${message(e)})`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Skip(`${what} timed out after ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A CPU-emulated adapter (Mesa lavapipe/llvmpipe, SwiftShader, WARP): correct, but far slower than the wasm
 * path, so 'auto' never picks it; an explicit 'webgpu' may (the tests use it to check the WebGPU path).
 */
export function isSoftwareAdapter(a: GpuAdapterLike): boolean {
  const i = a.info ?? {};
  if (i.isFallbackAdapter === true || a.isFallbackAdapter === true) return true;
  const text = [i.vendor, i.architecture, i.description, i.device].filter((s) => s).join(' ');
  return /\b(software|llvmpipe|lavapipe|swiftshader|warp)\b/i.test(text) || /microsoft basic render/i.test(text);
}

function adapterDescription(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  return [i.vendor, i.architecture, i.description || i.device].filter((s) => s).join(' ');
}

async function startWebgpu(reason: string, auto: boolean, timeoutMs: number): Promise<BackendInfo> {
  if (tf.engine().registry.webgpu) {
    if (auto && webgpuSoftware) throw new Skip(`software adapter only, slower than wasm (${webgpuDevice})`);
    if (await quietly(() => tf.setBackend('webgpu'))) return { name: 'webgpu', device: webgpuDevice, reason };
  }
  if (auto && !hasVulkanLoader()) throw new Skip('no Vulkan loader (libvulkan.so.1), so no GPU adapter');
  const mod = loadWebgpu();
  const g = globalThis as unknown as Record<string, unknown>;
  const added = Object.keys(mod.globals).filter((k) => !(k in g));
  for (const k of added) g[k] = mod.globals[k];
  let adapter: GpuAdapterLike | null = null;
  let gpu: GpuLike;
  try {
    gpu = mod.create([]);
    adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'adapter request');
  } catch (e) {
    for (const k of added) delete g[k];
    throw e instanceof Skip ? e : new Skip(`webgpu failed (${message(e)})`);
  }
  if (!adapter) {
    for (const k of added) delete g[k];
    throw new Skip('no adapter (needs a GPU with a Vulkan, Metal or D3D12 driver)');
  }
  if (auto && isSoftwareAdapter(adapter)) {
    for (const k of added) delete g[k];
    throw new Skip(`software adapter only (${adapterDescription(adapter) || 'fallback'}); slower than wasm`);
  }
  // tfjs-backend-webgpu registers itself on import only when navigator.gpu exists.
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  try {
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new Skip(`@tensorflow/tfjs-backend-webgpu failed to load (${message(e)})`);
  }
  if (!tf.findBackendFactory('webgpu')) throw new Skip('@tensorflow/tfjs-backend-webgpu registered no backend');
  if (!(await quietly(() => tf.setBackend('webgpu')))) throw new Skip('WebGPU device creation failed');
  webgpuDevice = `webgpu (${adapterDescription(adapter) || 'GPU'})`;
  webgpuSoftware = isSoftwareAdapter(adapter);
  return { name: 'webgpu', device: webgpuDevice, reason };
}
let webgpuDevice = 'webgpu (GPU)';
/** Whether the registered 'webgpu' backend runs on a software adapter (see isSoftwareAdapter). */
let webgpuSoftware = false;

// ---------------------------------------------------------------------------------------------- wasm

const SIMD_WASM = 'tfjs-backend-wasm-simd.wasm';

/** Directory holding the tfjs .wasm binaries: `wasm/` next to the bundle, else the installed package's dist. */
export function wasmBinaryDir(): string {
  const local = path.join(__dirname, 'wasm');
  if (fs.existsSync(path.join(local, SIMD_WASM))) return local;
  // createRequire: resolved at run time from here (bundlers leave it alone), i.e. from node_modules.
  const req = createRequire(__filename);
  return path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/** The default wasm thread count: the machine's parallelism, at most 4. */
export function defaultWasmThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, n));
}

let wasmPathsSet = false;
let stockWasmFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
/** Threads requested for the live 'wasm' backend instance, and what it delivered. */
let liveWasm: { requested: number; threads: number; note: string } | undefined;

/** Replaces the factory of 'wasm' (disposing a live instance: its tensors become invalid). */
function setWasmFactory(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>): void {
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
}

async function startWasm(reason: string, threadsOpt: number | undefined, native: boolean): Promise<BackendInfo> {
  const requested = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threadsOpt ?? defaultWasmThreads())));
  const dir = wasmBinaryDir();
  if (!fs.existsSync(path.join(dir, SIMD_WASM)) && !fs.existsSync(path.join(dir, 'tfjs-backend-wasm.wasm'))) {
    throw new Skip(`tfjs wasm binaries not found in ${dir}`);
  }
  if (!wasmPathsSet) {
    wasmPkg.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    wasmPathsSet = true;
  }
  stockWasmFactory ??= tf.findBackendFactory('wasm') ?? undefined;
  if (!stockWasmFactory) throw new Skip('@tensorflow/tfjs-backend-wasm registered no backend');
  registerWasmKernels();

  if (!(liveWasm && liveWasm.requested === requested && tf.engine().registry.wasm)) {
    liveWasm = undefined;
    let note = '';
    if (requested > 1) {
      try {
        const { backend, threads } = await createThreadedWasmBackend(dir, requested);
        setWasmFactory(() => backend);
        liveWasm = { requested, threads, note: '' };
      } catch (e) {
        note = `; ${requested} threads unavailable (${message(e)}), using 1`;
      }
    }
    if (!liveWasm) {
      const stock = stockWasmFactory;
      wasmPkg.setThreadsCount(1);
      setWasmFactory(stock);
      liveWasm = { requested, threads: 1, note };
    }
  }
  if (!(await quietly(() => tf.setBackend('wasm')))) {
    liveWasm = undefined;
    throw new Skip('the wasm module failed to initialize');
  }
  const threads = wasmPkg.getThreadsCount() > 0 ? wasmPkg.getThreadsCount() : liveWasm.threads;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  // The native kernels get as many threads as the wasm backend (they never run at the same time).
  if (native) loadNative(threads);
  else unloadNative();
  const nativeNote = liveNativeDetail() ?? '';
  return {
    name: 'wasm',
    device: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${nativeNote})`,
    reason: reason + liveWasm.note,
    threads,
  };
}

/** '; native ...: oneDNN 2.6.3 ...' when the native kernels are loaded now, else undefined. */
function liveNativeDetail(): string | undefined {
  const st = nativeStatus();
  return st.loaded ? `; native convolutions and matrix products: ${st.detail}` : undefined;
}

// ---------------------------------------------------------------------------------------------- cpu

async function startCpu(reason: string): Promise<BackendInfo> {
  if (!(await quietly(() => tf.setBackend('cpu')))) throw new Skip('the cpu backend failed to initialize');
  return { name: 'cpu', device: 'cpu (plain JavaScript; slow for training)', reason, threads: 1 };
}

/** Runs f with tfjs's console warnings (e.g. "Initialization of backend X failed") silenced. */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await f();
  } finally {
    console.warn = warn;
  }
}

// ---------------------------------------------------------------------------------------------- listing

export interface BackendAvailability {
  readonly name: ConcreteBackend;
  readonly available: boolean;
  /** What it would run on, or why not. */
  readonly detail: string;
}

/**
 * What each backend would do here, for the UI; cheap, and switches nothing. "available" is a best guess for
 * tfjs-node(-gpu) (installed; its native library is loaded only when chosen) and for webgpu (an adapter was
 * found, the device is not created).
 */
export async function availableBackends(opts: { adapterTimeoutMs?: number } = {}): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const c of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    const pkg = `@tensorflow/${c}`;
    let ok = false;
    try {
      require.resolve(pkg);
      ok = true;
    } catch {
      // not installed
    }
    out.push({ name: c, available: ok, detail: ok ? `${pkg} installed` : `${pkg} not installed` });
  }
  out.push(await probeWebgpu(opts.adapterTimeoutMs ?? 10000));
  let wasmDetail: string;
  let wasmOk = true;
  try {
    const dir = wasmBinaryDir();
    wasmOk = fs.existsSync(path.join(dir, SIMD_WASM));
    const why = threadsUnsupportedReason();
    wasmDetail = wasmOk
      ? `SIMD; ${why ? `1 thread (${why})` : `up to ${MAX_WASM_THREADS} threads, default ${defaultWasmThreads()}`}`
      : `binaries not found in ${dir}`;
  } catch (e) {
    wasmOk = false;
    wasmDetail = message(e);
  }
  if (wasmOk) {
    // Whether the native kernels are built (not loaded here: that happens when wasm starts).
    wasmDetail += liveNativeDetail() ?? (findNativeAddon() ? '; native oneDNN kernels built' : '; native kernels not built (wasm loops only)');
  }
  out.push({ name: 'wasm', available: wasmOk, detail: wasmDetail });
  out.push({ name: 'cpu', available: true, detail: 'plain JavaScript; slow for training' });
  return out;
}

async function probeWebgpu(timeoutMs: number): Promise<BackendAvailability> {
  if (tf.engine().registry.webgpu) {
    return { name: 'webgpu', available: true, detail: webgpuSoftware ? `${webgpuDevice}; software rendering, slower than wasm` : webgpuDevice };
  }
  if (!hasVulkanLoader()) return { name: 'webgpu', available: false, detail: 'no Vulkan loader (libvulkan.so.1)' };
  try {
    const mod = loadWebgpu();
    const g = globalThis as unknown as Record<string, unknown>;
    const added = Object.keys(mod.globals).filter((k) => !(k in g));
    for (const k of added) g[k] = mod.globals[k];
    try {
      const request = mod.create([]).requestAdapter({ powerPreference: 'high-performance' });
      const adapter = await withTimeout(request, timeoutMs, 'adapter request');
      if (!adapter) return { name: 'webgpu', available: false, detail: 'no adapter' };
      const desc = adapterDescription(adapter) || 'adapter found';
      // Listed (it works), but said to be software: 'auto' skips it for wasm.
      return { name: 'webgpu', available: true, detail: isSoftwareAdapter(adapter) ? `${desc}; software rendering, slower than wasm` : desc };
    } finally {
      for (const k of added) delete g[k];
    }
  } catch (e) {
    return { name: 'webgpu', available: false, detail: message(e) };
  }
}
