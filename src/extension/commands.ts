// The Data Diet commands. Each is thin: decisions live in the pure modules (wizard, runsModel, statusModel,
// messages), processes in engineHost, files in runFiles.
import type { JobName } from '../contract/jobNames';
import { hasResultsNotebook } from '../core/cells/starter';
import { cancelRun } from '../core/jobs/runControl';
import { hasPlan, readParams } from '../core/jobs/unitStore';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isOnSlurm, type RunManifest } from '../contract/runManifest';
import { readRun, type RunSummary } from '../core/store/runStore';
import { BACKEND_OPTIONS, FASHION_MNIST_DIR } from './choices';
import type { ActiveJob, EngineHost } from './engineHost';
import { finishedMessage } from './messages';
import { deleteRunDir } from './runFiles';
import { runItem } from './runsModel';
import type { RunsView } from './runsView';
import type { Settings } from './settings';
import { ProgressTracker, Throttle } from './statusModel';
import { requireTrust } from './trust';
import {
  buildJobRequests,
  completeAnswers,
  datasetCandidatesFromFiles,
  datasetItems,
  experimentSteps,
  rerunRequest,
  type CompleteAnswers,
  type Goal,
  type JobRequest,
  type WizardState,
} from './wizard';
import { runWizard } from './wizardUi';
import { importFiles, type ImportDeps } from './importCommands';
import { buildSweepRequest, sweepSteps, usableScoreRuns, WINDOW_VALIDATION, type SweepKind, type SweepState } from './sweepWizard';

const GOAL_ACTIONS: Record<Goal, string> = { train: 'train models', score: 'compute scores', noise: 'run label-noise studies', audit: 'audit labels' };
const GOAL_TITLES: Record<Goal, string> = { train: 'Data Diet: New Experiment', score: 'Data Diet: Compute Scores', noise: 'Data Diet: Label-Noise Study', audit: 'Data Diet: Find Label Errors' };

export interface CommandDeps {
  readonly host: EngineHost;
  readonly runsView: RunsView;
  readonly output: vscode.OutputChannel;
  readonly settings: () => Settings;
  /** Where `.datadiet/runs` lives now (settings + workspace). */
  readonly runsRoot: () => string;
  readonly log: (line: string) => void;
}

const DATASET_GLOB = '**/{*-idx3-ubyte,*-idx3-ubyte.gz,data_batch_1.bin,train.bin,*.csv,*.jsonl}';
const DATASET_EXCLUDE = '**/{node_modules,.git,.datadiet,.e2e,dist,out}/**';

export class Commands {
  constructor(private readonly d: CommandDeps) {}

  register(context: vscode.ExtensionContext): void {
    const r = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    r('datadiet.newExperiment', (arg) => this.newExperiment('train', arg));
    r('datadiet.computeScores', (arg) => this.newExperiment('score', arg));
    r('datadiet.noiseStudy', (arg) => this.newExperiment('noise', arg));
    r('datadiet.auditLabels', (arg) => this.newExperiment('audit', arg));
    r('datadiet.pruneDataset', (arg) => this.sweep('prune', arg));
    r('datadiet.windowSweep', (arg) => this.sweep('window', arg));
    // The runs view's "from this run" entries: the same wizards, starting from the clicked score run.
    r('datadiet.pruneFromRun', (arg) => this.sweep('prune', arg));
    r('datadiet.windowSweepFromRun', (arg) => this.sweep('window', arg));
    r('datadiet.cancelRun', (arg) => this.cancelRun(arg));
    r('datadiet.resumeRun', (arg) => this.resumeRun(arg));
    r('datadiet.chooseBackend', (arg) => this.chooseBackend(arg));
    r('datadiet.showLogs', () => this.d.output.show(true));
    r('datadiet.openRunFolder', (arg) => this.openRunFolder(arg));
    r('datadiet.deleteRun', (arg, all) => this.deleteRun(arg, all));
    r('datadiet.rerun', (arg) => this.rerun(arg));
    r('datadiet.refreshRuns', () => this.d.runsView.refresh(0));
    r('datadiet.importPredictions', (arg) => importFiles('predictions', this.importDeps(), arg));
    r('datadiet.importScores', (arg) => importFiles('scores', this.importDeps(), arg));
  }

  // ------------------------------------------------------------------------------------------ experiments

