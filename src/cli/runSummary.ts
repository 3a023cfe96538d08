/** `datadiet runs show <id>`: a run's summary in words: what it was asked, on what data, what it found, its files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelRecord, RunManifest } from '../contract/runManifest';
import { importedRunInfo } from '../core/store/importedRun';
import { datasetLabel } from './datasetLabel';
import { runHeadline } from './runHeadline';

const LABEL = 16;
const row = (label: string, value: string) => `  ${label.padEnd(LABEL)}${value}`;

/** `key=value` pairs of the configuration, in its order; lists joined with commas, absent values left out. */
export function paramsText(config: Record<string, unknown>): string {
  return Object.entries(config)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .concat(Object.entries(config).filter(([, v]) => Array.isArray(v)))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

/** "resnet18 x0.25, imagenet stem, 2,797,610 parameters". */
export function modelText(model: ModelRecord): string {
  return `${model.arch} x${model.width}${model.stem ? `, ${model.stem} stem` : ''}, ${model.params.toLocaleString('en-US')} parameters`;
}

export function runSummaryLines(m: RunManifest, files: readonly string[]): string[] {
  const lines = [row('kind', m.kind), row('created', m.createdAt)];
  if (m.dataset) {
    const d = m.dataset;
    const resized = d.imageSize !== undefined ? ` (--image-size ${d.imageSize}, ${d.resize ?? 'crop'})` : '';
    lines.push(row('dataset', `${datasetLabel(m)}  (${d.spec}; ${d.numClasses} classes, ${d.shape.join('x')}${resized}; train ${d.trainSize}, validation ${d.valSize}, test ${d.testSize})`));
    if (d.backbone) lines.push(row('backbone', `${d.backbone.dir}  (${d.backbone.description}, input ${d.backbone.inputRange})`));
  } else if (typeof m.config.dataset === 'string') lines.push(row('dataset', m.config.dataset));
  if (m.model) lines.push(row('model', modelText(m.model)));
  const imported = importedRunInfo(m);
  if (imported) {
    const files = imported.files.map((f) => `${f.role}: ${f.file} (sha256 ${f.sha256.slice(0, 12)})`);
    lines.push(row('imported', `${imported.what}${imported.name ? ` (${imported.name})` : ''}`), ...files.map((f) => row('', f)));
  }
  lines.push(row('params', paramsText(m.config)));
  const headline = runHeadline(m);
  if (headline) lines.push(row('results', headline));
  if (m.backend) lines.push(row('backend', `${m.backend.device} (${m.backend.reason})`));
  if (m.timings.totalSeconds !== undefined) lines.push(row('wall time', `${m.timings.totalSeconds.toFixed(1)} s`));
  if (files.length) lines.push(row('files', files[0]), ...files.slice(1).map((f) => row('', f)));
  return lines;
}

/** Files users read in a run folder (tables, charts, scores, predictions), relative; the units' internals left out. */
export function runFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.') || (depth === 0 && ['units', 'logs'].includes(e.name))) continue;
      if (e.isDirectory()) {
        if (depth < 1) walk(p, depth + 1);
      } else out.push(p);
    }
  };
  walk('', 0);
  return out;
}
