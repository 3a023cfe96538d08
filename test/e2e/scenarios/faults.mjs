// Faults in a real VS Code: the engine process is SIGKILLed mid-epoch (as the OOM killer or a crash would); the
// notification says what happened, the run shows as failed in the runs view, the
// extension host carries on, and the next job starts a fresh engine and finishes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newExperimentOnMnist } from './experiment.mjs';

export const name = 'faults';
export const description = 'engine SIGKILLed mid-epoch: failed run in the view, next job restarts the engine and finishes';

export async function run(h) {
  const ws = h.workspace('workspace', h.quickLookSettings({ 'datadiet.steps': 100_000 }));
  await h.step('workbench loads', () => h.openWorkbench({ folder: ws }));
  await h.openDataDiet();

  let killedPid = 0;
  await h.step('SIGKILL of the engine mid-epoch: the notification explains, the run reads failed', async () => {
    await newExperimentOnMnist(h);
    const toast = await h.toast('Training linear on MNIST (100,000 steps)', 120_000);
    await h.waitFor('training steps', async () => /step \d+\/100000/.test(await h.toastText(toast)), 120_000, 100);
    const running = h.manifests(ws).find((m) => m.status === 'running');
    if (!running?.pid) throw new Error(`no running run with a pid on disk: ${JSON.stringify(h.manifests(ws))}`);
    killedPid = running.pid;
    process.kill(killedPid, 'SIGKILL');
    await h.toast('SIGKILL', 60_000);
    await h.runsView().filter({ hasText: 'failed' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await h.shot('01-killed-run-failed');
    const m = JSON.parse(fs.readFileSync(path.join(h.runsDir(ws), running.id, 'manifest.json'), 'utf8'));
    // The manifest on disk still says running (nobody could write it); every reader shows it failed.
    if (!['running', 'failed'].includes(m.status)) throw new Error(`unexpected status on disk: ${m.status}`);
    await h.clearToasts();
  });

  await h.step('the next job starts a fresh engine and finishes', async () => {
    h.writeSettings(ws, h.quickLookSettings({ 'datadiet.steps': 40 }));
    await h.page.waitForTimeout(1500);
    await newExperimentOnMnist(h);
    await h.runsView().filter({ hasText: 'done' }).first().waitFor({ state: 'visible', timeout: 180_000 });
    const done = h.manifests(ws).find((m) => m.status === 'done');
    if (!done) throw new Error('no done run on disk');
    if (done.pid !== undefined) throw new Error('a done run keeps no pid');
    await h.shot('02-next-job-done');
  });
}
