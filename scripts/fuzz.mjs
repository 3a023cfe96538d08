// Nightly fuzzing: the property tests of test/unit/reliability/fuzz.test.ts with many more runs than CI
// (FUZZ_RUNS per property, default 20000; FUZZ_SEED to replay a failure fast-check reported).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS ?? '20000' };
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, ['scripts/build-tests.mjs', 'test/unit/reliability/fuzz']);
run(process.execPath, ['--test', 'out/test/unit/reliability/fuzz.test.js']);
