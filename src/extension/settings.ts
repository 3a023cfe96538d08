// Reading the `datadiet.*` settings into one checked object. Pure: the caller passes a getter (vscode's
// WorkspaceConfiguration.get in the extension, a plain object in tests).
import * as path from 'node:path';
import type { BackendChoice } from '../core/compute/backend';
import type { Architecture } from '../core/models/model';
import { STEM_CHOICES, type StemChoice } from '../contract/choices';
import { ARCHITECTURE_CHOICES, BACKEND_OPTIONS } from './choices';
import { LOCAL_EXECUTION, SLURM_DEFAULTS, type ExecutionRequest, type SlurmOptions } from '../contract/execution';
import { executionRequest } from '../contract/executionOptions';
import { RESIZE_MODES, type ResizeMode } from '../contract/choices';
import { MAX_IMAGE_SIZE } from '../core/data/imageGeometry';

export interface Settings {
  readonly backend: BackendChoice;
  readonly model: Architecture;
  readonly width: number;
  /** ResNets' stem: auto (by input size), cifar or imagenet. */
  readonly stem: StemChoice;
  /** K: independent runs that scores average over (and default for repeated training runs). */
  readonly runs: number;
  readonly batchSize: number;
  /** Where `.datadiet/runs` lives: '' = the first workspace folder. */
  readonly runsRoot: string;
  /** Quick looks: train on a seeded subset of this many examples (0 = all). */
  readonly trainSubset: number;
  /** Quick looks: a fixed iteration budget instead of epochs (0 = from epochs). */
  readonly steps: number;
  /** --image-size of every job this window starts (0 = images keep their own size). */
  readonly imageSize: number;
  readonly resize: ResizeMode;
  /** datadiet.backbone: a TensorFlow.js model folder ('' = none), resolved against the workspace folder. */
  readonly backbone: string;
  /** Who runs the work units of the jobs this window starts (datadiet.executor, .parallel, .slurm.*). */
  readonly execution: ExecutionRequest;
  /** The datadiet.slurm.* options, whichever executor is chosen (a notebook cell may pick slurm alone). */
  readonly slurm: SlurmOptions;
  /** Why the execution settings were not usable (then the local executor runs), for the log. */
  readonly executionProblem?: string;
}

export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  model: 'cnn-small',
  width: 1,
  stem: 'auto',
  runs: 2,
  batchSize: 128,
  runsRoot: '',
  trainSubset: 0,
  steps: 0,
  imageSize: 0,
  resize: 'crop',
  backbone: '',
  execution: LOCAL_EXECUTION,
  slurm: SLURM_DEFAULTS,
};

export type SettingGetter = (key: string) => unknown;

function positiveNumber(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}
function positiveInt(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}
function nonNegInt(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

/** 0, or a size --image-size accepts. */
function imageSizeSetting(v: unknown, fallback: number): number {
  return v === 0 || (typeof v === 'number' && Number.isInteger(v) && v >= 4 && v <= MAX_IMAGE_SIZE) ? v : fallback;
}

/** Settings with anything invalid replaced by its default (VS Code's schema already warns the user about it). */
export function readSettings(get: SettingGetter): Settings {
  const d = DEFAULT_SETTINGS;
  const backend = get('backend');
  const model = get('model');
  const runsRoot = get('runsRoot');
  return {
    backend: BACKEND_OPTIONS.some((b) => b.id === backend) ? (backend as BackendChoice) : d.backend,
    model: ARCHITECTURE_CHOICES.some((a) => a.id === model) ? (model as Architecture) : d.model,
    width: positiveNumber(get('width'), d.width),
    stem: (STEM_CHOICES as readonly unknown[]).includes(get('stem')) ? (get('stem') as StemChoice) : d.stem,
    runs: positiveInt(get('runs'), d.runs),
    batchSize: positiveInt(get('batchSize'), d.batchSize),
    runsRoot: typeof runsRoot === 'string' ? runsRoot.trim() : d.runsRoot,
    trainSubset: nonNegInt(get('trainSubset'), d.trainSubset),
    steps: nonNegInt(get('steps'), d.steps),
    imageSize: imageSizeSetting(get('imageSize'), d.imageSize),
    resize: (RESIZE_MODES as readonly unknown[]).includes(get('resize')) ? (get('resize') as ResizeMode) : d.resize,
    backbone: typeof get('backbone') === 'string' ? (get('backbone') as string).trim() : d.backbone,
    ...readExecution(get),
  };
}

/** The executor settings through the contract's checks (the same as the CLI flags'); unusable ones fall back to local. */
function readExecution(get: SettingGetter): Pick<Settings, 'execution' | 'slurm' | 'executionProblem'> {
  const str = (k: string) => {
    const v = get(`slurm.${k}`);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const max = get('slurm.maxConcurrent');
  const extra = get('slurm.extraArgs');
  try {
    const slurm = executionRequest({
      executor: 'slurm',
      partition: str('partition'),
      time: str('time'),
      memPerUnit: str('memPerUnit'),
      cpusPerUnit: positiveInt(get('slurm.cpusPerUnit'), 1),
      gpusPerUnit: nonNegInt(get('slurm.gpusPerUnit'), 0),
      maxConcurrent: typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : undefined,
      extraArgs: Array.isArray(extra) ? extra.filter((a): a is string => typeof a === 'string') : [],
      allowLocalRunDir: get('slurm.allowLocalRunDir') === true,
    });
    const options = slurm.executor === 'slurm' ? slurm.slurm : SLURM_DEFAULTS;
    const execution = get('executor') === 'slurm' ? slurm : executionRequest({ executor: 'local', parallel: positiveInt(get('parallel'), 1) });
    return { execution, slurm: options };
  } catch (e) {
    return { execution: LOCAL_EXECUTION, slurm: SLURM_DEFAULTS, executionProblem: (e as Error).message };
  }
}

/**
 * The folder under which `.datadiet/runs` lives. `runsRoot` may be absolute, relative to the first workspace folder,
 * or use ${workspaceFolder} / ~; empty means the first workspace folder; with no folder open, the fallback
 * (the extension's global storage) is used.
 */
export function resolveRunsRoot(runsRoot: string, workspaceFolder: string | undefined, fallback: string, home: string): string {
  let r = runsRoot.trim();
  if (r === '') return workspaceFolder ?? fallback;
  if (workspaceFolder) r = r.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (r === '~' || r.startsWith('~/')) r = path.join(home, r.slice(1));
  if (path.isAbsolute(r)) return path.normalize(r);
  return path.resolve(workspaceFolder ?? fallback, r);
}
