/**
 * Step decay: the learning rate is multiplied by `gamma` at each milestone. Milestones are fractions of the
 * total iteration budget, so a pruned subset trained with the full-data budget decays at the same iterations.
 * An optional linear warmup (step i of W runs at (i + 1) / W of the rate, as PyTorch's LinearLR) keeps a network
 * without batch norm from collapsing to a constant prediction in its first large steps.
 */
export interface StepSchedule {
  readonly baseLr: number;
  readonly milestones: readonly number[];
  readonly gamma: number;
  readonly totalSteps: number;
  readonly warmupSteps?: number;
}

export function learningRateAt(s: StepSchedule, step: number): number {
  let lr = s.baseLr;
  for (const m of s.milestones) if (step >= Math.round(m * s.totalSteps)) lr *= s.gamma;
  const w = s.warmupSteps ?? 0;
  return step < w ? (lr * (step + 1)) / w : lr;
}
