// The UI scenario: palette -> "Data Diet: New Experiment" -> wizard (train, bundled MNIST, linear, epochs,
// one run) with quick-look workspace settings -> progress notification (time from the last Enter to the first
// progress event) -> the run shows as done in the runs view and on disk; a second, long run is cancelled from the
// notification's Cancel button and shows as cancelled next to the done one; a run folder written by another process
// appears and Delete Run removes it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const name = 'experiment';
export const description = 'New Experiment wizard on bundled MNIST: progress, one run done, one cancelled, runs view';

/** Palette -> New Experiment -> train, bundled MNIST, linear, default epochs, one run. */
export async function newExperimentOnMnist(h, hooks = {}) {
  await h.runCommand('Data Diet: New Experiment');
  await h.pick('What to do', 'Train a classifier', 'Train a classifier');
  if (hooks.dataset) {
    await h.waitFor('the dataset step', async () => (await h.quickTitle()).includes('Dataset'), 15_000);
    await h.quickRows().first().waitFor({ state: 'visible' });
    await hooks.dataset();
  }
  await h.pick('Dataset', 'bundled', 'MNIST');
  await h.pick('Model', 'linear', 'linear');
  await h.pick('Epochs', '', 'epoch');
  await h.pick('Runs', '', 'training run', hooks.start);
}

/** Drags the side bar's right sash so screenshots show whole rows. */
export async function widenSideBar(h, by = 180) {
  const page = h.page;
  const bar = await page.locator('.part.sidebar').boundingBox();
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
    }),
  );
  const sash = bar && sashes.find((q) => Math.abs(q.x - (bar.x + bar.width)) < 8 && q.h > 200);
  if (!sash) return h.log(`no side-bar sash found (${JSON.stringify({ bar, sashes })})`);
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + by / 2, sash.y, { steps: 5 });
  await page.mouse.move(sash.x + by, sash.y, { steps: 5 });
  await page.mouse.up();
}

export async function run(h) {
  const ws = h.workspace('workspace', h.quickLookSettings({ 'datadiet.steps': 60 }));
  await h.step('workbench loads with the Data Diet activity-bar entry', () => h.openWorkbench({ folder: ws }));

  await h.step('the runs view opens empty with its welcome', async () => {
    await h.openDataDiet();
    await h.page.locator('.welcome-view-content', { hasText: 'No runs yet' }).waitFor({ state: 'visible', timeout: 30_000 });
    await widenSideBar(h);
    await h.shot('01-runs-view-empty');
  });

  await h.step('palette lists the Data Diet commands', async () => {
    await h.runCommand('Data Diet:', { accept: false });
    await h.waitFor('8 or more Data Diet commands', async () => (await h.quickRows().filter({ hasText: 'Data Diet:' }).count()) >= 8, 10_000);
    await h.shot('02-palette');
    await h.page.keyboard.press('Escape');
  });

  let commandAt = 0;
  await h.step('New Experiment wizard on bundled MNIST', () =>
    newExperimentOnMnist(h, {
      dataset: () => h.shot('03-wizard-dataset'),
      start: () => {
        commandAt = Date.now();
      },
    }),
  );

  await h.step('progress notification with step and ETA', async () => {
    const toast = await h.toast('Data Diet: Training linear on MNIST');
    h.timings.commandToNotificationSeconds = (Date.now() - commandAt) / 1000;
    await h.waitFor('a progress message with a step count', async () => /step \d+\/\d+|loading|backend/.test(await h.toastText(toast)), 60_000, 50);
    h.timings.commandToFirstProgressSeconds = (Date.now() - commandAt) / 1000;
    h.log(`command -> first progress in the notification: ${h.timings.commandToFirstProgressSeconds.toFixed(2)} s`);
    await h.waitFor('a training step in the notification', async () => /step \d+\/60/.test(await h.toastText(toast)), 60_000, 50);
    h.timings.commandToFirstStepSeconds = (Date.now() - commandAt) / 1000;
    h.log(`command -> first training step in the notification: ${h.timings.commandToFirstStepSeconds.toFixed(2)} s`);
    await h.shot('04-progress');
  });

  await h.step('the run shows as done in the runs view, and on disk', async () => {
    const row = h.runsView().filter({ hasText: 'mnist \u00b7 linear' }).filter({ hasText: 'done' }).first();
    await row.waitFor({ state: 'visible', timeout: 180_000 });
    h.timings.commandToDoneSeconds = (Date.now() - commandAt) / 1000;
    const m = h.manifests(ws);
    if (m.length !== 1 || m[0].status !== 'done') throw new Error(`expected one done run on disk, got ${JSON.stringify(m.map((x) => x.status))}`);
    if (m[0].config.steps !== 60 || m[0].config.trainSubset !== 2000) throw new Error(`quick-look settings not applied: ${JSON.stringify(m[0].config)}`);
    await h.toasts().filter({ hasText: 'done' }).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
    await h.shot('05-run-done');
    // Expand it: details (dataset sizes, backend and why, accuracy, time).
    await row.click();
    await h.runsView().filter({ hasText: 'backend' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await h.shot('06-run-details');
    await row.click();
  });

  await h.step('status bar shows the backend used', () => h.statusItem('wasm').waitFor({ state: 'visible', timeout: 10_000 }));

  await h.step('a long run cancelled from the notification shows as cancelled', async () => {
    h.writeSettings(ws, h.quickLookSettings({ 'datadiet.steps': 100_000 }));
    await h.page.waitForTimeout(1500); // the settings file change reaches the configuration service
    await h.clearToasts();
    await newExperimentOnMnist(h);
    const toast = await h.toast('Training linear on MNIST (100,000 steps)');
    await h.waitFor('training steps', async () => /step \d+\/100000/.test(await h.toastText(toast)), 60_000, 100);
    await h.runsView().filter({ hasText: 'running' }).first().waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {});
    await h.shot('07-long-run-progress');
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await h.runsView().filter({ hasText: 'cancelled' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const statuses = h.manifests(ws).map((x) => x.status).sort();
    if (JSON.stringify(statuses) !== JSON.stringify(['cancelled', 'done'])) throw new Error(`expected done + cancelled on disk, got ${statuses}`);
    await h.shot('08-cancelled-and-done');
  });

  await h.step('a run folder written by another process appears (file watcher); Delete Run removes it', async () => {
    const runs = h.runsDir(ws);
    const done = h.manifests(ws).find((m) => m.status === 'done');
    const id = '20991231-235959-train-e2e0';
    fs.cpSync(path.join(runs, done.id), path.join(runs, id), { recursive: true });
    const mf = path.join(runs, id, 'manifest.json');
    fs.writeFileSync(mf, JSON.stringify({ ...JSON.parse(fs.readFileSync(mf, 'utf8')), id, status: 'failed', error: 'written by the e2e test', results: undefined }, null, 2));
    const row = h.runsView().filter({ hasText: 'written by the e2e test' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    const item = h.page.getByRole('menuitem', { name: 'Delete Run' });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.hover();
    await h.page.keyboard.press('Enter');
    const dialog = h.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    await h.shot('09-delete-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    if (fs.existsSync(path.join(runs, id))) throw new Error('the deleted run folder is still there');
    if (h.manifests(ws).length !== 2) throw new Error(`expected the two earlier runs to stay, found ${h.manifests(ws).length}`);
  });
}
