// The integration suite (test/e2e/suite, bundled to out/test/e2e/suite/index.js) inside the extension host: the
// extension loaded as a development extension from this checkout through the URL payload (needs the smoke-test
// driver option); the result comes back through codeAutomationExit. test/e2e/runElectron.mjs runs the same suite
// with @vscode/test-electron on a desktop.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';

export const name = 'suite';
export const description = 'mocha-style integration suite inside the extension host (extensionTestsPath)';

export async function bundleSuite(root) {
  const esbuild = await import('esbuild');
  const { common } = await import('../../../scripts/esbuild-common.mjs');
  await esbuild.build({
    ...common,
    absWorkingDir: root,
    entryPoints: { index: 'test/e2e/suite/index.ts' },
    outdir: path.join(root, 'out/test/e2e/suite'),
    sourcemap: 'inline',
  });
  return path.join(root, 'out/test/e2e/suite/index');
}

export async function run(h) {
  await h.step('integration suite in the extension host', async () => {
    const suiteIndex = await bundleSuite(h.root);
    const ws = h.workspace('suite-workspace', h.quickLookSettings({ 'datadiet.trainSubset': 1000, 'datadiet.steps': 20 }));
    const server = await h.launchServer('suite', { smokeTestDriver: true, extensionsDir: h.sandbox('suite-extensions') });
    const page = await h.newPage();
    const lines = [];
    page.on('console', async (m) => {
      const values = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '?')));
      const text = (values.length ? util.format(...values) : m.text()).replace(/%c/g, '');
      lines.push(text);
      for (const l of text.split('\n')) {
        const r = /\b((?:not )?ok - .*|suite: .*)$/.exec(l);
        if (r) h.log(`suite | ${r[1]}`);
      }
    });
    const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    await page.goto(server.url(ws, [
      ['extensionDevelopmentPath', remote(h.root)],
      ['extensionTestsPath', remote(suiteIndex)],
    ]));
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout (300 s)'), 300_000))]);
    fs.writeFileSync(path.join(h.outDir, 'suite-console.log'), lines.join('\n') + '\n');
    await page.context().close();
    await server.stop();
    if (code !== 0) throw new Error(`integration suite ended with ${code} (see test-output/e2e/suite/suite-console.log)`);
  });
}
