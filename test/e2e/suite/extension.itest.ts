// Data Diet inside a real extension host: commands through vscode.commands.executeCommand with preset answers
// (the wizard is the UI scenario's job), the runs tree through the extension's API, settings, cancel, and the engine
// dying mid-run. The workspace has quick-look settings (datadiet.trainSubset, datadiet.steps, backend wasm).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunManifest } from '../../../src/core/store/runManifest';
import type { DataDietApi } from '../../../src/extension/extension';

export const tests: { name: string; fn: () => Promise<void> }[] = [];
const test = (name: string, fn: () => Promise<void>) => tests.push({ name, fn });

const EXTENSION_ID = 'datadiet.datadiet';
let api: DataDietApi;
const mnistLinear = { dataset: 'mnist', datasetLabel: 'MNIST', model: 'linear', epochs: 1, runs: 1 };

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function treeRows(): Promise<{ label: string; description: string; context: string }[]> {
  const nodes = await api.runsView.getChildren();
  return nodes.map((n) => {
    const it = api.runsView.getTreeItem(n);
    return { label: String(it.label), description: String(it.description ?? ''), context: it.contextValue ?? '' };
  });
}

function readManifest(m: RunManifest): RunManifest {
  return JSON.parse(fs.readFileSync(path.join(api.runsRoot(), '.datadiet', 'runs', m.id, 'manifest.json'), 'utf8')) as RunManifest;
}

