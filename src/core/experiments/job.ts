/** What every long job (train, score, sweep) reports and receives; the engine and the CLI both drive jobs so. */
export interface JobProgress {
  /** 'train' and 'score' are frequent ticks (shown as a bar); the others are milestones worth a line each. */
  readonly phase: 'backend' | 'load' | 'train' | 'score' | 'eval' | 'save';
  readonly message: string;
  /** Fraction done in [0, 1] over the whole job, when known. */
  readonly fraction?: number;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly epoch?: number;
  readonly loss?: number;
  readonly examplesPerSecond?: number;
  readonly etaSeconds?: number;
  readonly runId?: string;
  readonly runDir?: string;
}

export interface JobContext {
  /** Workspace (or current directory): runs go to `<root>/.datadiet/runs`. */
  readonly root: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: JobProgress) => void;
}

/** Smooths seconds-per-step so the ETA does not jump with every batch. */
export class EtaEstimator {
  private avg = 0;
  private last = performance.now();

  tick(stepsDone: number, totalSteps: number): { etaSeconds: number; secondsPerStep: number } {
    const now = performance.now();
    const dt = (now - this.last) / 1000;
    this.last = now;
    this.avg = this.avg === 0 ? dt : 0.9 * this.avg + 0.1 * dt;
    return { etaSeconds: Math.max(0, (totalSteps - stepsDone) * this.avg), secondsPerStep: this.avg };
  }
}
