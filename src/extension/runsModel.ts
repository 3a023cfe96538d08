// What the runs view shows for each run directory, computed from its manifest. Pure (no vscode): runsView.ts turns
// these into TreeItems.
import * as path from 'node:path';
import type { RunManifest, RunStatus } from '../contract/runManifest';
import type { RunSummary } from '../core/store/runStore';
import { detectionSummary, pruneSummary, windowSummary } from './resultSummary';
import { hasResultsNotebook } from '../core/cells/starter';
import { importedLabel, importedRunInfo } from '../core/store/importedRun';
import { formatCount, formatDuration, formatEta, formatPercent, formatTimestamp, plural, relativeTime, shortError } from './format';

/** Live progress of a run this window's engine is running (manifests are only rewritten at milestones). */
export interface LiveProgress {
  readonly fraction?: number;
  readonly etaSeconds?: number;
  readonly message?: string;
}

export interface ThemeIconRef {
  readonly id: string;
  readonly color?: string;
}

export interface RunItemData {
  /** Stable tree id: the run directory. */
  readonly id: string;
  readonly dir: string;
  readonly label: string;
  readonly description: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly icon: ThemeIconRef;
  /** For menus: run.<status>.<kind> (run.done.score, run.running.train…) or run.unreadable. */
  readonly contextValue: string;
  readonly status?: RunStatus;
  readonly manifest?: RunManifest;
}

export interface DetailData {
  readonly label: string;
  readonly description: string;
  readonly tooltip?: string;
  /** A command the row runs when clicked (with the run's folder as its argument). */
  readonly command?: string;
}

