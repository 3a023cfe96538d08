/** `datadiet runs`: one aligned row per run under a header, newest first, with each run's headline result. */
import type { RunManifest } from '../contract/runManifest';
import { importedLabel, importedRunInfo } from '../core/store/importedRun';
import { datasetLabel } from './datasetLabel';
import { printable } from './printable';
import { runHeadline } from './runHeadline';
import { textTable } from './textTable';

export interface RunsListEntry {
  readonly dir: string;
  readonly manifest?: RunManifest;
  readonly problem?: string;
  /** Units text for a run that is not done ("3 of 8 units done, 1 failed"). */
  readonly units?: string;
}

export const RUNS_HEADER = ['ID', 'STATUS', 'DATASET', 'MODEL', 'RESULT'];

/** Errors are shown whole by `runs show`; the list keeps to one line. */
const ERROR_CHARS = 80;

function resultCell(m: RunManifest, units?: string): string {
  const headline = runHeadline(m);
  const extra = [units ? `[${units}]` : '', m.error ? `(${m.error.split('\n')[0].slice(0, ERROR_CHARS)}${m.error.length > ERROR_CHARS ? '…' : ''})` : ''];
  return [headline, ...extra].filter(Boolean).join(' ');
}

/** The model trained: recorded by train and score runs, else (sweeps, a run that failed early) its configuration. */
function modelLabel(m: RunManifest): string {
  if (m.model) return `${m.model.arch} x${m.model.width}`;
  const imported = importedRunInfo(m);
  if (imported) return importedLabel(imported);
  const { model, width } = m.config;
  return typeof model === 'string' ? `${model} x${typeof width === 'number' ? width : 1}` : '';
}

export function runsListLines(entries: readonly RunsListEntry[], basename: (dir: string) => string): string[] {
  const rows = entries.map((e) => {
    const m = e.manifest;
    if (!m) return [basename(e.dir), 'unreadable', '', '', e.problem ?? ''];
    return [m.id, m.status, datasetLabel(m), modelLabel(m), resultCell(m, e.units)];
  });
  return textTable(RUNS_HEADER, rows).map(printable);
}
