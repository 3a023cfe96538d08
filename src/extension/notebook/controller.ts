// The "Data Diet" kernel for Jupyter notebooks (VS Code's built-in .ipynb support): runs Data Diet cells in the cell
// worker (engine/cellWorker.ts: reading tables and images and drawing charts never block the editor), streams
// training progress into the cell, and interrupts the engine job.
import * as vscode from 'vscode';
import type { EngineJob, ExecutorChoice } from '../../core/cells/execute';
import type { ExecutionRequest } from '../../contract/execution';
import { CELL_LANGUAGE } from '../../core/cells/starter';
import type { OutputItem } from '../../core/notebook/fallbacks';
import { CellClient, type CellContext, type CellFailure } from '../../engine/cellClient';
import type { RunManifest } from '../../contract/runManifest';
import type { EngineHost } from '../engineHost';
import type { Settings } from '../settings';
import { Throttle } from '../statusModel';
import { isTrusted } from '../trust';
import { progressText } from './progressText';
import type { RunCache } from './runCache';

export const CONTROLLER_ID = 'datadiet.kernel';
export const NOTEBOOK_TYPE = 'jupyter-notebook';

export interface ControllerDeps {
  readonly host: EngineHost;
  readonly runsRoot: () => string;
  readonly settings: () => Settings;
  readonly runCache: RunCache;
  readonly log: (line: string) => void;
  /** dist/cellWorker.js of this extension. */
  readonly cellWorker: string;
}

export function toVscodeItem(item: OutputItem): vscode.NotebookCellOutputItem {
  return 'json' in item ? vscode.NotebookCellOutputItem.json(item.json, item.mime) : vscode.NotebookCellOutputItem.text(item.text, item.mime);
}

export class DataDietController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private order = 0;
  /** Running executions by cell, so an interrupt can stop their jobs. */
  private readonly running = new Map<vscode.NotebookCell, AbortController>();
  readonly cells: CellClient;

  constructor(private readonly d: ControllerDeps) {
    this.cells = new CellClient(d.cellWorker, (job, params, onProgress, signal, executor) => this.runJob(job, params, onProgress, signal, executor));
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Data Diet');
    this.controller.supportedLanguages = [CELL_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Scores, pruning sweeps and galleries of .datadiet runs';
    this.controller.executeHandler = (cells, notebook) => this.executeAll(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
  }

  /** Notebooks written in the Data Diet language prefer this kernel. */
  updateAffinity(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    const meta = notebook.metadata as { metadata?: { language_info?: { name?: string } }; language_info?: { name?: string } };
    const lang = meta.metadata?.language_info?.name ?? meta.language_info?.name;
    const ours = lang === CELL_LANGUAGE || notebook.getCells().some((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === CELL_LANGUAGE);
    if (ours) this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  private async executeAll(cells: vscode.NotebookCell[], _notebook: vscode.NotebookDocument): Promise<void> {
    // One at a time, in order: later cells may read runs that earlier ones record.
    for (const cell of cells) await this.execute(cell);
  }

  private interrupt(notebook: vscode.NotebookDocument): void {
    for (const [cell, ac] of this.running) if (cell.notebook === notebook) ac.abort();
  }

  private async execute(cell: vscode.NotebookCell): Promise<void> {
    const exec = this.controller.createNotebookCellExecution(cell);
    exec.executionOrder = ++this.order;
    const ac = new AbortController();
    this.running.set(cell, ac);
    const sub = exec.token.onCancellationRequested(() => ac.abort());
    exec.start(Date.now());
    await exec.clearOutput();
    const throttle = new Throttle(250);
    const onProgress = (line: number, p: import('../../contract/jobProgress').JobProgress) => {
      if (!throttle.pass()) return;
      const command = cell.document.lineAt(line).text.trim().split(/\s+/)[0];
      void exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(progressText(command, p), 'text/plain')]));
    };
    try {
      const { outputs, aborted } = await this.cells.exec(cell.document.getText(), this.context(), { signal: ac.signal, onProgress });
      for (const out of outputs) if (out.summary) this.d.log(`notebook: ${out.summary}`);
      await exec.replaceOutput(outputs.map((out) => new vscode.NotebookCellOutput(out.items.map(toVscodeItem))));
      exec.end(!aborted && !ac.signal.aborted, Date.now());
    } catch (e) {
      const err = e as CellFailure;
      const shown = err.cellError ? { name: 'Data Diet', message: err.message } : { name: 'Error', message: err.message, stack: err.workerStack };
      await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(shown as Error)]));
      exec.end(false, Date.now());
      if (!err.cellError) this.d.log(`notebook cell failed: ${err.workerStack ?? err.message}`);
    } finally {
      sub.dispose();
      this.running.delete(cell);
      this.d.runCache.invalidate();
    }
  }

  /** What a cell runs in: this workspace, its trust, the settings' backend. */
  context(): CellContext {
    return { root: this.d.runsRoot(), trusted: isTrusted(), jobDefaults: { backend: this.d.settings().backend } };
  }

  private async runJob(job: EngineJob, params: Record<string, unknown>, onProgress: (p: import('../../contract/jobProgress').JobProgress) => void, signal: AbortSignal, executor: ExecutorChoice = {}): Promise<RunManifest> {
    const active = this.d.host.start(job, this.d.runsRoot(), params, `Notebook ${job}`, (p) => onProgress(p), cellExecution(this.d.settings(), executor));
    const cancel = () => active.cancel();
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel);
    try {
      return await active.result;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  dispose(): void {
    for (const ac of this.running.values()) ac.abort();
    this.cells.dispose();
    this.controller.dispose();
  }
}

/** The cell's executor choice over the settings: slurm takes the datadiet.slurm.* options, local its parallel. */
export function cellExecution(settings: Settings, choice: ExecutorChoice): ExecutionRequest {
  const executor = choice.executor ?? settings.execution.executor;
  if (executor === 'slurm') return { executor: 'slurm', slurm: settings.slurm };
  const parallel = choice.parallel ?? (settings.execution.executor === 'local' ? settings.execution.parallel : 1);
  return { executor: 'local', parallel };
}
