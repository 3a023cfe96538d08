import type { JobProgress } from '../../contract/jobProgress';

export type { JobProgress };

export interface JobContext {
  /** Workspace (or current directory): runs go to `<root>/.datadiet/runs`. */
  readonly root: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: JobProgress) => void;
}

/**
 * Estimates time left from progress in work units (steps, examples...). Ticks come at irregular times and cover
 * irregular amounts of work (a batch, an evaluation pause, a unit starting), so the rate is a time-weighted
 * average: over everything so far for the first `tauSeconds`, then an exponential average with that time constant.
 * A tick without new work changes nothing (its time counts toward the next one), so pauses do not inflate the rate.
 */
export class EtaEstimator {
  private rate = 0; // units per second
  private start: number | undefined;
  private startDone = 0;
  private last = 0;
  private lastDone = 0;

  constructor(
    private readonly tauSeconds = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  tick(done: number, total: number): { etaSeconds: number; secondsPerUnit: number } {
    const now = this.now();
    if (this.start === undefined) {
      this.start = this.last = now;
      this.startDone = this.lastDone = done;
    }
    const dt = (now - this.last) / 1000;
    const du = done - this.lastDone;
    if (du > 0 && dt > 0) {
      const elapsed = (now - this.start) / 1000;
      if (elapsed <= this.tauSeconds || this.rate === 0) this.rate = (done - this.startDone) / elapsed;
      else this.rate += (1 - Math.exp(-dt / this.tauSeconds)) * (du / dt - this.rate);
      this.last = now;
      this.lastDone = done;
    }
    const secondsPerUnit = this.rate > 0 ? 1 / this.rate : NaN;
    return { etaSeconds: Math.max(0, (total - done) * secondsPerUnit), secondsPerUnit };
  }
}
