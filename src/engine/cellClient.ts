// The extension host's side of the cell worker (cellWorker.ts): a cell or a brushed range goes in, outputs come
// back; the training jobs a cell asks for run through `runJob` (the engine host), their progress relayed back.
import type { JobProgress } from '../contract/jobProgress';
import type { RunManifest } from '../contract/runManifest';
import type { EngineJob, ExecutorChoice } from '../core/cells/execute';
import type { RangeGalleryMessage, RequestRangeMessage, RequestThumbsMessage, ThumbsMessage } from '../core/notebook/mime';
import type { CellContext, CellResultOutput, FromCellWorker, ToCellWorker } from './cellWorker';
import { WorkerChannel } from './workerChannel';

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

export class CellClient {
  private readonly channel: WorkerChannel<ToCellWorker, FromCellWorker>;
  /** Progress callbacks of the cells running, by request id. */
  private readonly progress = new Map<number, (line: number, p: JobProgress) => void>();
  /** The engine jobs cells asked for, by the worker's job id. */
  private readonly jobs = new Map<number, AbortController>();

  constructor(
    workerFile: string,
    private readonly runJob: CellJobRunner,
  ) {
    // A crash fails only the cells it was running (and cancels their jobs); the next cell starts a new worker.
    this.channel = new WorkerChannel(workerFile, "the notebook kernel's worker", (m) => this.receive(m), {
      error: (reason) => new CellFailure(reason, false),
      onDeath: () => this.cancelJobs(),
    });
  }

  private cancelJobs(): void {
    for (const ac of this.jobs.values()) ac.abort();
    this.jobs.clear();
  }

  private receive(m: FromCellWorker): void {
    switch (m.type) {
      case 'progress':
        this.progress.get(m.id)?.(m.line, m.progress);
        return;
      case 'runJob': {
        const ac = new AbortController();
        this.jobs.set(m.job, ac);
        this.runJob(m.name, m.params, (progress) => this.channel.post({ type: 'jobProgress', job: m.job, progress }), ac.signal, m.executor).then(
          (manifest) => this.channel.post({ type: 'jobEnded', job: m.job, manifest }),
          (e: Error) => this.channel.post({ type: 'jobEnded', job: m.job, error: e.message }),
        );
        return;
      }
      case 'cancelJob':
        this.jobs.get(m.job)?.abort();
        return;
      case 'done':
        this.channel.settle(m.id, { outputs: m.outputs, aborted: m.aborted });
        return;
      case 'failed':
        this.channel.settle(m.id, undefined, new CellFailure(m.message, m.cellError, m.stack));
        return;
      case 'rangeGallery':
      case 'thumbs':
        this.channel.settle(m.id, m.reply);
        return;
    }
  }

  /** Runs a cell's text; `signal` interrupts it (and the job it runs). */
  exec(text: string, context: CellContext, opts: { signal?: AbortSignal; onProgress?: (line: number, p: JobProgress) => void } = {}): Promise<{ outputs: readonly CellResultOutput[]; aborted: boolean }> {
    const { id, result } = this.channel.request<{ outputs: readonly CellResultOutput[]; aborted: boolean }>((id) => ({ type: 'exec', id, text, context }));
    if (opts.onProgress) this.progress.set(id, opts.onProgress);
    const abort = () => this.channel.post({ type: 'abort', id });
    if (opts.signal?.aborted) abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    return result.finally(() => {
      this.progress.delete(id);
      opts.signal?.removeEventListener('abort', abort);
    });
  }

  rangeGallery(message: RequestRangeMessage, context: CellContext): Promise<RangeGalleryMessage> {
    return this.channel.request<RangeGalleryMessage>((id) => ({ type: 'range', id, message, context })).result;
  }

  /** Thumbnails a brushed map asks for. */
  thumbs(message: RequestThumbsMessage, context: CellContext): Promise<ThumbsMessage> {
    return this.channel.request<ThumbsMessage>((id) => ({ type: 'thumbs', id, message, context })).result;
  }

  dispose(): void {
    this.channel.dispose('the notebook kernel was closed');
    this.cancelJobs();
  }
}
