/**
 * Helpers for jobs that run as one work unit (a training, an analysis of finished runs): the unit writes its
 * tables and its manifest results into its folder; the merge publishes them in the run folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkUnit } from '../../contract/workUnit';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { DoneUnit } from './experiment';

/** The plan of a one-unit job. */
export function oneUnit(label: string): WorkUnit[] {
  return [{ index: 0, key: 'all', label }];
}

const RESULTS = 'results.json';

/** The results the merge records in the manifest, kept in the unit's folder. */
export function writeUnitResults(outDir: string, results: Record<string, unknown>): void {
  writeJsonAtomic(path.join(outDir, RESULTS), results);
}

export function readUnitResults(unit: DoneUnit): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(unit.dir, RESULTS), 'utf8')) as Record<string, unknown>;
}

/**
 * Publishes files of a finished unit under the same names in the run folder, each replacing the old one in one
 * rename (a hard link where the file system allows: weights are not copied twice).
 */
export function publishUnitFiles(unit: DoneUnit, runDir: string, names: readonly string[]): void {
  for (const name of names) {
    const to = path.join(runDir, name);
    const tmp = path.join(runDir, `.${name}.${process.pid}.publish.tmp`);
    fs.rmSync(tmp, { force: true });
    try {
      fs.linkSync(path.join(unit.dir, name), tmp);
    } catch {
      fs.copyFileSync(path.join(unit.dir, name), tmp);
    }
    fs.renameSync(tmp, to);
  }
}
