// The extension manifest (package.json contributes) against the code: every command is registered and contributed,
// settings enums match the engine's lists, the extension bundle stays light (no tfjs in the extension host).
import { EXECUTOR_NAMES } from '../../../src/contract/execution';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_CHOICES } from '../../../src/core/compute/backend';
import { SCORE_NAMES } from '../../../src/core/experiments/scoreRun';
import { FASHION_MNIST_SYSTEM_DIR } from '../../../src/core/data/mnist';
import { ARCHITECTURES } from '../../../src/core/models/registry';
import { STEM_CHOICES } from '../../../src/contract/choices';
import { ARCHITECTURE_CHOICES, BACKEND_OPTIONS, FASHION_MNIST_DIR, SCORE_DYNAMICS, SCORE_OPTIONS } from '../../../src/extension/choices';
import { DEFAULT_SETTINGS } from '../../../src/extension/settings';
import { runItem } from '../../../src/extension/runsModel';
import { distFile, repoRoot } from '../helpers/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
const contributes = pkg.contributes;

test('the extension offers exactly the engine\u2019s models, backends and scores', () => {
  assert.deepEqual(ARCHITECTURE_CHOICES.map((a) => a.id), [...ARCHITECTURES]);
  assert.deepEqual(BACKEND_OPTIONS.map((b) => b.id), [...BACKEND_CHOICES]);
  assert.deepEqual(SCORE_OPTIONS.map((s) => s.id), [...SCORE_NAMES]);
  assert.equal(FASHION_MNIST_DIR, FASHION_MNIST_SYSTEM_DIR);
  for (const d of SCORE_DYNAMICS) assert.ok((SCORE_NAMES as readonly string[]).includes(d));
});

test('settings: schema enums and defaults match the code', () => {
  const props = contributes.configuration.properties;
  assert.deepEqual(props['datadiet.backend'].enum, [...BACKEND_CHOICES]);
  assert.deepEqual(props['datadiet.model'].enum, [...ARCHITECTURES]);
  assert.deepEqual(props['datadiet.stem'].enum, [...STEM_CHOICES]);
  // execution and slurm are read from datadiet.executor, .parallel and .slurm.* (checked below).
  const { execution: _e, slurm, ...plain } = DEFAULT_SETTINGS;
  for (const [key, value] of Object.entries(plain)) {
    assert.ok(props[`datadiet.${key}`], `datadiet.${key} is contributed`);
    assert.deepEqual(props[`datadiet.${key}`].default, value, `default of datadiet.${key}`);
  }
  for (const key of ['backend', 'model', 'width', 'runs', 'batchSize', 'runsRoot']) assert.ok(props[`datadiet.${key}`], key);
  assert.deepEqual(props['datadiet.executor'].enum, [...EXECUTOR_NAMES]);
  assert.equal(props['datadiet.parallel'].default, 1);
  for (const [key, value] of Object.entries(slurm)) {
    assert.ok(props[`datadiet.slurm.${key}`], `datadiet.slurm.${key} is contributed`);
    if (value !== undefined) assert.deepEqual(props[`datadiet.slurm.${key}`].default, value, `default of datadiet.slurm.${key}`);
  }
  for (const key of ['partition', 'time', 'memPerUnit', 'maxConcurrent']) assert.ok(props[`datadiet.slurm.${key}`], key);
});

