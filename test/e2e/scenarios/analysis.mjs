// The experiments after training, each from the palette through its wizard, on bundled MNIST with quick-look
// settings (1,000 examples, 20 steps): Compute Scores -> Prune Dataset (from that score run) -> Sliding-Window Sweep
// -> Label-Noise Study. Each shows a progress notification with Cancel and the status bar's percent and ETA; each
// ends with its result in the notification, the runs view and the run folder (prune-sweep.json, window-sweep.json,
// AUROC per score).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const name = 'analysis';
export const description = 'Compute Scores, Prune Dataset, Sliding-Window Sweep, Label-Noise Study from the palette';

export async function run(h) {
  const ws = h.workspace('workspace', h.quickLookSettings({ 'datadiet.trainSubset': 1000, 'datadiet.steps': 20, 'datadiet.runs': 2 }));
  await h.step('workbench loads', async () => {
    await h.openWorkbench({ folder: ws });
    await h.openDataDiet();
  });

  /** Waits for the job's notification; records command -> first progress; checks Cancel and the status-bar ETA. */
  async function watch(key, toastText, startedAt, doneTimeoutMs = 240_000) {
    const toast = await h.toast(toastText, 30_000);
    await h.waitFor(`progress in "${toastText}"`, async () => /step|loading|training|scoring|retrain|\d+%|left/.test(await h.toastText(toast)), 60_000, 50);
    h.timings[`${key}CommandToFirstProgressSeconds`] = (Date.now() - startedAt) / 1000;
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().waitFor({ state: 'visible', timeout: 5000 });
    // The percent in the status bar while the job runs; a short job may end first (then its notification must not
    // time out while this waits).
    const over = () => h.manifests(ws).some((m) => Date.parse(m.createdAt) >= startedAt - 2000 && m.status !== 'running');
    await h
      .waitFor('a percent in the status bar', async () => over() || (await h.page.locator('.statusbar-item', { hasText: /\d+%/ }).count()) > 0, 30_000, 100)
      .catch(() => h.log('no percent in the status bar'));
    if (over()) h.log('the job ended before the status bar showed a percent');
    await h.shot(`${key}-progress`);
    const before = h.manifests(ws).length;
    await h.waitFor(`${key} done on disk`, async () => {
      const m = h.manifests(ws).at(-1);
      return m && m.status !== 'running' && h.manifests(ws).length >= before;
    }, doneTimeoutMs, 250);
    const m = h.manifests(ws).at(-1);
    if (m.status !== 'done') throw new Error(`${key}: ${m.status}: ${m.error}`);
    h.timings[`${key}CommandToDoneSeconds`] = (Date.now() - startedAt) / 1000;
    return m;
  }

  await h.step('Compute Scores on bundled MNIST (el2n, grand, 2 runs)', async () => {
    await h.runCommand('Data Diet: Compute Scores');
    await h.pick('Dataset', 'bundled', 'MNIST');
    await h.pick(/: Model( \(\d|$)/, 'linear', 'linear');
    await h.pick(/: Scores( \(\d|$)/, '', 'el2n');
    await h.pick(/: Epochs( \(\d|$)/, '', 'epoch');
    const t = { at: 0 };
    await h.pick(/: Runs( \(\d|$)/, '2 runs', 'scores average over 2', () => (t.at = Date.now()));
    const m = await watch('scores', 'Data Diet: Scoring MNIST', t.at);
    if (m.kind !== 'score' || JSON.stringify(m.results.scores) !== '["el2n","grand"]') throw new Error(`unexpected score run ${JSON.stringify(m.results)}`);
    // One validation default for every job: the score run holds 10% out, so a window sweep can pick on it later.
    if (m.config.validation !== 0.1) throw new Error(`the score run did not hold out validation: ${JSON.stringify(m.config)}`);
    await h.runsView().filter({ hasText: 'scores' }).filter({ hasText: 'done' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  });

  await h.step('Prune Dataset: score run, el2n, 30/50/70% pruned, keep-top and random, 1 seed', async () => {
    await h.clearToasts();
    await h.runCommand('Data Diet: Prune Dataset');
    await h.pick(/: Score run( \(\d|$)/, '', 'el2n, grand');
    await h.pick(/: Score( \(\d|$)/, 'el2n', 'el2n');
    await h.pick(/: Fractions pruned( \(\d|$)/, '', undefined, () => h.shot('prune-fractions'));
    await h.pick(/: Strategies( \(\d|$)/, '', 'keep-top');
    const t = { at: 0 };
    await h.pick(/: Seeds( \(\d|$)/, '1 seed', '1 seed', () => (t.at = Date.now()));
    const m = await watch('prune', 'Data Diet: Pruning mnist by el2n', t.at);
    const table = JSON.parse(fs.readFileSync(path.join(h.runsDir(ws), m.id, 'prune-sweep.json'), 'utf8'));
    const points = table.summary.map((p) => `${p.strategy}@${p.fractionPruned}`).sort();
    if (JSON.stringify(points) !== JSON.stringify(['full data@0', 'keep-top@0.3', 'keep-top@0.5', 'keep-top@0.7', 'random@0.3', 'random@0.5', 'random@0.7'])) throw new Error(`prune points: ${points}`);
    await h.toast('at 70% pruned', 15_000);
    await h.runsView().filter({ hasText: 'prune' }).filter({ hasText: 'at 70% pruned' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await h.shot('prune-done');
  });

  await h.step('Sliding-Window Sweep: keep 40%, 1 seed', async () => {
    await h.clearToasts();
    await h.runCommand('Data Diet: Sliding-Window Sweep');
    await h.pick(/: Score run( \(\d|$)/, '', 'el2n, grand');
    await h.pick(/: Score( \(\d|$)/, 'el2n', 'el2n');
    await h.pick(/: Window size( \(\d|$)/, '', undefined);
    const t = { at: 0 };
    await h.pick(/: Seeds( \(\d|$)/, '1 seed', '1 seed', () => (t.at = Date.now()));
    const m = await watch('window', 'Data Diet: Sliding window over mnist by el2n', t.at);
    const table = JSON.parse(fs.readFileSync(path.join(h.runsDir(ws), m.id, 'window-sweep.json'), 'utf8'));
    if (table.points.length !== 7 || typeof table.best?.offsetFraction !== 'number') throw new Error(`window table: ${table.points.length} points, best ${JSON.stringify(table.best)}`);
    await h.toast('best window at offset', 15_000);
    await h.shot('window-done');
  });

  await h.step('Label-Noise Study: 20% noisy labels, AUROC per score in the notification and the runs view', async () => {
    await h.clearToasts();
    await h.runCommand('Data Diet: Label-Noise Study');
    await h.pick('Dataset', 'bundled', 'MNIST');
    await h.pick(/: Model( \(\d|$)/, 'linear', 'linear');
    await h.pick(/: Label noise( \(\d|$)/, '20%', '20% noisy labels');
    await h.pick(/: Scores( \(\d|$)/, '', 'el2n');
    await h.pick(/: Epochs( \(\d|$)/, '', 'epoch');
    const t = { at: 0 };
    await h.pick(/: Runs( \(\d|$)/, '2 runs', 'scores average over 2', () => (t.at = Date.now()));
    const m = await watch('noise', 'Data Diet: Label-noise study on MNIST: 20% noisy', t.at);
    const d = m.results.detection;
    if (!d || typeof d.el2n?.auroc !== 'number' || typeof d.grand?.auroc !== 'number') throw new Error(`no AUROC in the results: ${JSON.stringify(m.results)}`);
    h.timings.noiseAuroc = { el2n: d.el2n.auroc, grand: d.grand.auroc };
    await h.toast('noisy-label AUROC', 15_000);
    await h.runsView().filter({ hasText: 'noisy-label AUROC' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await h.shot('noise-done');
  });
}
