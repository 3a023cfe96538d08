// Owns the one engine child process of this window: starts it on first use, restarts it on the next job after it
// dies, and records the run it was running as failed with the reason. Plain Node (no vscode), so the unit tests
// drive it against the real dist/engine.js.
import type { ExecutionRequest } from '../contract/execution';
import type { JobProgress } from '../contract/jobProgress';
import type { RunManifest } from '../contract/runManifest';
import { EngineClient, type EngineClientOptions } from '../engine/client';
import type { JobName } from '../contract/jobNames';
import { markRunFailed } from './runFiles';

export interface ActiveJob {
  readonly id: string;
  readonly job: JobName;
  readonly title: string;
  readonly root: string;
  readonly params: Record<string, unknown>;
  readonly result: Promise<RunManifest>;
  /** Milliseconds from start() to the first progress event (undefined until then). */
  readonly firstProgressMs?: number;
  readonly runId?: string;
  readonly runDir?: string;
  readonly progress?: JobProgress;
  readonly startedAt: number;
  cancel(): void;
  readonly cancelRequested: boolean;
}

export interface EngineHostOptions {
  readonly enginePath: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Tests swap the client; the default forks the engine. */
  readonly createClient?: (o: EngineClientOptions) => EngineClient;
}

type Listener = () => void;

class Job implements ActiveJob {
  firstProgressMs?: number;
  runId?: string;
  runDir?: string;
  progress?: JobProgress;
  cancelRequested = false;
  readonly startedAt = performance.now();
  result!: Promise<RunManifest>;
  id = '';
  cancelEngine: () => void = () => {};

  constructor(
    readonly job: JobName,
    readonly title: string,
    readonly root: string,
    readonly params: Record<string, unknown>,
  ) {}

  cancel(): void {
    this.cancelRequested = true;
    this.cancelEngine();
  }
}

export class EngineHost {
  private client: EngineClient | undefined;
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<Listener>();
  private disposed = false;
  private stopping = false;
  private starts = 0;
  /** Why the last engine process ended, when it ended on its own. */
  lastExitReason: string | undefined;

  constructor(private readonly options: EngineHostOptions) {}

  /** Called on every job start, progress, end, and engine exit. */
  onDidChange(fn: Listener): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  private changed(): void {
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (e) {
        this.log(`listener failed: ${(e as Error).message}`);
      }
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Jobs started and not finished, in start order (the engine runs the first; the rest wait in its queue). */
  get activeJobs(): readonly ActiveJob[] {
    return [...this.jobs.values()];
  }

  /** How many engine processes this host has started (1 + restarts). */
  get engineStarts(): number {
    return this.starts;
  }

  get enginePid(): number | undefined {
    return this.client?.alive ? this.client.pid : undefined;
  }

  private engine(): EngineClient {
    if (this.disposed) throw new Error('Data Diet is shutting down');
    if (this.client?.alive) return this.client;
    this.starts++;
    if (this.starts > 1) this.log(`starting a new engine process (restart ${this.starts - 1})`);
    const options: EngineClientOptions = {
      enginePath: this.options.enginePath,
      // Under Electron (desktop VS Code) the extension host's execPath is Electron run as Node: keep it so for the fork.
      env: { ...(this.options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      onLog: (line) => this.log(line),
      onExit: (reason) => this.engineExited(client, reason),
    };
    const client = (this.options.createClient ?? ((o) => new EngineClient(o)))(options);
    this.client = client;
    client.ready.then(
      (r) => this.log(`engine ready (pid ${r.pid}, version ${r.version})`),
      (e: Error) => this.log(`engine failed to start: ${e.message}`),
    );
    return client;
  }

  private engineExited(client: EngineClient, reason: string): void {
    if (this.client === client) this.client = undefined;
    if (this.disposed) return;
    this.lastExitReason = reason;
    this.log(`engine stopped: ${reason}`);
    // Its jobs' result promises reject (EngineClient does that); record the run that was running as failed.
    for (const job of this.jobs.values()) {
      if (!job.runDir) continue;
      const why = this.stopping
        ? `the window closed and the engine did not stop in time (${reason})`
        : `${reason} while this run was going; the engine restarts with the next job`;
      const m = markRunFailed(job.runDir, why);
      if (m) this.log(`run ${m.id} recorded as failed: ${reason}`);
    }
    this.changed();
  }

  /** Starts a job; progress events update the job (see activeJobs) and are passed to onProgress. */
  start(job: JobName, root: string, params: Record<string, unknown>, title: string, onProgress?: (p: JobProgress, j: ActiveJob) => void, execution?: ExecutionRequest, resumeDir?: string): ActiveJob {
    const j = new Job(job, title, root, params);
    const client = this.engine();
    const listen = (p: JobProgress) => {
      if (j.firstProgressMs === undefined) {
        j.firstProgressMs = performance.now() - j.startedAt;
        this.log(`${title}: first progress after ${Math.round(j.firstProgressMs)} ms`);
      }
      if (p.runId) j.runId = p.runId;
      if (p.runDir) j.runDir = p.runDir;
      j.progress = p;
      onProgress?.(p, j);
      this.changed();
    };
    // A resume continues a run in its own folder; a start makes a new one.
    const handle = resumeDir ? client.resume<RunManifest>(root, resumeDir, { retryFailed: params.retryFailed === true, execution }, listen) : client.run<RunManifest>(job, root, params, listen, execution);
    if (resumeDir) j.runDir = resumeDir;
    j.id = handle.id;
    j.cancelEngine = () => handle.cancel();
    this.jobs.set(j.id, j);
    this.log(`started ${job} job ${j.id}: ${title} ${JSON.stringify(params)}`);
    j.result = handle.result.then(
      (m) => {
        this.jobs.delete(j.id);
        this.log(`${title}: ${m.status}${m.error ? ` (${m.error})` : ''} in ${((performance.now() - j.startedAt) / 1000).toFixed(1)} s`);
        this.changed();
        return m;
      },
      (e: Error) => {
        this.jobs.delete(j.id);
        this.log(`${title}: failed: ${e.message}`);
        this.changed();
        throw e;
      },
    );
    j.result.catch(() => {});
    this.changed();
    return j;
  }

  /** Finds the active job that is running a run directory or id. */
  jobForRun(runDirOrId: string): ActiveJob | undefined {
    return [...this.jobs.values()].find((j) => j.runDir === runDirOrId || j.runId === runDirOrId);
  }

  /** Kills the engine (for tests and "restart engine"): its running run is recorded as failed. */
  kill(): void {
    this.client?.kill();
  }

  /** Asks the engine to stop (running jobs are recorded as cancelled), killing it if it lingers. */
  async dispose(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    const client = this.client;
    if (client?.alive) await client.shutdown(timeoutMs);
    this.client = undefined;
    this.disposed = true;
    this.listeners.clear();
  }
}