test('commands: every registered command is contributed under the "Data Diet" category, and vice versa', () => {
  // Registered anywhere in src/extension: Commands.register's r('id', ...) or vscode.commands.registerCommand('id', ...).
  // Every contributed command is registered somewhere; the ones registered at the top level of src/extension are all
  // contributed (feature folders such as annotations/ may keep internal commands out of the palette).
  const dir = path.join(repoRoot(), 'src/extension');
  const ids = (files: string[]) => {
    const src = files.filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    return [...new Set([...src.matchAll(/\b(?:r|registerCommand)\(\s*'(datadiet\.[A-Za-z.]+)'/g)].map((m) => m[1]))].sort();
  };
  const everywhere = ids(fs.readdirSync(dir, { recursive: true }).map(String));
  const topLevel = ids(fs.readdirSync(dir));
  const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
  for (const c of contributed) assert.ok(everywhere.includes(c), `${c} is contributed but never registered`);
  for (const c of topLevel) assert.ok(contributed.includes(c), `${c} is registered but not contributed`);
  for (const c of contributes.commands) assert.equal(c.category, 'Data Diet', c.command);
  for (const id of ['datadiet.newExperiment', 'datadiet.computeScores', 'datadiet.cancelRun', 'datadiet.chooseBackend', 'datadiet.showLogs', 'datadiet.openRunFolder', 'datadiet.deleteRun', 'datadiet.rerun']) {
    assert.ok(contributed.includes(id), id);
  }
  // Menus name only contributed commands.
  for (const [where, items] of Object.entries(contributes.menus as Record<string, { command: string }[]>)) {
    for (const it of items) assert.ok(contributed.includes(it.command), `${where}: ${it.command}`);
  }
});

test('views, activation, trust and the activity-bar icon', () => {
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === 'datadiet'));
  const icon = contributes.viewsContainers.activitybar[0].icon;
  assert.match(fs.readFileSync(path.join(repoRoot(), icon), 'utf8'), /<svg/);
  assert.ok(contributes.views.datadiet.some((v: { id: string }) => v.id === 'datadiet.runs'));
  assert.ok(pkg.activationEvents.some((e: string) => e.startsWith('workspaceContains:.datadiet')));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  // The runs view's context menu, evaluated on the context values runsModel produces (run.<status>.<kind>).
  const menu = (contextValue: string): string[] =>
    contributes.menus['view/item/context']
      .filter((m: { when: string }) =>
        m.when.split('&&').every((c) => {
          const t = c.trim();
          if (t === 'view == datadiet.runs') return true;
          const re = /^viewItem =~ \/(.*)\/$/.exec(t);
          if (re) return new RegExp(re[1]).test(contextValue);
          const eq = /^viewItem == (.*)$/.exec(t);
          if (eq) return eq[1] === contextValue;
          throw new Error(`unexpected clause ${t}`);
        }),
      )
      .map((m: { command: string }) => m.command);
  const ctx = (status: string, kind: string) => runItem({ dir: '/r', manifest: { id: 'r', kind, status, createdAt: '2026-01-01T00:00:00Z', config: {} } as never }, new Date()).contextValue;
  const score = menu(ctx('done', 'score'));
  for (const c of ['datadiet.openResultsNotebook', 'datadiet.showGallery', 'datadiet.openReviewQueue', 'datadiet.pruneFromRun', 'datadiet.windowSweepFromRun', 'datadiet.rerun', 'datadiet.deleteRun']) assert.ok(score.includes(c), `${c} on a finished score run`);
  const train = menu(ctx('done', 'train'));
  for (const c of ['datadiet.showGallery', 'datadiet.openReviewQueue', 'datadiet.pruneFromRun']) assert.ok(!train.includes(c), `${c} on a training run`);
  const running = menu(ctx('running', 'score'));
  assert.ok(running.includes('datadiet.cancelRun') && !running.includes('datadiet.deleteRun'));
  assert.ok(menu(ctx('failed', 'prune')).includes('datadiet.resumeRun'));
  assert.ok(menu('run.unreadable').includes('datadiet.deleteRun'));
});

test('the extension host bundle stays light: no tfjs, no engine code, vscode external', () => {
  const bundle = fs.readFileSync(distFile('extension.js'), 'utf8');
  // Score tables (hyparquet) and thumbnails (pngjs, sharp) are read in the host for notebooks and annotations;
  // tfjs (megabytes) never is.
  assert.ok(bundle.length < 1_000_000, `dist/extension.js is ${bundle.length} bytes`);
  assert.doesNotMatch(bundle, /require\("@tensorflow/);
  assert.doesNotMatch(bundle, /registerKernel|tfjs-core/);
  assert.match(bundle, /require\("vscode"\)/);
  assert.match(bundle, /exports\.activate|activate:/);
});

test('walkthrough: every step has markdown media that exists and command links to contributed commands, presets parse', () => {
  const [wt] = contributes.walkthroughs;
  assert.equal(wt.id, 'datadiet.start');
  const contributed = contributes.commands.map((c: { command: string }) => c.command);
  for (const step of wt.steps as { id: string; description: string; media: { markdown: string } }[]) {
    assert.ok(fs.existsSync(path.join(repoRoot(), step.media.markdown)), step.media.markdown);
    const links = [...step.description.matchAll(/\(command:([a-zA-Z.]+)(?:\?([^)]*))?\)/g)];
    assert.ok(links.length > 0, `${step.id} has a command link`);
    for (const [, id, query] of links) {
      assert.ok(contributed.includes(id), `${step.id}: ${id}`);
      if (query) assert.equal(typeof JSON.parse(decodeURIComponent(query)), 'object', `${step.id}: ${query}`);
    }
  }
  // The first step trains on the bundled MNIST without the wizard (preset answers).
  assert.match(wt.steps[0].description, /command:datadiet\.newExperiment\?%7B%22dataset%22%3A%22mnist%22/);
});
