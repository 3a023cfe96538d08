// Integration suite run inside the VS Code extension host (extensionTestsPath): `run()` is what VS Code calls, here
// from code-server (scripts/e2e.mjs --suite) and, unchanged, from @vscode/test-electron on a desktop with internet.
// A small runner instead of mocha: sequential tests, one line each, and a rejection when any fails.
import { tests } from './extension.itest';

export async function run(): Promise<void> {
  let failed = 0;
  const t0 = Date.now();
  for (const t of tests) {
    const s = Date.now();
    try {
      await t.fn();
      console.log(`ok - ${t.name} (${((Date.now() - s) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${t.name}: ${(e as Error).stack ?? String(e)}`);
    }
  }
  console.log(`suite: ${tests.length - failed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (failed) throw new Error(`${failed} of ${tests.length} integration tests failed`);
}
