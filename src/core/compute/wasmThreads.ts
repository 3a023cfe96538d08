import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as wasmPkg from '@tensorflow/tfjs-backend-wasm';

/**
 * Multi-threaded tfjs wasm backend in Node.
 *
 * tfjs-backend-wasm never uses threads in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag answers false there, and
 * even when forced, its loader hands Emscripten `blob:` URLs for the pthread worker script and the main script,
 * which Node's worker_threads cannot load. On top of that the C++ side caps the thread count at
 * `emscripten_num_logical_cores() / 2`, i.e. 1 on a 2-core machine.
 *
 * This module builds the threaded-SIMD Emscripten module itself:
 * - the worker script and the main script (the factory's own source, as tfjs does for its blob) are written as
 *   files into a private directory made with mkdtemp (mode 0700) under os.tmpdir(), removed at process exit
 *   (directories of processes that were killed are swept the next time);
 * - `instantiateWasm` compiles the threaded-SIMD binary and answers the `emscripten_num_logical_cores` import
 *   with 2 x the requested count so that the cap is the requested count (tfjs caps at 8 regardless);
 * - workers that pthreadpool does not use are terminated, the ones it uses are unref()'d so that they do not
 *   keep the process alive, and the process-wide uncaughtException/unhandledRejection listeners Emscripten adds
 *   are removed again.
 * The result is an ordinary `BackendWasm`, so every registered wasm kernel works unchanged.
 */

interface NodeWorker {
  unref(): void;
  terminate(): unknown;
}

interface PThreadApi {
  unusedWorkers: NodeWorker[];
  runningWorkers: NodeWorker[];
  terminateAllThreads(): void;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: PThreadApi;
  [k: string]: unknown;
}

interface FactoryConfig {
  locateFile(p: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: object, module: object) => void,
  ): Record<string, never>;
  onAbort(what: unknown): void;
  PThread?: PThreadApi;
}

type Factory = (cfg: FactoryConfig) => Promise<EmscriptenModule>;

/** The bits of the WebAssembly global used here (the project's lib settings do not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
export const MAX_WASM_THREADS = 8;

let scriptDir: string | undefined;
const DIR_PREFIX = 'datadiet-wasm-';

/** Removes script directories left by processes that died without running their exit handler (SIGKILL). */
function sweepStaleDirs(): void {
  try {
    for (const name of fs.readdirSync(os.tmpdir())) {
      const m = /^datadiet-wasm-(\d+)-/.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid) continue;
      try {
        process.kill(pid, 0);
        continue; // alive (or not ours to signal): leave it
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      }
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // best effort
  }
}

/** Writes the worker and main scripts once per process; returns their directory. */
function scripts(factory: Factory): { worker: string; main: string } {
  if (!scriptDir) {
    const workerMod = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents?: string;
    };
    const contents = workerMod.wasmWorkerContents;
    if (typeof contents !== 'string') throw new Error('tfjs wasm worker script not found');
    sweepStaleDirs();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    // The worker source is a template literal whose "\n" escapes became real newlines; put them back (as tfjs
    // does before making its blob).
    fs.writeFileSync(path.join(dir, 'worker.js'), contents.replace(/\n/g, '\\n'), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'main.js'), `var WasmBackendModuleThreadedSimd = ${factory.toString()};\n`, {
      mode: 0o600,
    });
    process.once('exit', () => {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    });
    scriptDir = dir;
  }
  return { worker: path.join(scriptDir, 'worker.js'), main: path.join(scriptDir, 'main.js') };
}

function loadFactory(): Factory {
  const mod = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as
    | Factory
    | { default?: Factory };
  const f = typeof mod === 'function' ? mod : mod.default;
  if (typeof f !== 'function') throw new Error('tfjs threaded wasm factory not found');
  return f;
}

/** Why threads cannot work in this process, or undefined when they can. */
export function threadsUnsupportedReason(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is unavailable';
  try {
    // A shared memory is what the threaded build asks for.
    const m = new WA.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(m.buffer instanceof SharedArrayBuffer)) return 'shared WebAssembly memory is unavailable';
  } catch (e) {
    return `shared WebAssembly memory is unavailable (${(e as Error).message})`;
  }
  return undefined;
}

/**
 * Creates a BackendWasm running `threads` threads (2..8) from the threaded-SIMD binary in `wasmDir`.
 * Rejects (after cleaning up its workers) on any failure or after `timeoutMs`.
 */
export async function createThreadedWasmBackend(
  wasmDir: string,
  threads: number,
  timeoutMs = 30000,
): Promise<{ backend: wasmPkg.BackendWasm; threads: number }> {
  const why = threadsUnsupportedReason();
  if (why) throw new Error(why);
  const binaryPath = path.join(wasmDir, THREADED_WASM);
  if (!fs.existsSync(binaryPath)) throw new Error(`${THREADED_WASM} not found in ${wasmDir}`);
  const factory = loadFactory();
  const files = scripts(factory);
  const binary = fs.readFileSync(binaryPath);
  type Listener = (...a: unknown[]) => void;
  const emitter = process as unknown as {
    listeners(ev: string): Listener[];
    removeListener(ev: string, l: Listener): void;
  };
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = new Map(events.map((ev) => [ev, new Set(emitter.listeners(ev))]));
  let aborted: unknown;
  const cfg: FactoryConfig = {
    locateFile: (p, prefix) => (p.endsWith('.worker.js') ? files.worker : p.endsWith('.wasm') ? binaryPath : prefix + p),
    mainScriptUrlOrBlob: files.main,
    instantiateWasm(imports, receive) {
      // The C++ side caps threads at logical cores / 2; report enough cores for the requested count.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WA.instantiate(binary, imports).then(
        (r) => receive(r.instance, r.module),
        (e: unknown) => {
          aborted = e;
        },
      );
      return {};
    },
    onAbort(what) {
      aborted = what;
    },
  };
  const removeAddedListeners = (): void => {
    for (const ev of events) {
      for (const l of emitter.listeners(ev)) {
        if (!before.get(ev)?.has(l)) emitter.removeListener(ev, l);
      }
    }
  };
  const cleanup = (): void => {
    const pt = cfg.PThread;
    if (!pt) return;
    try {
      pt.terminateAllThreads();
    } catch {
      // already gone
    }
    for (const w of [...pt.unusedWorkers, ...pt.runningWorkers]) void w.terminate();
  };
  let timer: NodeJS.Timeout | undefined;
  let module: EmscriptenModule;
  try {
    module = await Promise.race([
      factory(cfg),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(aborted ? `wasm threads failed: ${String(aborted)}` : `wasm threads did not start in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        timer.unref();
      }),
    ]);
  } catch (e) {
    cleanup();
    removeAddedListeners();
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
  }
  removeAddedListeners();
  try {
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    wasmPkg.setThreadsCount(threads);
    const backend = new wasmPkg.BackendWasm(module as unknown as ConstructorParameters<typeof wasmPkg.BackendWasm>[0]);
    const actual = wasmPkg.getThreadsCount();
    const pt = module.PThread;
    if (pt) {
      // pthreadpool has started its threads; the rest of Emscripten's pool of 8 is idle memory.
      for (const w of pt.unusedWorkers) void w.terminate();
      pt.unusedWorkers.length = 0;
      for (const w of pt.runningWorkers) w.unref();
    }
    if (actual < 2) {
      backend.dispose();
      throw new Error(`the threadpool started ${actual} thread(s)`);
    }
    return { backend, threads: actual };
  } catch (e) {
    cleanup();
    throw e;
  }
}
