import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from '../../helpers/paths';

// esbuild is loaded at run time, not bundled into this test.
const importAtRunTime = (specifier: string): Promise<unknown> => import(specifier);

// A packaged extension ships dist/ without node_modules: the SVG fallbacks must come from dist/vega-node.mjs.
test('outside node_modules, outputs still get their SVG from the bundled vega-node.mjs', async () => {
  const root = repoRoot();
  const dir = tempDir('packaged');
  try {
    assert.ok(!fs.existsSync(path.join(path.dirname(dir), 'node_modules')), 'the temp folder must have no node_modules above it');
    const build = (await import(pathToFileURL(path.join(root, 'scripts', 'build-renderer.mjs')).href)) as { buildVegaNode(root: string): Promise<string> };
    fs.copyFileSync(await build.buildVegaNode(root), path.join(dir, 'vega-node.mjs'));
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      `import { outputItems } from ${JSON.stringify(path.join(root, 'src/core/notebook/fallbacks'))};\n` +
        `outputItems('pruningCurve', { version: 1, series: [{ name: 'random', points: [{ fractionPruned: 0.5, accuracies: [0.9, 0.92] }] }] })` +
        `.then((items) => console.log(JSON.stringify(items.map((i) => [i.mime, 'text' in i ? i.text.slice(0, 200) : '']))));\n`,
    );
    const esbuild = (await importAtRunTime('esbuild')) as typeof import('esbuild');
    await esbuild.build({ entryPoints: [entry], outfile: path.join(dir, 'main.js'), bundle: true, platform: 'node', format: 'cjs', logLevel: 'error', external: ['vega', 'vega-lite'] });
    const r = spawnSync(process.execPath, [path.join(dir, 'main.js')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const items = JSON.parse(r.stdout.trim().split('\n').pop()!) as [string, string][];
    assert.deepEqual(items.map((i) => i[0]), ['application/vnd.datadiet.pruning-curve+json', 'image/svg+xml', 'text/plain']);
    assert.match(items[1][1], /^<svg /);
    // Without the bundle either, the cell still gets its payload and text (no SVG), with a warning.
    fs.rmSync(path.join(dir, 'vega-node.mjs'));
    const r2 = spawnSync(process.execPath, [path.join(dir, 'main.js')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.deepEqual((JSON.parse(r2.stdout.trim().split('\n').pop()!) as [string, string][]).map((i) => i[0]), ['application/vnd.datadiet.pruning-curve+json', 'text/plain']);
    assert.match(r2.stderr, /no SVG fallbacks in notebook outputs, vega could not be loaded/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
