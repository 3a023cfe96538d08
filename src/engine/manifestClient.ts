// The extension host's side of the manifest worker (manifestWorker.ts). The worker starts on first use and again
// after it died; a dead worker fails only the requests it had.
import { Worker } from 'node:worker_threads';
import type { ManifestReview } from '../core/annotations/manifestReview';
import type { ManifestReply, ManifestRequest } from './manifestWorker';

export class ManifestClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: ManifestReview | undefined): void; reject(e: Error): void }>();

  constructor(private readonly workerFile: string) {}

  private get live(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile);
    w.on('message', (m: ManifestReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if ('error' in m) p?.reject(new Error(m.error));
      else p?.resolve(m.review);
    });
    const fail = (reason: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new Error(reason));
      this.pending.clear();
    };
    w.on('error', (e) => fail(`the manifest worker failed: ${e.message}`));
    w.on('exit', (code) => fail(`the manifest worker stopped (exit code ${code})`));
    this.worker = w;
    return w;
  }

  /** The manifest's rows joined with the run's suspects; undefined while the text does not parse. */
  review(manifestFile: string, text: string, runDir: string, threshold: number): Promise<ManifestReview | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.live.postMessage({ id, manifestFile, text, runDir, threshold } satisfies ManifestRequest);
    });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('closed'));
    this.pending.clear();
    void w?.terminate();
  }
}
