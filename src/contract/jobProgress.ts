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
