/**
 * What a study costs before it runs: each step's work units (as its job plans them) and the training they do, in
 * epochs of the full training set. With a measured time per epoch this is the compute budget to ask a cluster
 * for (`npm run reproduce -- --plan`, docs/cluster.md). Scoring passes and evaluations come on top.
 */
import { checkParams } from '../../src/contract/jobOptions';
import { experimentFor } from '../../src/core/jobs/registry';
import type { StudyStep } from './studyPlan';

export interface StepCost {
  readonly id: string;
  readonly job: string;
  readonly units: number;
  /** Epochs of training over all units (a retraining keeps the full-data budget whatever it keeps). */
  readonly epochs: number;
}

interface Budget {
  readonly epochs: number;
  readonly scoreEpoch?: number;
  readonly runs?: number;
  readonly spawnFractions?: readonly number[];
  readonly pairs?: number;
  readonly lrs?: readonly number[];
  readonly weightDecays?: readonly number[];
  readonly batchSizes?: readonly number[];
  readonly widths?: readonly number[];
}

export function stepCost(step: StudyStep): StepCost {
  const input = step.input((id) => `<run of ${id}>`);
  const exp = experimentFor(step.job);
  const p = exp.resolve(checkParams(step.job, input)) as Budget;
  const units = exp.plan(p).length;
  const epochs = ((): number => {
    switch (step.job) {
      case 'score':
        return units * (p.scoreEpoch ?? 0);
      case 'el2n-grid':
        return units * (p.runs ?? 1) * (p.scoreEpoch ?? 0);
      case 'prune':
      case 'strategies':
      case 'window':
      case 'kernel-velocity':
      case 'grad-heatmap':
      case 'grad-sum':
        return units * p.epochs;
      case 'error-barrier':
        // The parent's whole budget, then two children per pair from each spawn time to the end.
        return p.epochs * (1 + (p.spawnFractions ?? []).reduce((a, f) => a + 2 * (p.pairs ?? 1) * (1 - f), 0));
      default:
        return 0;
    }
  })();
  return { id: step.id, job: step.job, units, epochs };
}

export function costTable(steps: readonly StudyStep[]): string[] {
  const rows = steps.map(stepCost);
  const out = ['| step | job | units | epochs of training |', '|---|---|---|---|', ...rows.map((r) => `| ${r.id} | ${r.job} | ${r.units} | ${Math.round(r.epochs)} |`)];
  out.push(`| **total** | | ${rows.reduce((a, r) => a + r.units, 0)} | ${Math.round(rows.reduce((a, r) => a + r.epochs, 0))} |`);
  return out;
}
