// The extension host's side of the review worker (reviewWorker.ts): requests by id, answers as promises.
import { Worker } from 'node:worker_threads';
import type { ReviewIndex, ReviewItem } from '../core/annotations/reviewSession';
import type { FromReviewWorker, ToReviewWorker } from './reviewWorker';

export interface ReviewOpened {
  readonly index: ReviewIndex;
  /** How many rows have no image, and why the first has none. */
  readonly imageProblems: number;
  readonly firstProblem?: string;
}

export class ReviewClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private opening: { resolve(v: ReviewOpened): void; reject(e: Error): void } | undefined;
  private ended: string | undefined;

  constructor(workerFile: string, private readonly onProgress: (stage: string) => void = () => {}) {
    this.worker = new Worker(workerFile);
    this.worker.on('message', (m: FromReviewWorker) => this.receive(m));
    this.worker.on('error', (e) => this.fail(`the review worker failed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`the review worker stopped (exit code ${code})`));
  }

  private receive(m: FromReviewWorker): void {
    if (m.type === 'progress') return this.onProgress(m.stage);
    if (m.type === 'opened') {
      this.opening?.resolve({ index: m.index, imageProblems: m.imageProblems, ...(m.firstProblem ? { firstProblem: m.firstProblem } : {}) });
      this.opening = undefined;
      return;
    }
    if (m.type === 'error' && m.id === undefined) {
      this.opening?.reject(new Error(m.message));
      this.opening = undefined;
      return;
    }
    const w = this.pending.get(m.id!);
    if (!w) return;
    this.pending.delete(m.id!);
    if (m.type === 'error') w.reject(new Error(m.message));
    else w.resolve(m.item);
  }

  private fail(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    this.opening?.reject(new Error(reason));
    for (const w of this.pending.values()) w.reject(new Error(reason));
    this.pending.clear();
  }

  private send(m: ToReviewWorker): void {
    this.worker.postMessage(m);
  }

  open(runDir: string, root: string, threshold: number): Promise<ReviewOpened> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    return new Promise((resolve, reject) => {
      this.opening = { resolve, reject };
      this.send({ type: 'open', runDir, root, threshold });
    });
  }

  private request<T>(make: (id: number) => ToReviewWorker): Promise<T> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send(make(id));
    });
  }

  item(position: number): Promise<ReviewItem> {
    return this.request((id) => ({ type: 'item', id, position }));
  }

  dispose(): void {
    this.fail('the review queue was closed');
    void this.worker.terminate();
  }
}
