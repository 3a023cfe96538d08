/**
 * Resuming `npm run reproduce`: each experiment it asks for is keyed by its name and request, and a request that
 * already finished (status done) in the same run root is answered from its recorded run instead of training
 * again. The index (`<root>/reproduce-runs.json`) is written after each finished run, so a reproduction stopped
 * at any point continues where it stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../src/core/store/runManifest';
import { readRun, runsDir } from '../src/core/store/runStore';
import { canonicalJson } from '../src/core/store/canonicalJson';

export interface FinishedRuns {
  <C extends object>(name: string, request: C, run: (request: C) => Promise<RunManifest>): Promise<RunManifest>;
  /** Wall-clock seconds the runs answered so far took when they ran (in this invocation or an earlier one). */
  seconds(): number;
}

export function finishedRuns(root: string): FinishedRuns {
  const file = path.join(root, 'reproduce-runs.json');
  const index: Record<string, string> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const used = new Map<string, number>();
  const once = async <C extends object>(name: string, request: C, run: (request: C) => Promise<RunManifest>): Promise<RunManifest> => {
    const key = `${name} ${canonicalJson(request)}`;
    const id = index[key];
    const done = id ? readRun(path.join(runsDir(root), id)).manifest : undefined;
    const m = done?.status === 'done' ? done : await run(request);
    if (m === done) process.stderr.write(`  ${name}: finished earlier, run ${id}\n`);
    else if (m.status === 'done') {
      index[key] = m.id;
      fs.mkdirSync(root, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(index, null, 1) + '\n');
    }
    used.set(m.id, m.timings.totalSeconds ?? 0);
    return m;
  };
  return Object.assign(once, { seconds: () => [...used.values()].reduce((a, s) => a + s, 0) });
}
