// One worker thread and the requests in flight to it: each request gets an id, its answer settles it, and when the
// worker dies or is closed every pending request fails with the reason. The worker starts on first use; after a
// death the next request starts a new one, unless `restart` is off (a worker holding state, like an open review).
import { Worker } from 'node:worker_threads';
import { preloadSharp } from '../core/data/sharpModule';

export interface WorkerChannelOptions {
  /** Start a new worker after one died (default true); off, every later request fails with the death's reason. */
  readonly restart?: boolean;
  /** The error a pending request fails with when the worker dies or is closed. */
  readonly error?: (reason: string) => Error;
  /** Called once per worker death, after its pending requests failed. */
  readonly onDeath?: (reason: string) => void;
}

export class WorkerChannel<In, Out> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private ended: string | undefined;

  constructor(
    private readonly file: string,
    /** Names the worker in messages, e.g. "the review worker". */
    private readonly name: string,
    private readonly onMessage: (m: Out) => void,
    private readonly opts: WorkerChannelOptions = {},
  ) {}

  private live(): Worker {
    if (this.ended) throw this.errorOf(this.ended);
    if (this.worker) return this.worker;
    // Workers decode images with sharp, whose native library must first be loaded by this (main) thread.
    preloadSharp();
    const w = new Worker(this.file);
    w.on('message', (m: Out) => this.onMessage(m));
    w.on('error', (e) => this.died(w, `${this.name} failed: ${e.message}`));
    w.on('exit', (code) => this.died(w, `${this.name} stopped (exit code ${code})`));
    this.worker = w;
    return w;
  }

  private errorOf(reason: string): Error {
    return this.opts.error?.(reason) ?? new Error(reason);
  }

  private died(w: Worker, reason: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (this.opts.restart === false) this.ended = reason;
    this.failPending(reason);
    this.opts.onDeath?.(reason);
  }

  private failPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(this.errorOf(reason));
    this.pending.clear();
  }

  /** A message that expects no answer (an abort, a job's progress). Dropped when no worker runs. */
  post(m: In): void {
    this.worker?.postMessage(m);
  }

  /** Sends the message made with a fresh id; the promise settles when `settle` is called with that id. */
  request<T>(make: (id: number) => In): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      try {
        const w = this.live();
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.postMessage(make(id));
      } catch (e) {
        reject(e as Error);
      }
    });
    return { id, result };
  }

  /** Settles request `id` with its answer, or with `error`; an unknown id (already settled) is ignored. */
  settle(id: number, value: unknown, error?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(value);
  }

  /** Stops the worker; pending and later requests fail with `reason`. */
  dispose(reason: string): void {
    const w = this.worker;
    this.worker = undefined;
    this.ended = reason;
    this.failPending(reason);
    void w?.terminate();
  }
}
