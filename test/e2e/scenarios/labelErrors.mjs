// Finding label errors as a user does, from real runs made by the CLI: a cross-validated audit of 2,000 MNIST training
// examples with 10% injected noise (every test row audited too) and a duplicates search of a small image folder with
// planted copies across train/ and test/. Then, in VS Code: the audit's row and context menu in the runs view, the
// review queue on its confident-learning suspects, and a notebook with the map of the audit (brushed: the gallery of
// the brushed points appears), the label-quality gallery and the duplicates gallery (leakage flagged). The
// screenshots are for looking at.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { focusCell, notebook, openFile, selectDataDietKernel } from '../notebookUi.mjs';

export const name = 'label-errors';
export const description = 'audit and duplicates from the CLI; runs view, review queue on an audit, map with a brush, label-quality and duplicates galleries';

/** 3 classes x 8 distinct 24x24 gray patterns under photos/{train,test}/<class>/, plus exact copies across the splits. */
function plantFolder(root, dir) {
  const { PNG } = createRequire(path.join(root, 'package.json'))('pngjs');
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const png = (cls) => {
    const p = new PNG({ width: 24, height: 24, colorType: 0 });
    // Each class has its own stripe direction; each image its own phase and noise.
    const phase = rnd() * 6;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 24; x++) {
        const t = cls === 0 ? x : cls === 1 ? y : x + y;
        const v = Math.round(127 + 100 * Math.sin(t / 2 + phase) + 27 * (rnd() - 0.5));
        const o = (y * 24 + x) * 4;
        p.data[o] = p.data[o + 1] = p.data[o + 2] = Math.max(0, Math.min(255, v));
        p.data[o + 3] = 255;
      }
    }
    return PNG.sync.write(p, { colorType: 0 });
  };
  const files = [];
  for (const split of ['train', 'test']) {
    for (let c = 0; c < 3; c++) {
      fs.mkdirSync(path.join(dir, split, `class${c}`), { recursive: true });
      for (let i = 0; i < (split === 'train' ? 8 : 3); i++) {
        const f = path.join(dir, split, `class${c}`, `${i}.png`);
        fs.writeFileSync(f, png(c));
        files.push(f);
      }
    }
  }
  // Leakage: two training images copied into the test split; a copy with another label inside train.
  fs.copyFileSync(path.join(dir, 'train/class0/1.png'), path.join(dir, 'test/class0/copy-of-train-1.png'));
  fs.copyFileSync(path.join(dir, 'train/class2/5.png'), path.join(dir, 'test/class2/copy-of-train-5.png'));
  fs.copyFileSync(path.join(dir, 'train/class1/3.png'), path.join(dir, 'train/class2/mislabelled-copy.png'));
}

export async function run(h) {
  const base = { 'datadiet.backend': 'wasm', 'notebook.output.scrolling': false, 'workbench.colorTheme': 'Default Light Modern' };
  const ws = h.workspace('ws', base);
  const cli = path.join(h.root, 'dist', 'cli.js');
  const ids = {};
  const runCli = (kind, args) => {
    const before = new Set(fs.existsSync(h.runsDir(ws)) ? fs.readdirSync(h.runsDir(ws)) : []);
    const r = spawnSync(process.execPath, [cli, kind, '--root', ws, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr.slice(-800)}`);
    ids[kind] = fs.readdirSync(h.runsDir(ws)).find((d) => !before.has(d));
    return r.stdout;
  };

  await h.step('the CLI audits 2,000 MNIST examples (10% noise) and searches a folder for duplicates', () => {
    const audit = runCli('audit', ['--dataset', 'mnist', '--model', 'linear', '--subset', '2000', '--folds', '3', '--epochs', '3', '--label-noise', '0.1', '--backend', 'wasm']);
    h.log(audit.split('\n').slice(0, 12).join('\n'));
    if (!/out-of-fold/i.test(audit)) throw new Error(`the audit summary does not give the out-of-fold accuracy:\n${audit}`);
    plantFolder(h.root, path.join(ws, 'photos'));
    const dup = runCli('duplicates', ['--dataset', `folder:${path.join(ws, 'photos')}`]);
    h.log(dup.split('\n').slice(0, 12).join('\n'));
    if (!/leak/i.test(dup)) throw new Error(`the duplicates output names no train/test leakage:\n${dup}`);
  });
  const cells = [`map run=${ids.audit} color=suspicion`, `gallery label-quality lowest per-class=3 run=${ids.audit}`, `duplicates run=${ids.duplicates}`];
  fs.writeFileSync(path.join(ws, 'label-errors.ipynb'), notebook(cells));

  await h.step('workbench loads', () => h.openWorkbench({ folder: ws }));
  const page = h.page;
  const out = () => page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');

  await h.step("the runs view: the audit's headline and its context menu", async () => {
    if (!(await h.runsView().first().isVisible())) await h.openDataDiet();
    const row = h.runsView().filter({ hasText: 'audit' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await h.runsView().filter({ hasText: /flagged|issues/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await h.shot('01-runs-view-audit');
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Review Queue/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await h.shot('02-audit-context-menu');
    await page.keyboard.press('Escape');
  });

  await h.step("the review queue walks the audit's confident-learning suspects", async () => {
    await h.runCommand('Data Diet: Open Review Queue');
    if (await h.quickInput().isVisible().catch(() => false)) await page.keyboard.press('Enter');
    const queue = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    await queue.locator('text=/Suspect \\d+ of/').first().waitFor({ state: 'visible', timeout: 60_000 });
    await queue.locator('img.big').waitFor({ state: 'visible', timeout: 20_000 });
    await h.shot('03-review-queue-audit');
    await h.runCommand('View: Close All Editors');
  });

  await h.step('the notebook: map (brushed), label-quality gallery, duplicates gallery', async () => {
    await openFile(h, 'label-errors.ipynb');
    await selectDataDietKernel(h);
    await h.runCommand('Notebook: Run All');
    await focusCell(h, 0);
    const marks = out().locator('svg g.mark-symbol.role-mark').first();
    await marks.waitFor({ state: 'attached', timeout: 120_000 });
    await page.waitForTimeout(800);
    await h.shot('04-map');
    const box = await marks.boundingBox();
    if (!box) throw new Error('the map has no points on screen');
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 8 });
    await page.mouse.up();
    await out().locator('.dd-tile').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(800);
    await h.shot('05-map-brushed-gallery');
    for (const [i, shot] of [[1, '06-label-quality-gallery'], [2, '07-duplicates-gallery']]) {
      await focusCell(h, i);
      await h.waitFor(`the output of "${cells[i]}"`, async () => (await out().locator('img.dd-thumb').count()) > 0, 90_000, 250);
      if (i === 2) await out().locator('text=/Duplicates of photos/').first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(800);
      await h.shot(shot);
    }
  });
}
