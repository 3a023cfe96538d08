// The run a command was invoked with. Commands are reached from the palette (no argument), the runs view (its tree
// node), notebook toolbars and links (a run id), the explorer (a folder Uri) and other commands (a folder path);
// each of those shapes names one run, and this is the one place that reads them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST } from '../core/store/runStore';

/** A run folder or a run id from a command argument, or undefined when it names no run. */
export function runRefOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg || undefined;
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as {
    fsPath?: unknown;
    summary?: { dir?: unknown };
    runDir?: unknown;
    dir?: unknown;
    run?: { dir?: unknown; manifest?: { id?: unknown } };
    manifest?: { id?: unknown };
    runId?: unknown;
    id?: unknown;
  };
  // Folders first: a runs-view node ({kind, data, summary} or a detail's {runDir}), a Uri, a RunSummary.
  const found = [o.fsPath, o.summary?.dir, o.runDir, o.dir, o.run?.dir, o.manifest?.id, o.run?.manifest?.id, o.runId, o.id].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return found;
}

/** The run id a command argument names (a folder's name is its run's id). */
export function runIdOf(arg: unknown): string | undefined {
  const ref = runRefOf(arg);
  return ref === undefined ? undefined : path.basename(ref);
}

/** The folder of the run a command argument names: a run folder anywhere, or an id under `runsBase`. */
export function runDirOf(runsBase: string, arg: unknown): string | undefined {
  const ref = runRefOf(arg);
  if (ref === undefined) return undefined;
  if (path.isAbsolute(ref) && fs.existsSync(path.join(ref, MANIFEST))) return ref;
  return path.join(runsBase, path.basename(ref));
}
