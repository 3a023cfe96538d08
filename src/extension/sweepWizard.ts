// The Prune Dataset and Sliding-Window Sweep wizards as data: both start from a finished score run (its dataset,
// split and model are reused so every trained example has a score) and turn the answers into one engine job. Pure:
// wizardUi.ts shows the steps, tests drive them directly.
import { configStem, type RunManifest } from '../contract/runManifest';
import type { RunSummary } from '../core/store/runStore';
import { plural } from './format';
import { datasetName, modelName } from './runsModel';
import type { Settings } from './settings';
import type { JobRequest, PickItem, WizardStep, WizardUi } from './wizard';

export type SweepKind = 'prune' | 'window';

export interface SweepState {
  readonly kind: SweepKind;
  /** The score run (its manifest, as read from disk). */
  readonly scoreRun?: RunManifest;
  readonly score?: string;
  /** prune: fractions of the training examples pruned. */
  readonly fractions?: readonly number[];
  readonly strategies?: readonly string[];
  /** window: kept fraction. */
  readonly size?: number;
  readonly seeds?: number;
}

/** Strategies offered for pruning (the window strategy has its own command). */
export const PRUNE_STRATEGY_CHOICES: readonly { readonly id: string; readonly detail: string; readonly picked?: boolean }[] = [
  { id: 'keep-top', detail: 'keep the highest-scoring (hardest) examples, as in the paper', picked: true },
  { id: 'random', detail: 'a random subset of the same size: the baseline', picked: true },
  { id: 'keep-bottom', detail: 'keep the lowest-scoring (easiest) examples' },
  { id: 'non-extreme', detail: 'drop the very hardest first (likely label noise), then keep the top' },
  { id: 'gradient-cdf', detail: 'sample with probability proportional to the score' },
];

export const PRUNE_FRACTION_CHOICES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const DEFAULT_PRUNE_FRACTIONS: readonly number[] = [0.3, 0.5, 0.7];
export const WINDOW_SIZE_CHOICES: readonly number[] = [0.2, 0.3, 0.4, 0.5, 0.6];
export const DEFAULT_WINDOW_SIZE = 0.4;
/** Validation held out for picking the best window when the score run held out none. */
export const WINDOW_VALIDATION = 0.1;

/** Score tables a score run wrote: the scores it finished, from its results or its configuration. */
export function scoreNamesOf(m: RunManifest): string[] {
  const r = m.results?.scores;
  if (Array.isArray(r)) return r.filter((s): s is string => typeof s === 'string');
  const c = m.config.scores;
  return Array.isArray(c) ? c.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * Score runs that a sweep can start from: done (or cancelled with partial scores), newest first. A window sweep
 * picks its best window on held-out data, so it needs a run that held out validation (its split is reused) or one
 * that scored the whole training split (no subset), from which validation can be held out.
 */
export function usableScoreRuns(runs: readonly RunSummary[], kind: SweepKind = 'prune'): RunManifest[] {
  return runs
    .map((r) => r.manifest)
    .filter((m): m is RunManifest => !!m && m.kind === 'score' && (m.status === 'done' || (m.status === 'cancelled' && !!m.results?.partial)) && scoreNamesOf(m).length > 0)
    .filter((m) => kind !== 'window' || heldOut(m) > 0 || !(typeof m.config.trainSubset === 'number' && m.config.trainSubset > 0));
}

function heldOut(m: RunManifest): number {
  return typeof m.config.validation === 'number' ? m.config.validation : 0;
}

export function scoreRunItem(m: RunManifest): PickItem<RunManifest> {
  const subset = typeof m.config.trainSubset === 'number' ? `, ${m.config.trainSubset.toLocaleString('en-US')} examples` : '';
  const noise = typeof m.config.labelNoise === 'number' && m.config.labelNoise > 0 ? `, ${Math.round(m.config.labelNoise * 100)}% label noise` : '';
  const val = heldOut(m) > 0 ? `, ${heldOut(m) < 1 ? `${Math.round(heldOut(m) * 100)}%` : heldOut(m)} held out for validation` : '';
  return {
    label: [datasetName(m), modelName(m), scoreNamesOf(m).join(', ')].filter(Boolean).join(' \u00b7 '),
    description: m.status === 'done' ? m.id : `${m.id} (partial)`,
    detail: `${typeof m.results?.runs === 'number' ? plural(m.results.runs, 'run') : ''}${subset}${noise}${val}`.replace(/^, /, '') || undefined,
    value: m,
  };
}

const CUSTOM = -1;

function percent(n: number): string {
  return `${Math.round(n * 100)}%`;
}

export function validateFractionList(text: string): string | undefined {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  if (!parts.length) return 'one or more fractions between 0 and 1, e.g. 0.3, 0.5, 0.7';
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n) || n <= 0 || n >= 1) return `"${p}" is not a fraction between 0 and 1`;
  }
  return undefined;
}

