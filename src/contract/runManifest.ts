import { STEM_CHOICES, type ResizeMode, type Stem, type StemChoice } from './choices';
import type { ExecutionRecord } from './execution';
import type { JobName } from './jobNames';

/** The contract between every part of Data Diet and users' own tools: `<root>/.datadiet/runs/<id>/manifest.json`. */
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed';

/**
 * The model a run trained. `stem`: the stem a ResNet was built with (absent for other models, and in runs made
 * before the option existed, whose ResNets had the CIFAR stem).
 */
export interface ModelRecord {
  readonly arch: string;
  readonly width: number;
  readonly stem?: Stem;
  readonly params: number;
}

export interface DatasetRecord {
  readonly spec: string;
  readonly name: string;
  /** sha256 over shapes, labels and pixels of the train and test splits. */
  readonly fingerprint: string;
  /** One example as trained on: after --image-size when given. */
  readonly shape: readonly [number, number, number];
  /** --image-size and --resize, when images were brought to one size (also part of the fingerprint). */
  readonly imageSize?: number;
  readonly resize?: ResizeMode;
  /** --backbone: the frozen feature extractor the model (a head) trained on. */
  readonly backbone?: BackboneRecord;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  readonly trainSize: number;
  readonly valSize: number;
  readonly testSize: number;
}

export interface BackboneRecord {
  /** The model folder, absolute. */
  readonly dir: string;
  /** sha256 of model.json and the weights. */
  readonly fingerprint: string;
  /** e.g. "graph model, 3.5M weights, input 224x224x3, 1280 features". */
  readonly description: string;
  readonly featureDim: number;
  readonly inputRange: string;
}

export interface BackendRecord {
  readonly name: string;
  readonly device: string;
  readonly reason: string;
  readonly threads?: number;
}

export interface RunTimings {
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly loadSeconds?: number;
  readonly trainSeconds?: number;
  readonly evalSeconds?: number;
  readonly totalSeconds?: number;
}

export interface RunManifest {
  readonly schema: 1;
  readonly id: string;
  readonly kind: string;
  readonly status: RunStatus;
  /** Why a run failed or was cancelled, in words a user can act on. */
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The full configuration, enough to rerun it. */
  readonly config: Record<string, unknown>;
  /** The seeds the user gave (`root` = --seed); every random draw derives from them (docs/randomness.md). */
  readonly seeds: Record<string, number>;
  /**
   * Version of the derivation from seeds to random streams (randomStreams.ts SEED_SCHEME). Absent in runs made
   * before it was recorded: those used scheme 1, where purposes were `seed + constant` offsets.
   */
  readonly seedScheme?: number;
  readonly dataset?: DatasetRecord;
  readonly model?: ModelRecord;
  readonly backend?: BackendRecord;
  readonly versions: Record<string, string>;
  readonly timings: RunTimings;
  readonly results?: Record<string, unknown>;
  /** Engine process id while running: a `running` run whose process is gone died without cleanup. */
  readonly pid?: number;
  /** Who runs its work units (absent in runs made before units existed: they ran in one process). */
  readonly execution?: ExecutionRecord;
  /** How many work units the job was planned as (`plan.json`; done ones are folders under `units/`). */
  readonly unitsTotal?: number;
}

/** The job a run of this kind resumes as (a run's kind is its job name; an EL2N grid is recorded as a score run). */
export type RunKind = JobName;

/** A run handed to Slurm whose jobs have not finished it yet: it runs on the cluster, not in any process of ours. */
export function isOnSlurm(m: Pick<RunManifest, 'status' | 'execution'>): boolean {
  return m.status === 'running' && m.execution?.executor === 'slurm';
}

/**
 * The stem option of a recorded configuration, to rerun or resume it as it ran: runs made before the option existed
 * built their ResNets with the CIFAR stem, which `auto` would now replace at 64 px and more.
 */
export function configStem(config: Readonly<Record<string, unknown>>): StemChoice {
  const s = config.stem;
  return (STEM_CHOICES as readonly unknown[]).includes(s) ? (s as StemChoice) : 'cifar';
}