test('activates, registers every contributed command, and exports its API', async () => {
  const ext = vscode.extensions.getExtension<DataDietApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is loaded`);
  api = await ext.activate();
  assert.ok(api.engineHost && api.runsView);
  const all = await vscode.commands.getCommands(true);
  const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
  for (const c of contributed) assert.ok(all.includes(c), c);
  assert.equal(api.settings().backend, 'wasm', 'workspace settings are read');
  assert.equal(api.runsRoot(), vscode.workspace.workspaceFolders![0].uri.fsPath);
});

test('New Experiment with preset answers trains, records a done run, and the tree shows it', async () => {
  const runs = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.newExperiment', mnistLinear))!;
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
  const m = readManifest(runs[0]);
  assert.equal(m.config.steps, api.settings().steps);
  assert.equal(m.config.trainSubset, api.settings().trainSubset);
  assert.equal(m.backend?.name, 'wasm');
  const rows = await treeRows();
  const row = rows.find((r) => r.label === 'mnist \u00b7 linear');
  assert.ok(row, JSON.stringify(rows));
  assert.match(row.description, /^done \u00b7 \d+\.\d% test/);
  assert.equal(row.context, 'run.done.train');
});

test('K training runs use seeds 0..K-1; rerun repeats a run\u2019s configuration', async () => {
  const runs = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.newExperiment', { ...mnistLinear, runs: 2 }))!;
  assert.deepEqual(runs.map((r) => [r.status, r.config.seed]), [['done', 0], ['done', 1]]);
  const dir = path.join(api.runsRoot(), '.datadiet', 'runs', runs[1].id);
  const again = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.rerun', dir))!;
  assert.equal(again.length, 1);
  assert.equal(again[0].status, 'done');
  assert.notEqual(again[0].id, runs[1].id);
  for (const k of ['dataset', 'model', 'steps', 'seed', 'dataSeed', 'trainSubset', 'batchSize', 'lr']) assert.deepEqual(again[0].config[k], runs[1].config[k], k);
  assert.equal(again[0].results?.testAccuracy, runs[1].results?.testAccuracy, 'same config, same seeds, same result');
});

test('Compute Scores runs a score job over K runs and writes score tables', async () => {
  const runs = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.computeScores', { ...mnistLinear, runs: 2, scores: ['el2n', 'grand'] }))!;
  assert.equal(runs.length, 1);
  const m = runs[0];
  assert.equal(m.kind, 'score');
  assert.equal(m.status, 'done');
  assert.equal(m.results?.runs, 2);
  const scores = path.join(api.runsRoot(), '.datadiet', 'runs', m.id, 'scores');
  assert.ok(fs.readdirSync(scores).some((f) => f.startsWith('el2n')), fs.readdirSync(scores).join(','));
  const rows = await treeRows();
  assert.ok(rows.some((r) => r.label === 'mnist \u00b7 linear \u00b7 scores' && /el2n, grand \u00b7 2 runs/.test(r.description)), JSON.stringify(rows));
});

test('Prune Dataset and Sliding-Window Sweep with preset answers start from a score run; the tree shows their results', async () => {
  const scoreRun = api.runsView.readRuns().map((r) => r.manifest).find((m) => m?.kind === 'score' && m.status === 'done');
  assert.ok(scoreRun, 'the Compute Scores test left a score run');
  const [prune] = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.pruneDataset', { scoresFrom: scoreRun.id, score: 'el2n', fractions: [0.5], strategies: ['keep-top', 'random'], seeds: 1 }))!;
  assert.equal(prune.kind, 'prune');
  assert.equal(prune.status, 'done');
  assert.equal(prune.config.scoresFrom, scoreRun.id);
  assert.equal(prune.config.trainSubset, scoreRun.config.trainSubset, 'the score run\u2019s subset is reused');
  const rows = await treeRows();
  assert.ok(rows.some((r) => r.label === 'mnist \u00b7 linear \u00b7 prune' && /at 50% pruned: /.test(r.description)), JSON.stringify(rows));
  // A score run that scored every example (validation 0) has no validation to pick a window on: refused, and said.
  const [all] = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.computeScores', { ...mnistLinear, runs: 1, scores: ['el2n'], validation: 0 }))!;
  assert.equal(all.config.validation, 0);
  assert.equal(await vscode.commands.executeCommand('datadiet.windowSweep', { scoresFrom: all.id }), undefined);
  // The default score run held out validation (one default for every job): a window sweep reuses its split.
  assert.equal(scoreRun.config.validation, 0.1);
  const [win] = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.windowSweep', { scoresFrom: scoreRun.id, size: 0.5, seeds: 1 }))!;
  assert.equal(win.status, 'done');
  assert.deepEqual(win.config.offsets, [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.equal(typeof (win.results?.best as { offsetFraction?: number })?.offsetFraction, 'number');
});

test('Label-Noise Study with preset answers records AUROC per score, shown in the tree', async () => {
  const [m] = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.noiseStudy', { ...mnistLinear, runs: 1, scores: ['el2n', 'grand'], labelNoise: 0.2 }))!;
  assert.equal(m.status, 'done');
  assert.equal(m.config.labelNoise, 0.2);
  const d = m.results?.detection as Record<string, { auroc: number }>;
  for (const s of ['el2n', 'grand']) assert.ok(d[s].auroc > 0.5, `${s} finds noisy labels better than chance: ${d[s].auroc}`);
  const rows = await treeRows();
  assert.ok(rows.some((r) => /noisy-label AUROC: el2n \d\.\d{3}, grand \d\.\d{3}/.test(r.description)), JSON.stringify(rows));
});

test('Install GPU Support fails with a clear message when npm cannot install (registry unreachable)', async () => {
  const registry = process.env.npm_config_registry;
  process.env.npm_config_registry = 'http://127.0.0.1:9/';
  process.env.npm_config_fetch_retries = '0';
  try {
    const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('datadiet.installGpu', 'tfjs-node-gpu');
    assert.equal(r?.ok, false);
    assert.match(r!.message, /could not install @tensorflow\/tfjs-node-gpu: .*The full npm output is in "Data Diet: Show Logs"/);
  } finally {
    if (registry === undefined) delete process.env.npm_config_registry;
    else process.env.npm_config_registry = registry;
    delete process.env.npm_config_fetch_retries;
  }
});

test('Cancel Run stops the running job within a batch; the run is recorded cancelled', async () => {
  const cfg = vscode.workspace.getConfiguration('datadiet');
  const steps = cfg.get<number>('steps');
  await cfg.update('steps', 100_000, vscode.ConfigurationTarget.Workspace);
  try {
    const pending = vscode.commands.executeCommand<RunManifest[]>('datadiet.newExperiment', mnistLinear);
    await until('training steps', () => api.engineHost.activeJobs[0]?.progress?.phase === 'train');
    const rows = await treeRows();
    assert.ok(rows.some((r) => r.context === 'run.running.train' && /^running/.test(r.description)), JSON.stringify(rows));
    await vscode.commands.executeCommand('datadiet.cancelRun');
    const runs = (await pending)!;
    assert.equal(runs[0].status, 'cancelled');
    assert.ok((runs[0].results?.steps as number) < 100_000);
  } finally {
    await cfg.update('steps', steps, vscode.ConfigurationTarget.Workspace);
  }
});

test('the engine dying mid-run marks the run failed with the reason; the next job restarts it', async () => {
  const cfg = vscode.workspace.getConfiguration('datadiet');
  const steps = cfg.get<number>('steps');
  await cfg.update('steps', 100_000, vscode.ConfigurationTarget.Workspace);
  let runDir: string | undefined;
  try {
    const pending = vscode.commands.executeCommand<RunManifest[]>('datadiet.newExperiment', mnistLinear);
    const job = await until('training steps', () => (api.engineHost.activeJobs[0]?.progress?.phase === 'train' ? api.engineHost.activeJobs[0] : undefined));
    runDir = job.runDir;
    const starts = api.engineHost.engineStarts;
    api.engineHost.kill();
    assert.deepEqual(await pending, [], 'no finished run');
    const m = JSON.parse(fs.readFileSync(path.join(runDir!, 'manifest.json'), 'utf8')) as RunManifest;
    assert.equal(m.status, 'failed');
    assert.match(m.error ?? '', /killed \(SIGKILL\)/);
    await cfg.update('steps', steps, vscode.ConfigurationTarget.Workspace);
    const after = (await vscode.commands.executeCommand<RunManifest[]>('datadiet.newExperiment', mnistLinear))!;
    assert.equal(after[0].status, 'done');
    assert.equal(api.engineHost.engineStarts, starts + 1);
    const rows = await treeRows();
    assert.ok(rows.some((r) => r.context === 'run.failed.train' && /killed/.test(r.description)), JSON.stringify(rows));
  } finally {
    await cfg.update('steps', steps, vscode.ConfigurationTarget.Workspace);
  }
});

test('Choose Compute Backend writes the datadiet.backend setting', async () => {
  const cfg = () => vscode.workspace.getConfiguration('datadiet');
  await vscode.commands.executeCommand('datadiet.chooseBackend', 'cpu');
  assert.equal(cfg().get('backend'), 'cpu');
  assert.equal(api.settings().backend, 'cpu');
  await vscode.commands.executeCommand('datadiet.chooseBackend', 'wasm');
  assert.equal(cfg().get('backend'), 'wasm');
});

test('Open Run Folder opens the run\u2019s manifest; Show Logs shows the engine log', async () => {
  const runs = (await api.runsView.getChildren()).filter((n) => n.kind === 'run');
  assert.ok(runs.length > 0);
  await vscode.commands.executeCommand('datadiet.openRunFolder', runs[0]);
  const editor = await until('the manifest in an editor', () =>
    vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(path.join('.datadiet', 'runs', path.basename(runs[0].kind === 'run' ? runs[0].summary.dir : ''), 'manifest.json'))),
  );
  assert.equal(JSON.parse(editor.document.getText()).schema, 1);
  await vscode.commands.executeCommand('datadiet.showLogs');
});