export function validateSeeds(text: string): string | undefined {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 1 || n > 20) return 'a whole number of seeds from 1 to 20';
  return undefined;
}

export function sweepSteps(kind: SweepKind, runs: readonly RunManifest[], settings: Settings): WizardStep<unknown, SweepState>[] {
  const scoreRun: WizardStep<RunManifest, SweepState> = {
    id: 'scoreRun',
    title: 'Score run',
    placeholder: 'Prune by the scores of which run? (its dataset, split and model are reused)',
    items: () => runs.map(scoreRunItem),
    apply: async (s, [m]) => ({ ...s, scoreRun: m, score: undefined }),
  };
  const score: WizardStep<string, SweepState> = {
    id: 'score',
    title: 'Score',
    placeholder: 'Order the examples by which score? (higher = harder)',
    skip: (s) => !!s.scoreRun && scoreNamesOf(s.scoreRun).length === 1,
    items: (s) => scoreNamesOf(s.scoreRun!).map((n, i) => ({ label: n, value: n, picked: n === (s.score ?? (i === 0 ? n : undefined)) })),
    apply: async (s, [n]) => ({ ...s, score: n }),
  };
  const fractions: WizardStep<number, SweepState> = {
    id: 'fractions',
    title: 'Fractions pruned',
    placeholder: 'Fractions of the training examples to prune (space to toggle, Enter to accept)',
    canPickMany: true,
    skip: (s) => s.kind !== 'prune',
    items: (s) => [
      ...PRUNE_FRACTION_CHOICES.map((f) => ({ label: `${percent(f)} pruned`, description: `keep ${percent(1 - f)}`, value: f, picked: (s.fractions ?? DEFAULT_PRUNE_FRACTIONS).includes(f) })),
      { label: '$(edit) Other fractions\u2026', value: CUSTOM },
    ],
    apply: async (s, picked, ui) => {
      let list = picked.filter((f) => f !== CUSTOM);
      if (picked.includes(CUSTOM)) {
        const text = await ui.askText?.('Fractions pruned, e.g. 0.25, 0.5, 0.75', validateFractionList);
        if (text === undefined) return undefined;
        list = [...list, ...text.split(/[,\s]+/).filter(Boolean).map(Number)];
      }
      if (!list.length) return undefined;
      return { ...s, fractions: [...new Set(list)].sort((a, b) => a - b) };
    },
  };
  const strategies: WizardStep<string, SweepState> = {
    id: 'strategies',
    title: 'Strategies',
    placeholder: 'Which examples to keep (space to toggle, Enter to accept)',
    canPickMany: true,
    skip: (s) => s.kind !== 'prune',
    items: (s) => PRUNE_STRATEGY_CHOICES.map((c) => ({ label: c.id, detail: c.detail, value: c.id, picked: s.strategies ? s.strategies.includes(c.id) : !!c.picked })),
    apply: async (s, picked) => (picked.length ? { ...s, strategies: picked } : undefined),
  };
  const size: WizardStep<number, SweepState> = {
    id: 'size',
    title: 'Window size',
    placeholder: 'Fraction of the training examples each window keeps',
    skip: (s) => s.kind !== 'window',
    items: (s) => WINDOW_SIZE_CHOICES.map((f) => ({ label: `keep ${percent(f)}`, description: f === DEFAULT_WINDOW_SIZE ? 'default (the paper\u2019s 40%)' : undefined, value: f, picked: f === (s.size ?? DEFAULT_WINDOW_SIZE) })),
    apply: async (s, [f]) => ({ ...s, size: f }),
  };
  const seeds: WizardStep<number, SweepState> = {
    id: 'seeds',
    title: 'Seeds',
    placeholder: 'Retrainings per point (the band shows their spread)',
    items: (s) => {
      const current = s.seeds ?? Math.min(settings.runs, s.kind === 'window' ? 2 : 4);
      return [
        ...[1, 2, 3, 4, 8].map((n) => ({ label: `${n} seed${n === 1 ? '' : 's'}`, description: n === current ? 'default' : undefined, value: n, picked: n === current })),
        { label: '$(edit) Other\u2026', value: CUSTOM },
      ];
    },
    apply: async (s, [n], ui) => {
      const v = n === CUSTOM ? await ui.askNumber('Seeds per point', validateSeeds) : n;
      return v === undefined ? undefined : { ...s, seeds: v };
    },
  };
  return [scoreRun, score, fractions, strategies, size, seeds] as WizardStep<unknown, SweepState>[];
}

