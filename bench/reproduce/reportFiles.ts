/**
 * The report's files beside REPORT.md: figures/<name>.svg (Vega-Lite rendered here) and tables/<name>.json and
 * .csv (the rows a section quotes). Names are the step ids with `/` as `-`, so each file says what it holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../src/core/charts/render';

const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '-');

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = Array.isArray(v) ? v.join(' ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class ReportFiles {
  constructor(private readonly root: string) {}

  /** Renders a chart; returns the markdown image line. */
  async figure(name: string, spec: TopLevelSpec, alt: string): Promise<string> {
    const dir = path.join(this.root, 'figures');
    fs.mkdirSync(dir, { recursive: true });
    const file = `${safe(name)}.svg`;
    fs.writeFileSync(path.join(dir, file), await renderSvg(spec));
    return `![${alt}](figures/${file})`;
  }

  /** Writes rows as tables/<name>.json and .csv (columns: the union of the rows' keys, in first-seen order). */
  table(name: string, rows: readonly Record<string, unknown>[]): string {
    const dir = path.join(this.root, 'tables');
    fs.mkdirSync(dir, { recursive: true });
    const base = safe(name);
    fs.writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(rows, null, 1) + '\n');
    const cols: string[] = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    fs.writeFileSync(path.join(dir, `${base}.csv`), [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n');
    return `tables/${base}.json`;
  }
}
