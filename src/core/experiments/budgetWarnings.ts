/**
 * Warnings worth a line before a job trains: the dataset's own (a truncated CIFAR batch, ...) and an SGD budget too
 * small to train anything (3 epochs of 1,400 examples in batches of 128 is 33 steps: 73% on Fashion-MNIST, where a
 * few hundred steps reach 85%). They go out on the job's progress channel as `warning: ...` lines.
 */
import type { JobProgress } from '../../contract/jobProgress';

/** Fewer SGD steps than this in a whole training is flagged. */
export const MIN_USEFUL_STEPS = 100;

export interface Budget {
  readonly steps: number;
  readonly examples: number;
  readonly batchSize: number;
}

/** The tiny-budget warning, or undefined when the budget is large enough (or zero: scores at initialization). */
export function stepBudgetWarning(b: Budget): string | undefined {
  if (b.steps <= 0 || b.steps >= MIN_USEFUL_STEPS) return undefined;
  const perEpoch = Math.max(1, Math.ceil(b.examples / b.batchSize));
  const epochsNeeded = Math.ceil(MIN_USEFUL_STEPS / perEpoch);
  return (
    `only ${b.steps} SGD steps in all (${b.examples.toLocaleString('en-US')} training examples in batches of ${b.batchSize} = ${perEpoch} per epoch): ` +
    `too few to train well; use --epochs ${epochsNeeded} or more, or a smaller --batch-size`
  );
}

/** Sends each warning as one progress line. */
export function reportWarnings(report: (p: JobProgress) => void, warnings: readonly (string | undefined)[]): void {
  for (const w of warnings) if (w) report({ phase: 'load', message: `warning: ${w}` });
}