/** Offsets for a window of `size`: every 10% that fits (the paper slides a 40% window in 10% steps). */
export function windowOffsets(size: number): number[] {
  const out: number[] = [];
  for (let k = 0; k <= 10; k++) {
    const o = k / 10;
    if (o + size <= 1 + 1e-9) out.push(o);
  }
  return out;
}

/**
 * Keys of the score run's configuration that decide which examples it trained on and how: reused by the sweep.
 * The root seed is one of them: the validation split and the subset are drawn from its streams.
 */
const CARRIED = ['dataset', 'model', 'width', 'epochs', 'batchSize', 'lr', 'momentum', 'nesterov', 'weightDecay', 'milestones', 'gamma', 'validation', 'augment', 'trainSubset', 'seed', 'annotations', 'imageSize', 'resize', 'backbone', 'backboneInput'] as const;

/**
 * The engine job for the answers. The retrainings keep the score run's schedule: its full-data budget
 * (`scheduleSteps`, or the quick-look `datadiet.steps` setting when set), dataset split and model; backend and
 * batch size come from the settings.
 */
export function buildSweepRequest(s: SweepState, settings: Settings): JobRequest | undefined {
  const m = s.scoreRun;
  if (!m) return undefined;
  const names = scoreNamesOf(m);
  const score = s.score ?? names[0];
  if (!score) return undefined;
  const params: Record<string, unknown> = {};
  for (const k of CARRIED) if (m.config[k] !== undefined) params[k] = m.config[k];
  params.stem = configStem(m.config);
  params.backend = settings.backend;
  params.scoresFrom = m.id;
  params.score = score;
  if (settings.steps > 0) params.steps = settings.steps;
  else if (typeof m.config.scheduleSteps === 'number') params.steps = m.config.scheduleSteps;
  const seeds = s.seeds ?? Math.min(settings.runs, s.kind === 'window' ? 2 : 4);
  params.seeds = seeds;
  const what = `${datasetName(m)} by ${score}`;
  if (s.kind === 'prune') {
    const fractions = [...(s.fractions ?? DEFAULT_PRUNE_FRACTIONS)];
    const strategies = [...(s.strategies ?? PRUNE_STRATEGY_CHOICES.filter((c) => c.picked).map((c) => c.id))];
    Object.assign(params, { fractions, strategies });
    // Each seed also trains on the full data: the baseline the curve starts from.
    const n = (fractions.length * strategies.length + 1) * seeds;
    return { job: 'prune', params, title: `Pruning ${what}: ${fractions.map(percent).join(', ')} \u00d7 ${strategies.join(', ')} (${n} trainings with the full-data baseline)` };
  }
  const size = s.size ?? DEFAULT_WINDOW_SIZE;
  const offsets = windowOffsets(size);
  // The best window is picked on held-out data: keep the score run's split when it held some out.
  if (!(typeof params.validation === 'number' && params.validation > 0)) params.validation = WINDOW_VALIDATION;
  Object.assign(params, { size, offsets });
  return { job: 'window', params, title: `Sliding window over ${what}: keep ${percent(size)} at ${offsets.length} offsets (${offsets.length * seeds} trainings)` };
}