  /**
   * The wizard, then the job(s). `arg` (from tests, walkthrough links or other extensions) may preset answers:
   * with a dataset, the wizard is skipped. Resolves with the finished runs' manifests.
   */
  async newExperiment(goal: Goal, arg?: unknown): Promise<RunManifest[] | undefined> {
    if (!requireTrust(GOAL_ACTIONS[goal])) return undefined;
    const settings = this.d.settings();
    const preset = arg && typeof arg === 'object' && !('kind' in arg) ? (arg as Partial<CompleteAnswers>) : {};
    let state: WizardState | undefined = { goal, ...preset };
    if (!preset.dataset) {
      const steps = experimentSteps(settings, datasetItems(await this.findDatasets(), fs.existsSync(FASHION_MNIST_DIR)));
      state = await runWizard(goal === 'train' ? steps : steps.filter((s) => s.id !== 'goal'), state, GOAL_TITLES[goal]);
      if (!state) return undefined;
    }
    const answers = completeAnswers(state, settings);
    if (!answers) return undefined;
    return this.startJobs(buildJobRequests(answers, settings));
  }

  /**
   * Prune Dataset / Sliding-Window Sweep: from a finished score run (picked, the tree item the command was run on, or
   * `{ scoresFrom: id, ... }` preset answers that skip the wizard) to one engine job.
   */
  async sweep(kind: SweepKind, arg?: unknown): Promise<RunManifest[] | undefined> {
    if (!requireTrust(kind === 'prune' ? 'retrain pruned subsets' : 'run window sweeps')) return undefined;
    const title = kind === 'prune' ? 'Data Diet: Prune Dataset' : 'Data Diet: Sliding-Window Sweep';
    const runs = usableScoreRuns(this.d.runsView.readRuns(), kind);
    const fromTree = this.d.runsView.resolve(arg)?.manifest;
    const preset = !fromTree && arg && typeof arg === 'object' && 'scoresFrom' in arg ? (arg as Partial<SweepState> & { scoresFrom: string }) : undefined;
    let state: SweepState | undefined = { kind };
    if (fromTree) {
      if (!runs.some((m) => m.id === fromTree.id)) {
        void vscode.window.showErrorMessage(`Data Diet: ${fromTree.id} is not a finished score run: ${kind === 'prune' ? 'pruning' : 'a window sweep'} starts from one.`);
        return undefined;
      }
      state = { kind, scoreRun: fromTree };
    } else if (preset) {
      const m = runs.find((r) => r.id === preset.scoresFrom);
      if (!m) {
        void vscode.window.showErrorMessage(`Data Diet: no finished score run "${preset.scoresFrom}" under ${this.d.runsRoot()}.`);
        return undefined;
      }
      const { scoresFrom: _id, ...answers } = preset;
      state = { ...answers, kind, scoreRun: m };
    } else if (!runs.length) {
      // A window sweep needs scores computed with validation held out (or over the whole training split).
      const compute = kind === 'window' ? `Compute Scores (${WINDOW_VALIDATION * 100}% held out)` : 'Compute Scores';
      const why =
        kind === 'window'
          ? `${title} picks the best window on validation data, so it starts from a score run that held out validation examples (or scored the whole training split), and there is none under ${this.d.runsRoot()} yet.`
          : `${title} starts from the scores of a finished score run, and there is none under ${this.d.runsRoot()} yet.`;
      const pick = await vscode.window.showInformationMessage(why, compute);
      if (pick === compute) await vscode.commands.executeCommand('datadiet.computeScores', kind === 'window' ? { validation: WINDOW_VALIDATION } : undefined);
      return undefined;
    }
    if (!preset) {
      const steps = sweepSteps(kind, runs, this.d.settings()).filter((st) => !(st.id === 'scoreRun' && state!.scoreRun));
      state = await runWizard(steps, state, title);
      if (!state) return undefined;
    }
    const req = buildSweepRequest(state, this.d.settings());
    return req ? this.startJobs([req]) : undefined;
  }

  /** What the import commands (importCommands.ts) need from here: the job queue and the dataset candidates. */
  private importDeps(): ImportDeps {
    return { startJobs: (reqs) => this.startJobs(reqs), findDatasets: () => this.findDatasets() };
  }

  private async findDatasets() {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return [];
    try {
      const uris = await vscode.workspace.findFiles(DATASET_GLOB, DATASET_EXCLUDE, 200);
      return datasetCandidatesFromFiles(uris.map((u) => u.fsPath), folder.uri.fsPath);
    } catch {
      return [];
    }
  }

