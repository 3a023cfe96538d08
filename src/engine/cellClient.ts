// The extension host's side of the cell worker (cellWorker.ts): a cell or a brushed range goes in, outputs come
// back; the training jobs a cell asks for run through `runJob` (the engine host), their progress relayed back.
import { Worker } from 'node:worker_threads';
import type { JobProgress } from '../contract/jobProgress';
import type { RunManifest } from '../contract/runManifest';
import type { EngineJob, ExecutorChoice } from '../core/cells/execute';
import type { RangeGalleryMessage, RequestRangeMessage } from '../core/notebook/mime';
import type { CellContext, CellResultOutput, FromCellWorker, ToCellWorker } from './cellWorker';

export type { CellContext, CellResultOutput };

/** Runs an engine job for a cell (the engine host in the extension, the jobs in process in tests). */
export type CellJobRunner = (job: EngineJob, params: Record<string, unknown>, onProgress: (p: JobProgress) => void, signal: AbortSignal, executor?: ExecutorChoice) => Promise<RunManifest>;

/** A cell that failed: CellError-like (a message for the user) or an unexpected error (with its stack, for the log). */
export class CellFailure extends Error {
  constructor(
    message: string,
    readonly cellError: boolean,
    readonly workerStack?: string,
  ) {
    super(message);
    this.name = cellError ? 'Data Diet' : 'Error';
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (line: number, p: JobProgress) => void;
}

export class CellClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jobs = new Map<number, AbortController>();

  constructor(
    private readonly workerFile: string,
    private readonly runJob: CellJobRunner,
  ) {}

  /** The worker, started on first use and again after it died (a crash fails only the cells it was running). */
  private get live(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile);
    w.on('message', (m: FromCellWorker) => this.receive(w, m));
    const fail = (reason: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new CellFailure(reason, false));
      this.pending.clear();
      for (const ac of this.jobs.values()) ac.abort();
      this.jobs.clear();
    };
    w.on('error', (e) => fail(`the notebook kernel's worker failed: ${e.message}`));
    w.on('exit', (code) => fail(`the notebook kernel's worker stopped (exit code ${code})`));
    this.worker = w;
    return w;
  }

  private receive(w: Worker, m: FromCellWorker): void {
    const send = (x: ToCellWorker) => w.postMessage(x);
    switch (m.type) {
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m.line, m.progress);
        return;
      case 'runJob': {
        const ac = new AbortController();
        this.jobs.set(m.job, ac);
        this.runJob(m.name, m.params, (progress) => send({ type: 'jobProgress', job: m.job, progress }), ac.signal, m.executor).then(
          (manifest) => send({ type: 'jobEnded', job: m.job, manifest }),
          (e: Error) => send({ type: 'jobEnded', job: m.job, error: e.message }),
        );
        return;
      }
      case 'cancelJob':
        this.jobs.get(m.job)?.abort();
        return;
      case 'done':
      case 'failed':
      case 'rangeGallery': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.type === 'done') p.resolve({ outputs: m.outputs, aborted: m.aborted });
        else if (m.type === 'failed') p.reject(new CellFailure(m.message, m.cellError, m.stack));
        else p.resolve(m.reply);
        return;
      }
    }
  }

  private request<T>(make: (id: number) => ToCellWorker, onProgress?: Pending['onProgress']): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(onProgress ? { onProgress } : {}) });
      this.live.postMessage(make(id));
    });
    return { id, result };
  }

  /** Runs a cell's text; `signal` interrupts it (and the job it runs). */
  exec(text: string, context: CellContext, opts: { signal?: AbortSignal; onProgress?: (line: number, p: JobProgress) => void } = {}): Promise<{ outputs: readonly CellResultOutput[]; aborted: boolean }> {
    const { id, result } = this.request<{ outputs: readonly CellResultOutput[]; aborted: boolean }>((id) => ({ type: 'exec', id, text, context }), opts.onProgress);
    const abort = () => this.worker?.postMessage({ type: 'abort', id } satisfies ToCellWorker);
    if (opts.signal?.aborted) abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    return result.finally(() => opts.signal?.removeEventListener('abort', abort));
  }

  rangeGallery(message: RequestRangeMessage, context: CellContext): Promise<RangeGalleryMessage> {
    return this.request<RangeGalleryMessage>((id) => ({ type: 'range', id, message, context })).result;
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new CellFailure('the notebook kernel was closed', false));
    this.pending.clear();
    for (const ac of this.jobs.values()) ac.abort();
    void w?.terminate();
  }
}
