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

/** JSON with sorted keys, so the same request is always the same key. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function finishedRuns(root: string): <C extends object>(name: string, request: C, run: (request: C) => Promise<RunManifest>) => Promise<RunManifest> {
  const file = path.join(root, 'reproduce-runs.json');
  const index: Record<string, string> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  return async (name, request, run) => {
    const key = `${name} ${stable(request)}`;
    const id = index[key];
    const done = id ? readRun(path.join(runsDir(root), id)).manifest : undefined;
    if (done?.status === 'done') {
      process.stderr.write(`  ${name}: finished earlier, run ${id}\n`);
      return done;
    }
    const m = await run(request);
    if (m.status === 'done') {
      index[key] = m.id;
      fs.mkdirSync(root, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(index, null, 1) + '\n');
    }
    return m;
  };
}
