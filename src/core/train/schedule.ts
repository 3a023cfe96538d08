/**
 * Step decay: the learning rate is multiplied by `gamma` at each milestone. Milestones are fractions of the
 * total iteration budget, so a pruned subset trained with the full-data budget decays at the same iterations.
 */
export interface StepSchedule {
  readonly baseLr: number;
  readonly milestones: readonly number[];
  readonly gamma: number;
  readonly totalSteps: number;
}

export function learningRateAt(s: StepSchedule, step: number): number {
  let lr = s.baseLr;
  for (const m of s.milestones) if (step >= Math.round(m * s.totalSteps)) lr *= s.gamma;
  return lr;
}
