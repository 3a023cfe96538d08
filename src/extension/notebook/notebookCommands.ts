// "Data Diet: Open Results Notebook" (an .ipynb of starter cells for a run) and "Data Diet: Show Gallery" (a gallery
// cell appended to that notebook and run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SCORE_DOCS } from '../../core/cells/commands';
import { usable, type RunInfo } from '../../core/cells/runRef';
import { CELL_LANGUAGE, notebookJson, RESULTS_KINDS, starterCells } from '../../core/cells/starter';
import { writeFileAtomic } from '../../core/store/atomicWrite';
import { runIdOf } from '../runArgument';
import { CONTROLLER_ID } from './controller';
import type { RunCache } from './runCache';

/** Where the results notebook of a run lives: next to the runs, one per run, never overwritten. */
export function resultsNotebookPath(root: string, runId: string): string {
  return path.join(root, '.datadiet', 'notebooks', `${runId}.ipynb`);
}

async function pickRun(runs: RunInfo[], arg: unknown, kinds: readonly string[], title: string): Promise<RunInfo | undefined> {
  const wanted = runIdOf(arg);
  if (wanted) {
    const run = runs.find((r) => r.id === wanted);
    if (!run) void vscode.window.showErrorMessage(`Data Diet: no run "${wanted}" under .datadiet/runs.`);
    return run;
  }
  const candidates = runs.filter((r) => kinds.includes(r.kind) && usable(r));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Data Diet: no finished ${kinds.join(' or ')} run yet. Compute scores first (Data Diet: Compute Scores).`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const pick = await vscode.window.showQuickPick(
    candidates.map((r) => ({ label: r.id, description: [r.kind, r.dataset, r.model].filter(Boolean).join(' · '), detail: r.scores?.join(', '), run: r })),
    { title, placeHolder: 'Run' },
  );
  return pick?.run;
}

async function openNotebookFor(root: string, run: RunInfo): Promise<vscode.NotebookEditor> {
  const file = resultsNotebookPath(root, run.id);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, notebookJson(starterCells(run)));
  }
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: 'datadiet.datadiet' });
  return editor;
}

export function registerNotebookCommands(context: vscode.ExtensionContext, deps: { readonly runsRoot: () => string; readonly runs: RunCache }): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('datadiet.openResultsNotebook', async (arg?: unknown) => {
      deps.runs.invalidate();
      const run = await pickRun(deps.runs.get(), arg, RESULTS_KINDS, 'Data Diet: Open Results Notebook');
      if (run) await openNotebookFor(deps.runsRoot(), run);
    }),
    vscode.commands.registerCommand('datadiet.showGallery', async (arg?: unknown) => {
      deps.runs.invalidate();
      const run = await pickRun(deps.runs.get(), arg, ['score'], 'Data Diet: Show Gallery');
      if (!run) return;
      if (run.scores?.length === 0 && run.config?.imported) {
        void vscode.window.showInformationMessage(`Data Diet: ${run.id} holds imported predictions and no scores to draw: open its review queue, or import scores (Data Diet: Import Scores).`);
        return;
      }
      const scores = run.scores?.length ? run.scores : ['el2n'];
      const score =
        scores.length === 1
          ? scores[0]
          : (await vscode.window.showQuickPick(scores.map((s) => ({ label: s, detail: SCORE_DOCS[s] })), { title: 'Score' }))?.label;
      if (!score) return;
      const which = await vscode.window.showQuickPick(
        [
          { label: 'highest', detail: 'The highest-scoring examples of each class (hard or mislabeled)', cell: `gallery ${score} highest per-class=8` },
          { label: 'lowest', detail: 'The lowest-scoring examples of each class (easy: pruned first)', cell: `gallery ${score} lowest per-class=8` },
          { label: 'top 10%', detail: 'A sample of the 90-100th percentile band', cell: `gallery ${score} band=90-100 per-class=12` },
        ],
        { title: 'Gallery' },
      );
      if (!which) return;
      const editor = await openNotebookFor(deps.runsRoot(), run);
      const doc = editor.notebook;
      const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, `${which.cell} run=${run.id}`, CELL_LANGUAGE);
      const edit = new vscode.WorkspaceEdit();
      edit.set(doc.uri, [vscode.NotebookEdit.insertCells(doc.cellCount, [cell])]);
      await vscode.workspace.applyEdit(edit);
      const at = doc.cellCount - 1;
      editor.selection = new vscode.NotebookRange(at, at + 1);
      editor.revealRange(editor.selection);
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: at, end: at + 1 }], document: doc.uri });
    }),
  );
}