  /**
   * Runs the requests one after another under one progress notification (with a cancel button that cancels the
   * running job within a batch and skips the rest). Resolves with the finished runs' manifests.
   */
  async startJobs(requests: readonly JobRequest[]): Promise<RunManifest[]> {
    if (!requests.length) return [];
    const root = this.d.runsRoot();
    const title = requests.length > 1 ? requests[0].title.replace(/ \u2014 run 1\/\d+$/, ` \u00d7${requests.length}`) : requests[0].title;
    const finished: RunManifest[] = [];
    let failure: Error | undefined;
    let cancelled = false;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Data Diet: ${title}`, cancellable: true },
      async (progress, token) => {
        const tracker = new ProgressTracker();
        let current: ActiveJob | undefined;
        token.onCancellationRequested(() => {
          cancelled = true;
          current?.cancel();
          progress.report({ message: 'cancelling after the current batch\u2026' });
        });
        const waiting = this.d.host.activeJobs.length;
        progress.report({ message: waiting ? `waiting for ${waiting} job${waiting === 1 ? '' : 's'} before it\u2026` : 'starting\u2026' });
        for (const [i, req] of requests.entries()) {
          if (cancelled) break;
          try {
            const throttle = new Throttle(100);
            let phase = '';
            const execution = req.execution ?? this.d.settings().execution;
            current = this.d.host.start(req.job, root, req.params, req.title, (p) => {
              const force = p.phase !== phase || p.fraction === 1;
              phase = p.phase;
              if (!cancelled && throttle.pass(force)) progress.report(tracker.update(p, i, requests.length));
            }, execution, req.resumeDir);
            const m = await current.result;
            finished.push(m);
            this.d.runsView.refresh(0);
            // Submitted to Slurm: the cluster runs it; the runs view follows its units.
            if (m.status !== 'done' && !isOnSlurm(m)) break;
          } catch (e) {
            // A job cancelled while it waited in the engine's queue ends with an error, but it is a cancel.
            if (current?.cancelRequested) cancelled = true;
            else failure = e as Error;
            break;
          }
        }
      },
    );
    this.d.runsView.refresh(0);
    this.announce(title, finished, failure, cancelled, path.join(root, '.datadiet', 'runs'));
    return finished;
  }

  private announce(title: string, finished: readonly RunManifest[], failure: Error | undefined, cancelled: boolean, runsBase: string): void {
    const last = finished[finished.length - 1];
    if (last && isOnSlurm(last)) {
      const s = last.execution?.slurm;
      void vscode.window.showInformationMessage(`Data Diet: ${title}: submitted to Slurm (array job ${s?.arrayJobId}, ${s?.units.length} units; merge job ${s?.mergeJobId}). The Runs view follows it.`);
      return;
    }
    const open = 'Open Run Folder';
    const logs = 'Show Logs';
    const results = 'Open Results';
    const imageSize = 'Set Image Size';
    const act = (pick: string | undefined) => {
      if (pick === logs) this.d.output.show(true);
      if (pick === imageSize) void vscode.commands.executeCommand('workbench.action.openSettings', 'datadiet.imageSize');
      if (pick === open && last) void this.openRunFolder(path.join(runsBase, last.id));
      if (pick === results && last) void vscode.commands.executeCommand('datadiet.openResultsNotebook', last.id);
    };
    // What the user wants after a run is its results (charts, galleries), then its files.
    const finishedActions = last && hasResultsNotebook(last.kind) ? [results, open] : [open];
    // Images of several sizes: the fix is a setting, offered where the failure is read.
    const sizeFix = (text: string | undefined) => (text && /different sizes/.test(text) ? [imageSize] : []);
    if (failure) {
      void vscode.window.showErrorMessage(`Data Diet: ${title} failed: ${failure.message}`, ...sizeFix(failure.message), logs).then(act);
    } else if (last && last.status === 'failed') {
      void vscode.window.showErrorMessage(`Data Diet: ${finishedMessage(title, last)}`, ...sizeFix(last.error), open, logs).then(act);
    } else if (last) {
      const text = finished.length > 1 ? `${finished.length} runs. Last: ${finishedMessage(title, last)}` : finishedMessage(title, last);
      void vscode.window.showInformationMessage(`Data Diet: ${text}`, ...finishedActions).then(act);
    } else if (cancelled) {
      void vscode.window.showInformationMessage(`Data Diet: ${title}: cancelled before it started.`);
    }
  }

  // ------------------------------------------------------------------------------------------ runs

  private async pickRun(placeholder: string, filter: (r: RunSummary) => boolean = () => true): Promise<RunSummary | undefined> {
    const runs = this.d.runsView.readRuns().filter(filter);
    if (!runs.length) {
      void vscode.window.showInformationMessage('Data Diet: no runs here yet. Start one with "Data Diet: New Experiment".');
      return undefined;
    }
    const now = new Date();
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => {
        const d = runItem(r, now);
        return { label: d.label, description: d.description, detail: path.basename(r.dir), run: r };
      }),
      { placeHolder: placeholder, matchOnDetail: true },
    );
    return picked?.run;
  }

  private async runFrom(arg: unknown, placeholder: string, filter?: (r: RunSummary) => boolean): Promise<RunSummary | undefined> {
    const run = this.d.runsView.resolve(arg);
    if (run) return run;
    if (arg === undefined || (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri))) return this.pickRun(placeholder, filter);
    void vscode.window.showErrorMessage(`Data Diet: no run ${String(arg instanceof vscode.Uri ? arg.fsPath : arg)} under ${this.d.runsRoot()}.`);
    return undefined;
  }

  async cancelRun(arg?: unknown): Promise<void> {
    const jobs = this.d.host.activeJobs;
    let job: ActiveJob | undefined;
    if (arg !== undefined) {
      const run = this.d.runsView.resolve(arg);
      job = run ? this.d.host.jobForRun(run.dir) : undefined;
      if (!job && run?.manifest && isOnSlurm(run.manifest)) {
        try {
          const m = await cancelRun(run.dir);
          void vscode.window.showInformationMessage(`Data Diet: ${m.error ?? `run ${m.id} cancelled`}`);
        } catch (e) {
          void vscode.window.showErrorMessage(`Data Diet: could not cancel ${run.manifest.id}: ${(e as Error).message}`);
        }
        this.d.runsView.refresh(0);
        return;
      }
      if (!job && run?.manifest?.status === 'running') {
        void vscode.window.showInformationMessage(
          `Data Diet: run ${run.manifest.id} is being written by another process (pid ${run.manifest.pid ?? '?'}), such as the datadiet CLI or another window: stop it there.`,
        );
        return;
      }
    }
    if (!job) {
      if (jobs.length === 0) {
        void vscode.window.showInformationMessage('Data Diet: no job is running in this window.');
        return;
      }
      if (jobs.length === 1) job = jobs[0];
      else {
        const picked = await vscode.window.showQuickPick(
          jobs.map((j, i) => ({ label: j.title, description: i === 0 ? 'running' : 'queued', job: j })),
          { placeHolder: 'Cancel which job?' },
        );
        job = picked?.job;
      }
    }
    if (!job) return;
    job.cancel();
    this.d.log(`cancel requested: ${job.title}`);
  }

  /** Runs view and palette: a failed or cancelled run's missing units run, in its folder; then its merge. */
  async resumeRun(arg?: unknown): Promise<RunManifest[] | undefined> {
    if (!requireTrust('resume experiments')) return undefined;
    const run = await this.runFrom(arg, 'Resume which run (its missing units)?', (r) => !!r.manifest && (r.manifest.status === 'failed' || r.manifest.status === 'cancelled') && hasPlan(r.dir));
    if (!run?.manifest) return undefined;
    if (!hasPlan(run.dir)) {
      void vscode.window.showErrorMessage(`Data Diet: ${run.manifest.id} was made before work units; rerun it instead.`);
      return undefined;
    }
    const failed = run.manifest.error?.match(/(\d+) units? failed/);
    let retryFailed = false;
    if (failed) {
      const pick = await vscode.window.showWarningMessage(`Data Diet: ${failed[1]} unit(s) of ${run.manifest.id} failed (see Show Run Units). Rerun them too?`, 'Rerun Failed Units Too', 'Only Missing Units');
      if (!pick) return undefined;
      retryFailed = pick === 'Rerun Failed Units Too';
    }
    return this.startJobs([{ job: run.manifest.kind as JobName, params: { retryFailed }, title: `Resuming ${run.manifest.id}`, resumeDir: run.dir, execution: undefined }]);
  }

  async chooseBackend(arg?: unknown): Promise<void> {
    const current = this.d.settings().backend;
    let choice = typeof arg === 'string' && BACKEND_OPTIONS.some((b) => b.id === arg) ? arg : undefined;
    if (!choice) {
      const lastUsed = this.d.runsView.readRuns().find((r) => r.manifest?.backend)?.manifest?.backend;
      const picked = await vscode.window.showQuickPick(
        BACKEND_OPTIONS.map((b) => ({
          label: b.id,
          description: [b.id === current ? 'current setting' : undefined, lastUsed?.name === b.id ? 'used by the last run' : undefined].filter(Boolean).join(', ') || undefined,
          detail: b.detail,
          picked: b.id === current,
        })),
        {
          title: 'Data Diet: Choose Compute Backend',
          placeHolder: lastUsed ? `Last run: ${lastUsed.device} \u2014 ${lastUsed.reason}` : 'Compute backend for new jobs',
        },
      );
      choice = picked?.label;
    }
    if (!choice) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('datadiet').update('backend', choice, target);
    this.d.log(`backend setting: ${choice}`);
  }

  async openRunFolder(arg?: unknown): Promise<void> {
    const run = await this.runFrom(arg, 'Open which run?');
    if (!run) return;
    const dir = vscode.Uri.file(run.dir);
    const manifest = vscode.Uri.file(path.join(run.dir, 'manifest.json'));
    const inWorkspace = vscode.workspace.getWorkspaceFolder(dir) !== undefined;
    if (fs.existsSync(manifest.fsPath)) await vscode.window.showTextDocument(manifest, { preview: true, preserveFocus: true });
    if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', dir);
    else if (vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop) await vscode.commands.executeCommand('revealFileInOS', dir);
  }

  async deleteRun(arg?: unknown, all?: unknown): Promise<void> {
    // From the tree with several items selected, VS Code passes (clicked, selection).
    const selected = Array.isArray(all) && all.length > 1 ? all.map((a) => this.d.runsView.resolve(a)).filter((r): r is RunSummary => !!r) : [];
    const one = selected.length ? undefined : await this.runFrom(arg, 'Delete which run?');
    const runs = selected.length ? selected : one ? [one] : [];
    if (!runs.length) return;
    const busy = runs.filter((r) => this.d.host.jobForRun(r.dir));
    if (busy.length) {
      void vscode.window.showWarningMessage(`Data Diet: ${path.basename(busy[0].dir)} is running here: cancel it first.`);
      return;
    }
    const what = runs.length === 1 ? `run ${path.basename(runs[0].dir)}` : `${runs.length} runs`;
    const ok = await vscode.window.showWarningMessage(
      `Delete ${what}? Its folder (manifest, metrics, weights, scores) is removed from disk.`,
      { modal: true },
      'Delete',
    );
    if (ok !== 'Delete') return;
    const base = this.d.runsView.runsBase ?? path.join(this.d.runsRoot(), '.datadiet', 'runs');
    for (const r of runs) {
      try {
        await deleteRunDir(base, r.dir);
        this.d.log(`deleted ${r.dir}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Data Diet: could not delete ${r.dir}: ${(e as Error).message}`);
      }
    }
    this.d.runsView.refresh(0);
  }

  async rerun(arg?: unknown): Promise<RunManifest[] | undefined> {
    if (!requireTrust('rerun experiments')) return undefined;
    const run = await this.runFrom(arg, 'Rerun which run (same configuration and seeds)?', (r) => !!r.manifest);
    if (!run) return undefined;
    const m = readRun(run.dir).manifest;
    const label = m && `${runItem(run, new Date()).label} (${m.id})`;
    // A run with work units recorded its job and exact parameters (params.json): rerun those.
    const recorded = m && hasPlan(run.dir) ? readParams(run.dir) : undefined;
    const req = recorded ? { job: recorded.job, params: recorded.params, title: `Rerunning ${label}` } : m && rerunRequest(m.kind, m.config, label!);
    if (!req) {
      void vscode.window.showErrorMessage(`Data Diet: ${path.basename(run.dir)} cannot be rerun: its manifest has no ${m ? 'train or score configuration' : 'readable content'}.`);
      return undefined;
    }
    return this.startJobs([req]);
  }
}
