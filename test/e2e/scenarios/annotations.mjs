// Issue 7 in a real VS Code: a CSV label manifest made from real MNIST images with known corrupted rows, scored
// by the CLI (cnn-small, 6 epochs); in code-server the corrupted rows carry "Suspected label issue" diagnostics,
// the hover shows the image, the quick fix relabels the row (file changes); the review queue relabels three
// examples with digit keys and they are in annotations.jsonl; a second writer process (the datadiet CLI engine
// writing annotations) is SIGKILLed mid-write while the queue keeps writing, and no acknowledged annotation is lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeDigitsManifest } from '../fixtures/digitsManifest.mjs';

const { PNG } = createRequire(import.meta.url)('pngjs');

export const name = 'annotations';
export const description = 'suspect diagnostics, hover image and quick fix in a CSV manifest; review queue keys; killed writer loses nothing';

function readEntries(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  return lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new Error(`${file}:${i + 1} is not valid JSON (${e.message}): ${l.slice(0, 80)}`);
    }
  });
}

export async function run(h) {
  const ws = h.workspace('ws', { 'datadiet.backend': 'wasm', 'datadiet.annotations.diagnosticSeverity': 'warning' });
  const cli = path.join(h.root, 'dist', 'cli.js');
  const { manifest, corrupted } = writeDigitsManifest(path.join(ws, 'digits'), { count: 1200 });
  const annotations = path.join(ws, 'digits', 'annotations.jsonl');
  let targets;

  // --validation 0: every training row of the manifest is scored, so every one gets the suspect check.
  await h.step('score the manifest with the CLI (real training) and list suspects', () => {
    const r = spawnSync(process.execPath, [cli, 'score', '--dataset', `csv:${manifest}`, '--model', 'cnn-small', '--epochs', '6', '--epoch', '6', '--runs', '1', '--score', 'el2n', '--validation', '0', '--backend', 'wasm', '--root', ws], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`score failed: ${r.stderr.slice(-800)}`);
    const id = fs.readdirSync(path.join(ws, '.datadiet', 'runs'))[0];
    const s = JSON.parse(spawnSync(process.execPath, [cli, 'suspects', '--run', id, '--root', ws, '--json', '--top', '2000'], { encoding: 'utf8' }).stdout);
    const flagged = s.top.slice(0, s.flagged);
    const lineOf = (p) => Number(/(\d+)\.png$/.exec(p)[1]) + 2; // header is line 1
    targets = flagged.map((t) => ({ ...t, line: lineOf(t.path) })).filter((t) => corrupted.includes(t.line));
    h.timings.flagged = s.flagged;
    h.timings.flaggedCorrupted = targets.length;
    h.log(`${s.flagged} flagged, ${targets.length} of them corrupted rows (${corrupted.length} corrupted in the manifest)`);
    if (targets.length < 10) throw new Error(`only ${targets.length} corrupted rows flagged`);
  });

  await h.step('workbench loads', () => h.openWorkbench({ folder: ws }));
  const page = h.page;
  const t = targets[0];

  await h.step('the manifest shows suspect diagnostics on corrupted rows', async () => {
    await page.keyboard.press('Control+P');
    await page.keyboard.type('labels.csv', { delay: 10 });
    await h.quickRows().filter({ hasText: 'labels.csv' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel .monaco-list-row', { hasText: 'Suspected label issue' });
    await h.waitFor('suspect diagnostics in the Problems panel', async () => (await problems.count()) >= 5, 60_000, 500);
    const text = (await page.locator('.markers-panel').textContent()) ?? '';
    // The known corrupted row t is among them, with its line.
    if (!text.includes(`[Ln ${t.line},`)) h.log(`row ${t.line} not in the visible part of the Problems list; checking the editor`);
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(t.line), { delay: 10 });
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.locator('.squiggly-warning').first().waitFor({ state: 'attached', timeout: 15_000 });
    await h.shot('01-manifest-diagnostics');
  });

  await h.step('the hover shows the image, percentile and top predictions', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await h.runCommand('Show or Focus Hover');
    const hover = page.locator('.monaco-hover-content').filter({ hasText: 'Top predictions' });
    await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.monaco-hover-content img[src^="data:image/png;base64,"]').first().waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await hover.first().textContent()) ?? '';
    if (!/percentile/.test(text)) throw new Error(`hover has no percentile: ${text}`);
    await h.shot('02-hover-image');
    await page.keyboard.press('Escape');
  });

  await h.step('the quick fix relabels the row to the predicted class (and the file changes)', async () => {
    const before = fs.readFileSync(manifest, 'utf8').split('\n')[t.line - 1];
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Relabel to' }).first();
    await fix.waitFor({ state: 'visible', timeout: 15_000 });
    await h.shot('03-quick-fix-menu');
    await fix.click();
    await page.keyboard.press('Control+S');
    const want = `img/${t.line - 2}.png,${t.predicted}`;
    await h.waitFor('the saved manifest line to change', () => fs.readFileSync(manifest, 'utf8').split('\n')[t.line - 1] === want, 15_000, 200);
    h.log(`line ${t.line}: "${before}" -> "${want}"`);
    await h.shot('04-after-quick-fix');
  });

  const queue = () => page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  await h.step('the review queue relabels three examples with digit keys', async () => {
    await h.runCommand('Data Diet: Open Review Queue');
    await queue().locator('text=Suspect 1 of').waitFor({ state: 'visible', timeout: 60_000 });
    await queue().locator('img.big').waitFor({ state: 'visible', timeout: 10_000 });
    // The large image is the suspect's own file, pixel for pixel (not another example of a shifted split).
    const header = (await queue().locator('.header').textContent()) ?? '';
    const file = /· (\d+\.png)/.exec(header)?.[1];
    const src = await queue().locator('img.big').getAttribute('src');
    const shown = PNG.sync.read(Buffer.from(src.split(',')[1], 'base64'));
    const disk = PNG.sync.read(fs.readFileSync(path.join(ws, 'digits', 'img', file)));
    for (let i = 0; i < 28 * 28; i++) if (shown.data[i * 4] !== disk.data[i * 4]) throw new Error(`queue image differs from ${file} at pixel ${i}`);
    const problemsBefore = Number(/labels\.csv\s*digits\s*(\d+)/.exec((await page.locator('.markers-panel').textContent()) ?? '')?.[1]);
    await h.shot('05-review-queue');
    await queue().locator('#app').click({ position: { x: 600, y: 10 } });
    // Relabel each to the digit the image shows: the model's prediction, read off the panel.
    const typed = [];
    for (let k = 0; k < 3; k++) {
      const digit = /Predicted: (\d)/.exec((await queue().locator('.facts').textContent()) ?? '')[1];
      typed.push(Number(digit));
      await page.keyboard.press(digit);
      await queue().locator(`text=Suspect ${k + 2} of`).waitFor({ state: 'visible', timeout: 15_000 });
    }
    const entries = readEntries(annotations).filter((e) => e.note === 'review queue');
    const labels = entries.map((e) => e.newLabel);
    if (JSON.stringify(labels) !== JSON.stringify(typed) || entries.some((e) => e.action !== 'relabel' || !e.path)) throw new Error(`annotations.jsonl has ${JSON.stringify(entries)}, typed ${typed}`);
    await page.keyboard.press('ArrowLeft');
    await queue().locator(`text=Decision: relabelled to ${typed[2]}`).waitFor({ state: 'visible', timeout: 10_000 });
    // The decision taken is the pressed button.
    await queue().locator('button.chosen[aria-pressed="true"]', { hasText: 'Relabel to' }).waitFor({ state: 'visible', timeout: 5_000 });
    // Every view follows: the rows decided in the queue lose their diagnostics in the open manifest (one of them may
    // be the row the quick fix already relabelled).
    const count = async () => Number(/labels\.csv\s*digits\s*(\d+)/.exec((await page.locator('.markers-panel').textContent()) ?? '')?.[1]);
    const fixedPath = `img/${t.line - 2}.png`;
    const drop = entries.filter((e) => e.path !== fixedPath).length;
    await h.waitFor(`the manifest diagnostics to drop by ${drop}`, async () => (await count()) === problemsBefore - drop, 15_000, 200);
    h.log(`Problems: ${problemsBefore} before the queue, ${await count()} after`);
    await h.shot('06-queue-after-three-relabels');
  });

  await h.step('a writer process killed mid-write loses no acknowledged annotation; the queue keeps writing', async () => {
    await page.keyboard.press('ArrowRight');
    const killed = spawn(process.execPath, [cli, 'annotate', '--annotations', annotations, '--dataset', 'mnist', '--index', '0', '--action', 'flag', '--count', '60000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    killed.stdout.on('data', (d) => (out += d));
    const closed = new Promise((r) => killed.on('close', (code, signal) => r(signal)));
    // Keep annotating in the queue while the other process writes, then kill it mid-write.
    await h.waitFor('the other writer to get going', () => out.split('\n').length > 20, 30_000, 50);
    await page.keyboard.press('x');
    await page.keyboard.press(' ');
    killed.kill('SIGKILL');
    const signal = await closed;
    if (signal !== 'SIGKILL') throw new Error(`writer ended with ${signal}`);
    await page.keyboard.press('x');
    await h.waitFor('the queue decisions after the kill', () => readEntries(annotations).filter((e) => e.note === 'review queue').length === 6, 20_000, 200);
    const entries = readEntries(annotations);
    const ids = new Set(entries.map((e) => e.id));
    const acked = out.split('\n').filter((l) => l.trim());
    const lost = acked.filter((id) => !ids.has(id));
    h.timings.killedWriterAcknowledged = acked.length;
    h.timings.lost = lost.length;
    if (lost.length) throw new Error(`${lost.length} acknowledged annotations lost, e.g. ${lost[0]}`);
    const fromQueue = entries.filter((e) => e.note === 'review queue').map((e) => e.action);
    if (JSON.stringify(fromQueue) !== JSON.stringify(['relabel', 'relabel', 'relabel', 'exclude', 'ok', 'exclude'])) throw new Error(`queue entries: ${fromQueue}`);
    h.log(`killed writer acknowledged ${acked.length} entries, all present; file has ${entries.length} entries`);
    await h.shot('07-queue-after-kill');
  });

  await h.step('re-scoring with the annotations applied reports how many suspects remain', async () => {
    await h.clearToasts();
    await h.runCommand('Data Diet: Re-score with Annotations');
    const toast = await h.toast('suspects remain after the fixes', 300_000);
    const text = await h.toastText(toast);
    const [, after, before] = /(\d+) suspects remain after the fixes \(were (\d+)\)/.exec(text) ?? [];
    h.timings.suspectsBefore = Number(before);
    h.timings.suspectsAfter = Number(after);
    h.log(text);
    await h.shot('08-rescored');
    if (!(Number(after) >= 0 && Number(before) === h.timings.flagged)) throw new Error(text);
    // The new run trained with the annotations applied.
    const runs = fs.readdirSync(path.join(ws, '.datadiet', 'runs')).sort();
    const m = JSON.parse(fs.readFileSync(path.join(ws, '.datadiet', 'runs', runs[runs.length - 1], 'manifest.json'), 'utf8'));
    if (runs.length !== 2 || m.status !== 'done' || m.config.annotations !== annotations) throw new Error(`re-score run: ${JSON.stringify({ runs, status: m.status, annotations: m.config.annotations })}`);
  });

  await h.step('the review queue opens 60,000 scored examples in seconds, never blocking the extension host, and reopens at the first undecided suspect', async () => {
    const r = spawnSync(process.execPath, [cli, 'score', '--dataset', 'mnist', '--model', 'linear', '--epochs', '1', '--epoch', '1', '--runs', '1', '--score', 'el2n', '--validation', '0', '--backend', 'wasm', '--root', ws], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`score failed: ${r.stderr.slice(-800)}`);
    await h.runCommand('View: Close All Editors');
    const loopFile = path.join(h.outDir, 'event-loop.jsonl');
    const linesBefore = fs.existsSync(loopFile) ? fs.readFileSync(loopFile, 'utf8').split('\n').filter(Boolean).length : 0;
    const open = async () => {
      await h.runCommand('Data Diet: Open Review Queue');
      await h.pick('Run with Predictions', 'mnist', 'score');
      return Date.now();
    };
    const t0 = await open();
    await queue().locator('text=Suspect 1 of').waitFor({ state: 'visible', timeout: 60_000 });
    await queue().locator('.neighbours img').first().waitFor({ state: 'visible', timeout: 10_000 });
    h.timings.reviewQueueOpen60kSeconds = (Date.now() - t0) / 1000;
    const total = Number(/Suspect 1 of (\d+)/.exec((await queue().locator('.header').textContent()) ?? '')?.[1]);
    h.log(`review queue on 60,000 examples: ${total} suspects, first shown after ${h.timings.reviewQueueOpen60kSeconds} s`);
    await h.shot('09-queue-60k');
    await queue().locator('#app').click({ position: { x: 600, y: 10 } });
    await page.keyboard.press(' ');
    await queue().locator('text=Suspect 2 of').waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press(' ');
    await queue().locator('text=Suspect 3 of').waitFor({ state: 'visible', timeout: 15_000 });
    await h.runCommand('View: Close All Editors');
    const t1 = await open();
    await queue().locator('text=Suspect 3 of').waitFor({ state: 'visible', timeout: 60_000 });
    h.timings.reviewQueueReopen60kSeconds = (Date.now() - t1) / 1000;
    await h.shot('10-queue-60k-reopened');
    await page.waitForTimeout(1500); // the probe writes once a second
    const lines = fs.readFileSync(loopFile, 'utf8').split('\n').filter(Boolean).slice(linesBefore).map((l) => JSON.parse(l));
    const blocked = Math.max(0, Math.round(Math.max(...lines.map((l) => l.maxMs)) - 10));
    h.timings.reviewQueueHostBlockedMs = blocked;
    h.log(`extension host blocked at most ${blocked} ms while the queue opened, moved and reopened`);
    // Before the worker this blocked the host for about 22 s; allow for a loaded machine, report the value.
    if (blocked > 500) throw new Error(`the extension host was blocked for ${blocked} ms`);
    if (h.timings.reviewQueueOpen60kSeconds > 10) throw new Error(`the first suspect took ${h.timings.reviewQueueOpen60kSeconds} s`);
  });
}
