// Data Diet: Import Predictions (.npy)… / Import Scores (.npy)…: the import wizards (importWizard.ts) with file
// pickers, then one engine job. Thin: the files are read and checked in the engine process, never in this one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunManifest } from '../contract/runManifest';
import { FASHION_MNIST_DIR } from './choices';
import { importRequest, importSteps, type ImportKind, type ImportState, type NpyCandidate } from './importWizard';
import { requireTrust } from './trust';
import { datasetItems, type DatasetCandidate, type JobRequest } from './wizard';
import { runWizard } from './wizardUi';

export interface ImportDeps {
  readonly startJobs: (requests: readonly JobRequest[]) => Promise<RunManifest[]>;
  readonly findDatasets: () => Promise<DatasetCandidate[]>;
}

const TITLES: Record<ImportKind, string> = { predictions: 'Data Diet: Import Predictions', scores: 'Data Diet: Import Scores' };
// Run folders hold .npy files of their own (probabilities, scores): not what a user imports.
const NPY_EXCLUDE = '**/{node_modules,.git,.datadiet,dist,out}/**';

/** .npy files in the first workspace folder, relative paths as labels. */
async function workspaceNpyFiles(): Promise<NpyCandidate[]> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return [];
  try {
    const uris = await vscode.workspace.findFiles('**/*.npy', NPY_EXCLUDE, 50);
    return uris.map((u) => ({ file: u.fsPath, label: path.relative(folder.uri.fsPath, u.fsPath) })).sort((a, b) => a.label.localeCompare(b.label));
  } catch {
    return [];
  }
}

async function pickNpy(title: string, many: boolean): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({ title, canSelectFiles: true, canSelectFolders: false, canSelectMany: many, openLabel: 'Import', filters: { 'NumPy arrays': ['npy'] } });
  return uris?.length ? uris.map((u) => u.fsPath) : undefined;
}

/**
 * The wizard, then the import job. `arg` (tests, other extensions) may preset answers (`dataset`, `probs`,
 * `scoreFiles`, ...): complete ones skip the wizard. Resolves with the finished run's manifest.
 */
export async function importFiles(kind: ImportKind, d: ImportDeps, arg?: unknown): Promise<RunManifest[] | undefined> {
  if (!requireTrust(kind === 'predictions' ? 'import predictions' : 'import scores')) return undefined;
  const preset = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as Partial<ImportState>) : {};
  let state: ImportState | undefined = { ...preset, kind };
  if (!importRequest(state)) {
    const datasets = datasetItems(await d.findDatasets(), fs.existsSync(FASHION_MNIST_DIR));
    state = await runWizard(importSteps(kind, datasets, await workspaceNpyFiles(), pickNpy), state, TITLES[kind]);
    if (!state) return undefined;
  }
  const req = importRequest(state);
  return req ? d.startJobs([req]) : undefined;
}
