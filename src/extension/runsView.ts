// The runs tree: one item per run directory under <runs root>/.datadiet/runs, newest first, with details as
// children; refreshed by a file watcher on the manifests and, while a job runs here, by its progress.
import { isOnSlurm } from '../contract/runManifest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns, MANIFEST, readRun, runsDir, type RunSummary } from '../core/store/runStore';
import type { EngineHost } from './engineHost';
import { runRefOf } from './runArgument';
import { runsSignature } from './runFiles';
import { runDetails, runItem, type DetailData, type RunItemData } from './runsModel';
import { runUnits, settleVanishedSlurmRun } from '../core/jobs/runControl';
import { hasPlan, readPlan, unitCounts } from '../core/jobs/unitStore';

export type RunsNode =
  | { readonly kind: 'run'; readonly data: RunItemData; readonly summary: RunSummary }
  | { readonly kind: 'detail'; readonly runDir: string; readonly index: number; readonly data: DetailData };

export class RunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private slurmTimer: NodeJS.Timeout | undefined;
  private root: string | undefined;
  private runs: RunSummary[] = [];
  readonly view: vscode.TreeView<RunsNode>;

  constructor(
    private readonly host: EngineHost,
    private readonly onRunsRead: (runs: readonly RunSummary[]) => void,
  ) {
    this.view = vscode.window.createTreeView('datadiet.runs', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.changed);
    // Progress of a job running here: redraw its percent and ETA about twice a second.
    this.disposables.push(host.onDidChange(() => this.refresh(500)));
    // A safety net under the file watcher (whose events can be late or dropped, e.g. on network file systems):
    // while the view is visible, a cheap look at the run folders' modification times every few seconds.
    const poll = setInterval(() => {
      if (!this.view.visible) return;
      const sig = runsSignature(this.runsBase);
      if (sig !== this.signature) {
        this.signature = sig;
        this.refresh(0);
      }
    }, 3000);
    this.disposables.push({ dispose: () => clearInterval(poll) });
  }

  private signature = '';

  /** Points the view (and its watchers) at a runs root; undefined shows the welcome content. */
  setRoot(root: string | undefined): void {
    if (root === this.root) return;
    this.root = root;
    this.watchers.forEach((w) => w.dispose());
    this.watchers = [];
    if (root) {
      const base = vscode.Uri.file(root);
      for (const glob of ['.datadiet/runs/*/manifest.json', '.datadiet/runs/*']) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, glob));
        const on = () => this.refresh(200);
        w.onDidCreate(on);
        w.onDidChange(on);
        w.onDidDelete(on);
        this.watchers.push(w);
      }
    }
    this.refresh(0);
  }

  get runsRoot(): string | undefined {
    return this.root;
  }

  get runsBase(): string | undefined {
    return this.root ? runsDir(this.root) : undefined;
  }

  /** Runs as last read (newest first). */
  get current(): readonly RunSummary[] {
    return this.runs;
  }

  /** Redraws after `delayMs`, coalescing bursts (watcher events, progress ticks) into one redraw. */
  refresh(delayMs = 0): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, delayMs);
  }

  /**
   * Runs on Slurm change without this window: every half minute while one runs, ask squeue (asynchronously) and
   * record a run whose jobs left the queue unmerged, then redraw.
   */
  private pollSlurm(): void {
    const onSlurm = this.runs.filter((r) => r.manifest && isOnSlurm(r.manifest));
    if (onSlurm.length === 0 || this.slurmTimer) return;
    this.slurmTimer = setTimeout(async () => {
      for (const r of onSlurm) {
        try {
          const units = await runUnits(r.dir, r.manifest!);
          if (units) settleVanishedSlurmRun(r.dir, r.manifest!, units);
        } catch {
          /* squeue unreachable now: try again at the next poll */
        }
      }
      this.slurmTimer = undefined;
      this.refresh(0);
    }, 30_000);
  }

  readRuns(): RunSummary[] {
    this.signature = runsSignature(this.runsBase);
    this.runs = this.root ? listRuns(this.root) : [];
    this.onRunsRead(this.runs);
    const running = this.runs.filter((r) => r.manifest?.status === 'running').length;
    this.pollSlurm();
    this.view.badge = running ? { value: running, tooltip: `${running} run${running === 1 ? '' : 's'} in progress` } : undefined;
    return this.runs;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      const now = new Date();
      return this.readRuns().map((summary) => {
        const job = this.host.jobForRun(summary.dir);
        const live = job?.progress ? { fraction: job.progress.fraction, etaSeconds: job.progress.etaSeconds, message: job.progress.message } : slurmProgress(summary);
        return { kind: 'run' as const, data: runItem(summary, now, live), summary };
      });
    }
    if (node.kind === 'run') {
      return runDetails(node.summary).map((data, index) => ({ kind: 'detail' as const, runDir: node.summary.dir, index, data }));
    }
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.data.label, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.runDir}#${node.data.label}`;
      item.description = node.data.description;
      item.tooltip = node.data.tooltip ?? node.data.description;
      item.contextValue = 'runDetail';
      if (node.data.command) item.command = { command: node.data.command, title: node.data.tooltip ?? node.data.label, arguments: [node.runDir] };
      return item;
    }
    const d = node.data;
    const item = new vscode.TreeItem(d.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = d.id;
    item.description = d.description;
    const md = new vscode.MarkdownString(d.tooltip);
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon(d.icon.id, d.icon.color ? new vscode.ThemeColor(d.icon.color) : undefined);
    item.contextValue = d.contextValue;
    item.resourceUri = vscode.Uri.file(d.dir);
    item.accessibilityInformation = { label: `${d.label}, ${d.description}` };
    return item;
  }

  getParent(node: RunsNode): RunsNode | undefined {
    if (node.kind === 'run') return undefined;
    const summary = this.runs.find((r) => r.dir === node.runDir);
    return summary ? { kind: 'run', data: runItem(summary, new Date()), summary } : undefined;
  }

  /** The run a command was invoked on: a tree node, a folder path (or Uri), or a run id. Reads the runs afresh. */
  resolve(arg: unknown): RunSummary | undefined {
    const ref = runRefOf(arg);
    if (ref === undefined) return undefined;
    const found = this.readRuns().find((r) => r.dir === ref || path.basename(r.dir) === ref);
    if (found) return found;
    const node = arg as Partial<RunsNode>;
    if (node.kind === 'run' && node.summary) return node.summary;
    // A run folder elsewhere (another runs root): read it where it is.
    return path.isAbsolute(ref) && fs.existsSync(path.join(ref, MANIFEST)) ? readRun(ref) : undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.slurmTimer) clearTimeout(this.slurmTimer);
    this.watchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}

/** A run on Slurm: its share of finished units, from its folder (the Slurm tasks write there, not to this window). */
function slurmProgress(s: RunSummary): { fraction: number; message: string } | undefined {
  const m = s.manifest;
  if (!m || !isOnSlurm(m) || !hasPlan(s.dir)) return undefined;
  const c = unitCounts(s.dir, readPlan(s.dir));
  return { fraction: c.done / Math.max(1, c.total), message: `on Slurm (job ${m.execution?.slurm?.arrayJobId}): ${c.done} of ${c.total} units done${c.failed ? `, ${c.failed} failed` : ''}` };
}
