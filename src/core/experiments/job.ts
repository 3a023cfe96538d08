import type { JobProgress } from '../../contract/jobProgress';

export type { JobProgress };

export interface JobContext {
  /** Workspace (or current directory): runs go to `<root>/.datadiet/runs`. */
  readonly root: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: JobProgress) => void;
}

/**
 * Estimates time left from progress in work units (steps, examples...), smoothing the rate so the ETA does not
 * jump with every batch. Units may be coarse (a tick can cover many units).
 */
export class EtaEstimator {
  private rate = 0; // units per second, smoothed
  private last = performance.now();
  private lastDone = 0;

  tick(done: number, total: number): { etaSeconds: number; secondsPerUnit: number } {
    const now = performance.now();
    const dt = (now - this.last) / 1000;
    const du = done - this.lastDone;
    this.last = now;
    this.lastDone = done;
    if (du > 0 && dt > 0) this.rate = this.rate === 0 ? du / dt : 0.9 * this.rate + 0.1 * (du / dt);
    const secondsPerUnit = this.rate > 0 ? 1 / this.rate : NaN;
    return { etaSeconds: Math.max(0, (total - done) * secondsPerUnit), secondsPerUnit };
  }
}
