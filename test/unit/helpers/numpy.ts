import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { TORCH_PYTHON } from './torch';

/** The interpreter that writes .npy files as a user's script would: numpy itself (the PyTorch reference's python). */
export const NUMPY_PYTHON = TORCH_PYTHON;

let probe: string | undefined | null = null;
/** Why numpy cannot run here, or undefined when it can. */
export function numpyMissing(): string | undefined {
  if (probe !== null) return probe;
  const r = spawnSync(NUMPY_PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  probe = r.error ? `${NUMPY_PYTHON} cannot run (${r.error.message})` : r.status !== 0 ? `numpy not importable by ${NUMPY_PYTHON} (apt-get install python3-numpy)` : undefined;
  return probe;
}

/** True when numpy can write the files; otherwise skips the test, or fails it in CI (a skip in CI is a failure). */
export function numpyOrSkip(t: TestContext): boolean {
  const why = numpyMissing();
  if (!why) return true;
  if (process.env.CI === 'true' || process.env.DATADIET_REQUIRE_TORCH === '1') assert.fail(`numpy is required in CI but ${why}`);
  t.skip(why);
  return false;
}

/** np.save(file, <expr>) for each entry, in one python process; `expr` is Python with numpy as np. */
export function saveNpys(files: Readonly<Record<string, string>>): void {
  for (const file of Object.keys(files)) fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = ['import numpy as np', ...Object.entries(files).map(([file, expr]) => `np.save(${JSON.stringify(file)}, ${expr}, allow_pickle=True)`)];
  const r = spawnSync(NUMPY_PYTHON, ['-c', lines.join('\n')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** A Python literal of a JS array (nested arrays of numbers), for np.array(...). */
export function py(values: unknown): string {
  return JSON.stringify(values).replace(/null/g, 'np.nan');
}