export const STATUS_ICONS: Record<RunStatus | 'unreadable', ThemeIconRef> = {
  done: { id: 'pass', color: 'testing.iconPassed' },
  running: { id: 'sync~spin' },
  cancelled: { id: 'circle-slash', color: 'testing.iconSkipped' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  unreadable: { id: 'warning', color: 'list.warningForeground' },
};

/** "mnist", "fashion-mnist", "pets.csv" — from the recorded dataset or the spec in the config. */
export function datasetName(m: RunManifest): string {
  // The record names the training split ("mnist/train", "pets/train+noise0.2"): the view names the dataset.
  if (m.dataset?.name) return m.dataset.name.replace(/\/train(?=$|\+)/, '');
  const spec = typeof m.config.dataset === 'string' ? m.config.dataset : '?';
  const p = spec.replace(/^[A-Za-z0-9-]{2,}:/, '');
  return p.includes('/') || p.includes('\\') ? path.basename(p) : spec;
}

/** "cnn-small", "resnet18 x0.25"; '' for a run that trains no model (a duplicates search). */
export function modelName(m: RunManifest): string {
  const imported = importedRunInfo(m);
  if (imported) return importedLabel(imported);
  const arch = m.model?.arch ?? (typeof m.config.model === 'string' ? m.config.model : undefined);
  if (arch === undefined) return '';
  const width = m.model?.width ?? (typeof m.config.width === 'number' ? m.config.width : 1);
  return width === 1 ? arch : `${arch} \u00d7${width}`;
}

function results(m: RunManifest): Record<string, unknown> {
  return m.results ?? {};
}

/** The headline number: test accuracy for training, "el2n, grand x2 runs" for scores. */
export function headline(m: RunManifest): string | undefined {
  const r = results(m);
  if (m.kind === 'score' && typeof r.labelIssues === 'number') {
    // Imported predictions: what their suspects found.
    const examples = typeof r.examples === 'number' ? ` in ${formatCount(r.examples)} predictions` : '';
    return `${plural(r.labelIssues, 'label issue')}${examples} (${r.suspectMethod === 'threshold' ? 'threshold' : 'confident learning'})`;
  }
  if (m.kind === 'score') {
    const scores = Array.isArray(r.scores) ? (r.scores as string[]) : Array.isArray(m.config.scores) ? (m.config.scores as string[]) : [];
    const runs = typeof r.runs === 'number' ? r.runs : undefined;
    if (!scores.length) return undefined;
    const base = runs !== undefined ? `${scores.join(', ')} \u00b7 ${plural(runs, 'run')}` : scores.join(', ');
    const auroc = detectionSummary(m);
    return auroc ? `${base} \u00b7 ${auroc}` : base;
  }
  if (m.kind === 'prune') return pruneSummary(m);
  if (m.kind === 'window') return windowSummary(m);
  if (m.kind === 'audit' && typeof r.rows === 'number') {
    // Out-of-fold accuracy is an audit's honest accuracy; then what confident learning found.
    const acc = formatPercent(r.outOfFoldAccuracy);
    return `${acc ? `${acc} out of fold \u00b7 ` : ''}${typeof r.flagged === 'number' ? formatCount(r.flagged) : '?'} of ${formatCount(r.rows)} flagged`;
  }
  const acc = formatPercent(r.testAccuracy);
  return acc ? `${acc} test` : undefined;
}

export function runItem(s: RunSummary, now: Date, live?: LiveProgress): RunItemData {
  const name = path.basename(s.dir);
  if (!s.manifest) {
    return {
      id: s.dir,
      dir: s.dir,
      label: name,
      description: 'unreadable',
      tooltip: `**${name}**\n\n${s.problem ?? 'no manifest'}`,
      icon: STATUS_ICONS.unreadable,
      contextValue: 'run.unreadable',
    };
  }
  const m = s.manifest;
  const kindWord = m.kind === 'score' ? 'scores' : m.kind === 'train' ? undefined : m.kind;
  const label = [datasetName(m), modelName(m), kindWord].filter(Boolean).join(' \u00b7 ');
  const parts: string[] = [m.status];
  if (m.status === 'running') {
    const pct = formatPercent(live?.fraction, 0);
    if (m.execution?.executor === 'slurm') parts.push(`on Slurm${m.execution.slurm ? ` (job ${m.execution.slurm.arrayJobId})` : ''}`);
    if (pct) parts.push(pct);
    const eta = formatEta(live?.etaSeconds);
    if (eta) parts.push(`${eta} left`);
  } else {
    const h = headline(m);
    if (h) parts.push(m.results?.partial ? `${h} (partial)` : h);
    if (m.status === 'failed') {
      const e = shortError(m.error, 60);
      if (e) parts.push(e);
    }
  }
  const when = relativeTime(m.timings?.finishedAt ?? m.createdAt, now);
  if (when && m.status !== 'running') parts.push(when);
  const details = runDetails(s);
  const tooltip = [`**${m.id}**`, '', ...details.map((d) => `- **${d.label}:** ${d.description.replace(/([*_`\\[\]])/g, '\\$1')}`)].join('\n');
  return {
    id: s.dir,
    dir: s.dir,
    label,
    description: parts.join(' \u00b7 '),
    tooltip,
    icon: STATUS_ICONS[m.status] ?? STATUS_ICONS.unreadable,
    contextValue: `run.${m.status}.${m.kind}`,
    status: m.status,
    manifest: m,
  };
}

/** What a run's results notebook shows, by kind. */
const RESULTS_TEXT: Readonly<Record<string, string>> = {
  train: 'loss and accuracy curves, confusion matrix',
  score: 'histogram, galleries, score comparison',
  prune: 'pruning curve',
  window: 'window sweep',
};

/** Rows under a run: status, dataset, model, backend, results, timings, folder. */
export function runDetails(s: RunSummary): DetailData[] {
  if (!s.manifest) return [{ label: 'problem', description: s.problem ?? 'no manifest' }, { label: 'folder', description: s.dir }];
  const m = s.manifest;
  const r = results(m);
  const rows: DetailData[] = [];
  rows.push({ label: 'status', description: m.error ? `${m.status}: ${m.error}` : m.status, tooltip: m.error });
  rows.push({ label: 'kind', description: m.kind });
  if (m.dataset) {
    const sizes = [`${formatCount(m.dataset.trainSize)} train`, m.dataset.valSize ? `${formatCount(m.dataset.valSize)} val` : undefined, `${formatCount(m.dataset.testSize)} test`];
    rows.push({ label: 'dataset', description: `${datasetName(m)} (${sizes.filter(Boolean).join(', ')}; ${m.dataset.numClasses} classes)`, tooltip: m.dataset.spec });
    if (m.dataset.imageSize !== undefined) rows.push({ label: 'image size', description: `${m.dataset.imageSize} px, ${m.dataset.resize ?? 'crop'}` });
    if (m.dataset.backbone) rows.push({ label: 'backbone', description: m.dataset.backbone.description, tooltip: m.dataset.backbone.dir });
  } else rows.push({ label: 'dataset', description: String(m.config.dataset ?? '?') });
  const params = m.model ? ` (${m.model.stem ? `${m.model.stem} stem, ` : ''}${formatCount(m.model.params)} parameters)` : '';
  if (modelName(m)) rows.push({ label: 'model', description: `${modelName(m)}${params}` });
  if (m.backend) rows.push({ label: 'backend', description: `${m.backend.device} \u2014 ${m.backend.reason}` });
  // The step budget is what ran; in epochs over the examples trained on, when known (a steps setting overrides epochs).
  const steps = typeof m.config.steps === 'number' ? m.config.steps : undefined;
  const batchSize = typeof m.config.batchSize === 'number' ? m.config.batchSize : undefined;
  const trained = m.dataset?.trainSize;
  const epochs =
    steps !== undefined && batchSize && trained
      ? plural(Math.round((10 * steps * batchSize) / trained) / 10, 'epoch')
      : typeof m.config.epochs === 'number'
        ? plural(m.config.epochs, 'epoch')
        : undefined;
  const budget = steps !== undefined ? `${formatCount(steps)} steps` : undefined;
  const subset = typeof m.config.trainSubset === 'number' ? `subset of ${formatCount(m.config.trainSubset)}` : undefined;
  const batch = typeof m.config.batchSize === 'number' ? `batch ${m.config.batchSize}` : undefined;
  const imported = importedRunInfo(m);
  // An import trained nothing here: its files take the training row's place.
  if (imported) for (const f of imported.files) rows.push({ label: f.role, description: path.basename(f.file), tooltip: `${f.file}\nsha256 ${f.sha256}` });
  else rows.push({ label: 'training', description: [budget, epochs ? `(${epochs})` : undefined].filter(Boolean).join(' ') + [batch, subset].filter(Boolean).map((x) => `, ${x}`).join('') });
  if (m.kind === 'score') {
    const h = headline(m);
    if (h) rows.push({ label: 'scores', description: `${h}${typeof r.examples === 'number' ? ` over ${formatCount(r.examples)} examples` : ''}` });
  } else {
    const acc = formatPercent(r.testAccuracy, 2);
    if (acc) rows.push({ label: 'test accuracy', description: `${acc}${typeof r.testLoss === 'number' ? ` (loss ${r.testLoss.toFixed(4)})` : ''}` });
    const val = formatPercent(r.valAccuracy, 2);
    if (val) rows.push({ label: 'validation accuracy', description: val });
    if (typeof r.trainExamplesPerSecond === 'number') rows.push({ label: 'speed', description: `${formatCount(Math.round(r.trainExamplesPerSecond))} examples/s` });
  }
  const total = formatDuration(m.timings?.totalSeconds);
  if (total) rows.push({ label: 'time', description: total });
  rows.push({ label: 'started', description: formatTimestamp(m.createdAt) ?? m.createdAt, tooltip: m.createdAt });
  if ((m.status === 'done' || m.status === 'cancelled') && hasResultsNotebook(m.kind)) {
    rows.push({ label: 'results', description: RESULTS_TEXT[m.kind] ?? 'charts', tooltip: 'Open the results notebook of this run', command: 'datadiet.openResultsNotebook' });
  }
  rows.push({ label: 'folder', description: s.dir });
  return rows;
}

/** Newest first, as the store lists them; running ones stay where they are (they are the newest anyway). */
export function sortRuns(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => path.basename(b.dir).localeCompare(path.basename(a.dir)));
}
