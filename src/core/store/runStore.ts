import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from './atomicWrite';
import type { RunManifest, RunStatus } from './runManifest';
import { SEED_SCHEME } from '../randomStreams';

export const RUNS_DIR = path.join('.datadiet', 'runs');
export const MANIFEST = 'manifest.json';
export const METRICS = 'metrics.jsonl';

export function runsDir(root: string): string {
  return path.join(root, RUNS_DIR);
}

/** A run named by id (under `root`) or by its folder, as --scores and cells take it. */
export function runDirOf(root: string, ref: string): string {
  return fs.existsSync(path.join(ref, MANIFEST)) ? ref : path.join(runsDir(root), ref);
}

/** Where decoded images and backbone features are kept between runs (core/data/decodedCache.ts). */
export function cacheDir(root: string): string {
  return path.join(root, '.datadiet', 'cache');
}

/** The root a run folder lives under (`<root>/.datadiet/runs/<id>` -> `<root>`): the inverse of runsDir. */
export function rootOfRun(runDir: string): string {
  return path.resolve(runDir, '..', ...RUNS_DIR.split(path.sep).map(() => '..'));
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A run on disk; every manifest change is an atomic rewrite, metrics are appended line by line. */
export class RunHandle {
  private current: RunManifest;

  constructor(readonly dir: string, manifest: RunManifest) {
    this.current = manifest;
  }

  get manifest(): RunManifest {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  update(patch: Partial<Omit<RunManifest, 'schema' | 'id'>>): RunManifest {
    this.current = { ...this.current, ...patch, updatedAt: new Date().toISOString() };
    writeJsonAtomic(path.join(this.dir, MANIFEST), this.current);
    return this.current;
  }

  appendMetrics(record: Record<string, unknown>): void {
    fs.appendFileSync(path.join(this.dir, METRICS), JSON.stringify(record) + '\n');
  }

  finish(status: Exclude<RunStatus, 'running'>, patch: Partial<Omit<RunManifest, 'schema' | 'id' | 'status'>> = {}): RunManifest {
    const finishedAt = new Date().toISOString();
    const startedMs = Date.parse(this.current.timings.startedAt);
    return this.update({
      ...patch,
      status,
      pid: undefined,
      timings: {
        ...this.current.timings,
        ...patch.timings,
        finishedAt,
        totalSeconds: (Date.parse(finishedAt) - startedMs) / 1000,
      },
    });
  }
}

export interface NewRun {
  readonly kind: string;
  readonly config: Record<string, unknown>;
  readonly seeds: Record<string, number>;
  readonly versions: Record<string, string>;
}

export function createRun(root: string, init: NewRun, now = new Date()): RunHandle {
  const base = runsDir(root);
  fs.mkdirSync(base, { recursive: true });
  // mkdir without recursive fails on an existing folder, so two runs started in the same second never collide.
  for (let attempt = 0; ; attempt++) {
    const id = `${stamp(now)}-${init.kind}-${Math.random().toString(16).slice(2, 6)}`;
    const dir = path.join(base, id);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
      throw e;
    }
    const iso = now.toISOString();
    const manifest: RunManifest = {
      schema: 1,
      id,
      kind: init.kind,
      status: 'running',
      createdAt: iso,
      updatedAt: iso,
      config: init.config,
      seeds: init.seeds,
      seedScheme: SEED_SCHEME,
      versions: init.versions,
      timings: { startedAt: iso },
      pid: process.pid,
    };
    const handle = new RunHandle(dir, manifest);
    handle.update({});
    return handle;
  }
}

export interface RunSummary {
  readonly dir: string;
  readonly manifest?: RunManifest;
  /** Set when the manifest cannot be read: the run is listed, never silently hidden or deleted. */
  readonly problem?: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STATUSES: readonly string[] = ['running', 'done', 'cancelled', 'failed'];
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields every reader (CLI listing, runs view, resume) relies on, checked once here so that a hand-edited or
 * foreign manifest is reported as a problem instead of crashing a reader with a TypeError.
 */
function manifestShapeProblem(m: RunManifest): string | undefined {
  if (typeof m.kind !== 'string') return 'field "kind" must be a string';
  if (!STATUSES.includes(m.status)) return `field "status" must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(m.status)}`;
  if (!isObject(m.config)) return 'field "config" must be an object';
  if (!isObject(m.timings) || typeof m.timings.startedAt !== 'string') return 'field "timings.startedAt" must be a string';
  if (m.error !== undefined && typeof m.error !== 'string') return 'field "error" must be a string';
  // process.kill(0 or -1, 0) would probe a whole process group and always report "alive".
  if (m.pid !== undefined && !(Number.isInteger(m.pid) && m.pid > 0)) return 'field "pid" must be a positive integer';
  for (const k of ['dataset', 'model', 'backend', 'results'] as const) {
    if (m[k] !== undefined && !isObject(m[k])) return `field "${k}" must be an object`;
  }
  return undefined;
}

export function readRun(dir: string): RunSummary {
  const file = path.join(dir, MANIFEST);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { dir, problem: `${file}: cannot read (${(e as Error).message})` };
  }
  try {
    const manifest = JSON.parse(text) as RunManifest;
    if (manifest?.schema !== 1 || typeof manifest.id !== 'string') return { dir, problem: `${file}: not a Data Diet run manifest (it lacks "schema": 1 and a string "id")` };
    const bad = manifestShapeProblem(manifest);
    if (bad) return { dir, problem: `${file}: ${bad}` };
    // A run left 'running' by a process that no longer exists died (SIGKILL, crash): show it as failed.
    if (manifest.status === 'running' && manifest.pid !== undefined && !processAlive(manifest.pid)) {
      return { dir, manifest: { ...manifest, status: 'failed', error: manifest.error ?? 'the engine process ended without finishing this run' } };
    }
    return { dir, manifest };
  } catch (e) {
    return { dir, problem: `${file}: invalid JSON (${(e as Error).message})` };
  }
}

/** All runs under root, newest first. */
export function listRuns(root: string): RunSummary[] {
  const base = runsDir(root);
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .reverse()
    .map((name) => readRun(path.join(base, name)));
}

/** Per-epoch metrics; a torn last line (process killed mid-append) is skipped, not fatal. */
export function readMetrics(dir: string): Record<string, unknown>[] {
  const file = path.join(dir, METRICS);
  if (!fs.existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* torn final line */
    }
  }
  return out;
}
