/**
 * What the study has done so far, from its run folders: each step's run, units finished, and the compute its
 * units took (wall-clock seconds of each finished unit, times the threads it ran with).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUnitDone, readPlan, unitDir } from '../../src/core/jobs/unitStore';
import type { StepState } from './studyDriver';

export interface StepProgress {
  readonly id: string;
  readonly title: string;
  readonly job: string;
  readonly runId?: string;
  readonly status: 'done' | 'partial' | 'not started' | 'waiting';
  readonly unitsDone: number;
  readonly unitsTotal?: number;
  /** Wall-clock seconds of the finished units. */
  readonly unitSeconds: number;
  /** The same times the threads each unit used: core-seconds. */
  readonly coreSeconds: number;
  readonly waitingFor?: readonly string[];
}

interface UnitRecord {
  readonly seconds?: number;
  readonly backend?: { readonly threads?: number };
}

export function stepProgress(s: StepState): StepProgress {
  const base = { id: s.step.id, title: s.step.title, job: s.step.job };
  if (!s.run) return { ...base, status: s.waitingFor ? 'waiting' : 'not started', unitsDone: 0, unitSeconds: 0, coreSeconds: 0, waitingFor: s.waitingFor };
  const m = s.run.manifest;
  const runThreads = m.backend?.threads ?? 1;
  let unitSeconds = 0;
  let coreSeconds = 0;
  for (const u of readPlan(s.run.dir)) {
    if (!isUnitDone(s.run.dir, u.key)) continue;
    let rec: UnitRecord = {};
    try {
      rec = JSON.parse(fs.readFileSync(path.join(unitDir(s.run.dir, u.key), 'unit.json'), 'utf8')) as UnitRecord;
    } catch {
      // A unit without its record (written by an older version) counts no time.
    }
    unitSeconds += rec.seconds ?? 0;
    coreSeconds += (rec.seconds ?? 0) * (rec.backend?.threads ?? runThreads);
  }
  return { ...base, runId: m.id, status: m.status === 'done' ? 'done' : 'partial', unitsDone: s.run.unitsDone, unitsTotal: s.run.unitsTotal, unitSeconds, coreSeconds };
}

const hours = (s: number) => (s / 3600).toFixed(s < 360 ? 2 : 1);

/** The step table of the report and of `--status`. */
export function progressTable(rows: readonly StepProgress[]): string[] {
  const out = ['| step | what | run | units | unit-hours | core-hours |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const units = r.unitsTotal === undefined ? (r.waitingFor ? `waits for ${r.waitingFor.join(', ')}` : '') : `${r.unitsDone} / ${r.unitsTotal}${r.status === 'done' ? '' : ' (running or stopped)'}`;
    out.push(`| ${r.id} | ${r.title.replace(/\|/g, '\\|')} | ${r.runId ?? r.status} | ${units} | ${r.unitSeconds > 0 ? hours(r.unitSeconds) : ''} | ${r.coreSeconds > 0 ? hours(r.coreSeconds) : ''} |`);
  }
  const unit = rows.reduce((a, r) => a + r.unitSeconds, 0);
  const core = rows.reduce((a, r) => a + r.coreSeconds, 0);
  out.push(`| **total** | ${rows.filter((r) => r.status === 'done').length} of ${rows.length} steps done | | ${rows.reduce((a, r) => a + r.unitsDone, 0)} units | ${hours(unit)} | ${hours(core)} |`);
  return out;
}
