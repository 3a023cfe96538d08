import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ExecutionRequest } from '../contract/execution';
import type { JobProgress } from '../contract/jobProgress';
import { LineSplitter, type EngineEvent, type EngineRequest, type JobName } from './protocol';

export interface JobHandle<T = unknown> {
  readonly id: string;
  readonly result: Promise<T>;
  cancel(): void;
}

interface Waiter {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: JobProgress) => void;
}

export interface EngineClientOptions {
  /** Path of the engine entry (dist/engine.js). */
  readonly enginePath: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each stderr line of the engine (logs, tfjs messages). */
  readonly onLog?: (line: string) => void;
  /** Called once if the engine process ends; pending jobs are rejected with the same reason. */
  readonly onExit?: (reason: string) => void;
}

/** Parent side of the engine protocol: starts the child process and matches events to jobs. */
export class EngineClient {
  private readonly child: ChildProcess;
  private readonly waiters = new Map<string, Waiter>();
  private exitReason: string | undefined;
  readonly ready: Promise<{ pid: number; version: string }>;

  constructor(private readonly options: EngineClientOptions) {
    // fork() runs the entry with this Node (or VS Code's, as plain Node): no second runtime needed.
    this.child = fork(options.enginePath, [], {
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      env: options.env ?? process.env,
      execArgv: [],
    });
    let markReady: (v: { pid: number; version: string }) => void = () => {};
    let failReady: (e: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => {});
    const lines = new LineSplitter();
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) {
        let ev: EngineEvent;
        try {
          ev = JSON.parse(line) as EngineEvent;
        } catch {
          options.onLog?.(line);
          continue;
        }
        if (ev.type === 'ready') markReady({ pid: ev.pid, version: ev.version });
        else this.dispatch(ev);
      }
    });
    const errLines = new LineSplitter();
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => errLines.push(chunk).forEach((l) => options.onLog?.(l)));
    this.child.on('exit', (code, signal) => {
      this.exitReason = signal ? `the engine process was killed (${signal})` : `the engine process exited with code ${code}`;
      failReady(new Error(this.exitReason));
      for (const [, w] of this.waiters) w.reject(new Error(this.exitReason));
      this.waiters.clear();
      options.onExit?.(this.exitReason);
    });
    this.child.on('error', (e) => failReady(e));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  private dispatch(ev: EngineEvent): void {
    if (ev.type === 'log') return this.options.onLog?.(ev.message);
    if (ev.type === 'error' && !ev.id) return this.options.onLog?.(`engine: ${ev.message}`);
    const w = ev.type !== 'ready' && ev.id ? this.waiters.get(ev.id) : undefined;
    if (!w) return;
    if (ev.type === 'progress') w.onProgress?.(ev.progress);
    else if (ev.type === 'result') {
      this.waiters.delete(ev.id);
      w.resolve(ev.result);
    } else if (ev.type === 'error') {
      this.waiters.delete(ev.id!);
      w.reject(new Error(ev.message));
    }
  }

  private send(req: EngineRequest): void {
    if (!this.alive) throw new Error(this.exitReason);
    this.child.stdin!.write(JSON.stringify(req) + '\n');
  }

  /** Starts a job (a new run); its units run as `execution` says (default: in the engine). */
  run<T = unknown>(job: JobName, root: string, params: Readonly<Record<string, unknown>>, onProgress?: (p: JobProgress) => void, execution?: ExecutionRequest): JobHandle<T> {
    return this.request<T>((id) => ({ type: 'start', id, job, root, params, execution }), onProgress);
  }

  /** Runs the missing units of a run in its own folder, then its merge. */
  resume<T = unknown>(root: string, runDir: string, opts: { retryFailed?: boolean; execution?: ExecutionRequest } = {}, onProgress?: (p: JobProgress) => void): JobHandle<T> {
    return this.request<T>((id) => ({ type: 'resume', id, root, runDir, ...opts }), onProgress);
  }

  private request<T>(make: (id: string) => EngineRequest, onProgress?: (p: JobProgress) => void): JobHandle<T> {
    const id = randomUUID();
    const result = new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    });
    try {
      this.send(make(id));
    } catch (e) {
      this.waiters.get(id)?.reject(e as Error);
      this.waiters.delete(id);
    }
    return { id, result, cancel: () => this.alive && this.send({ type: 'cancel', id }) };
  }

  /** Asks the engine to finish (running jobs are cancelled and recorded as such); kills it if it lingers. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.send({ type: 'shutdown' });
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
