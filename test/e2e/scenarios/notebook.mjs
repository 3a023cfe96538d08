// Issue 6 in a real VS Code: a Data Diet notebook (.ipynb, VS Code's built-in Jupyter support, no Jupyter
// extension) on a real score run of bundled MNIST made by the CLI; the Data Diet kernel is selected and runs the
// cells; the charts' SVG marks and the gallery's images are found inside the output iframes; a gallery action
// reaches annotations.jsonl; cell diagnostics and completions work; the Python-made fixture notebook renders; a
// 10,000-image gallery notebook opens and scrolls while frame times and long tasks are measured.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

import { focusCell, notebook, openFile, outputFrame, selectDataDietKernel } from '../notebookUi.mjs';

export const name = 'notebook';
export const description = 'Data Diet kernel runs cells on MNIST; charts and galleries render in the output iframes; python outputs and a 10k gallery';

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

export async function run(h) {
  const ws = h.workspace('ws', { 'datadiet.backend': 'wasm', 'notebook.output.scrolling': false });
  const cli = path.join(h.root, 'dist', 'cli.js');
  let runId;

  await h.step('score MNIST with the CLI (linear, 1,000 examples, 10% label noise)', () => {
    const t0 = Date.now();
    const args = [cli, 'score', '--dataset', 'mnist', '--model', 'linear', '--subset', '1000', '--runs', '2', '--score', 'el2n,grand', '--epoch', '1', '--label-noise', '0.1', '--backend', 'wasm', '--root', ws];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`score failed: ${r.stderr.slice(-800)}`);
    runId = fs.readdirSync(path.join(ws, '.datadiet', 'runs'))[0];
    h.timings.scoreSeconds = (Date.now() - t0) / 1000;
    h.log(`score run ${runId} in ${h.timings.scoreSeconds} s`);
  });
  fs.writeFileSync(
    path.join(ws, 'results.ipynb'),
    notebook(['histogram el2n by=noise bins=30', 'gallery el2n highest per-class=4', 'compare el2n grand', 'runs', 'histogram el2n bins=1']),
  );
  fs.writeFileSync(path.join(ws, 'train.ipynb'), notebook(['prune fractions=0.3,0.6 strategy=keep-top,random seeds=2 steps=3000 fresh=true']));
  fs.copyFileSync(path.join(h.root, 'test', 'fixtures', 'notebooks', 'python-outputs.ipynb'), path.join(ws, 'python-outputs.ipynb'));
  // The 10,000-image notebook (5 MB) is generated, not committed.
  const gen = spawnSync(process.execPath, [path.join(h.root, 'scripts', 'notebook-fixtures.mjs'), path.join(ws, 'gallery-10k.ipynb')], { cwd: h.root, encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`scripts/notebook-fixtures.mjs failed: ${(gen.stderr || gen.stdout).slice(-800)}`);

  await h.step('workbench loads', () => h.openWorkbench({ folder: ws }));
  const page = h.page;

  await h.step('open the notebook and select the Data Diet kernel', async () => {
    await openFile(h, 'results.ipynb');
    await selectDataDietKernel(h);
    await page.locator('.notebook-editor .notebook-toolbar-container .action-item', { hasText: 'Data Diet' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.notebook-editor .cell-editor-container .view-lines').first().waitFor({ state: 'visible', timeout: 30_000 });
    await h.shot('01-notebook-kernel');
  });

  await h.step('cell diagnostics underline a bad value', async () => {
    await page.locator('.notebook-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 20_000 });
  });

  await h.step('run all: charts and gallery render in the output iframes', async () => {
    const t0 = Date.now();
    await h.runCommand('Notebook: Run All');
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    await out.locator('svg .mark-rect path, svg .mark-rect rect, svg g.mark-rect').first().waitFor({ state: 'attached', timeout: 90_000 });
    await out.locator('img.dd-thumb').first().waitFor({ state: 'visible', timeout: 60_000 });
    await out.locator('svg .mark-symbol path, svg g.mark-symbol').first().waitFor({ state: 'attached', timeout: 60_000 });
    h.timings.runAllToOutputsSeconds = (Date.now() - t0) / 1000;
    // Outputs live in shadow roots: count with locators (they pierce them), not querySelectorAll.
    const counts = {
      rects: await out.locator('svg .mark-rect path').count(),
      symbols: await out.locator('svg .mark-symbol path').count(),
      thumbs: await out.locator('img.dd-thumb').count(),
      loaded: await out.locator('img.dd-thumb').evaluateAll((imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length),
    };
    h.timings.results = counts;
    h.log(`outputs: ${JSON.stringify(counts)}`);
    if (counts.thumbs < 40 || counts.loaded < 1) throw new Error(`gallery shows ${counts.thumbs} thumbnails (${counts.loaded} loaded); want 4 per class`);
    // The runs table (markdown) and the error of the last cell are outputs too.
    await page.locator('.notebook-editor').last().getByText('Data Diet', { exact: false }).first().waitFor({ timeout: 5_000 }).catch(() => {});
    await h.shot('02-run-all-outputs');
  });

  await h.step('scatter with Spearman, runs table and the invalid cell\'s error further down', async () => {
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    await focusCell(h, 2);
    await h.waitFor('scatter points', async () => (await out.locator('svg .mark-symbol path').count()) > 100, 30_000, 500);
    h.timings.results.scatterPoints = await out.locator('svg .mark-symbol path').count();
    await h.shot('03-scatter');
    await focusCell(h, 4);
    await out.getByText('bins: 1 is out of range').first().waitFor({ state: 'attached', timeout: 30_000 });
    await h.shot('04-runs-and-error');
    await focusCell(h, 1);
  });

  await h.step('gallery action: flag an example, it lands in annotations.jsonl', async () => {
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    const tile = out.locator('.dd-tile').first();
    await tile.scrollIntoViewIfNeeded();
    await tile.click();
    await out.locator('button.dd-action[data-action="flag"]').first().click();
    const annDir = path.join(ws, '.datadiet', 'annotations');
    const file = () => {
      if (!fs.existsSync(annDir)) return undefined;
      for (const d of fs.readdirSync(annDir)) {
        const f = path.join(annDir, d, 'annotations.jsonl');
        if (fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('"flag"')) return f;
      }
      return undefined;
    };
    const f = await h.waitFor('annotations.jsonl with the flag', file, 20_000, 250);
    h.log(`annotation: ${fs.readFileSync(f, 'utf8').trim().split('\n').pop()}`);
    await h.shot('05-gallery-flagged');
  });

  await h.step('completions in a cell offer argument values', async () => {
    // Keyboard focus back from the output webview (the flag click) to the notebook.
    await focusCell(h, 1);
    await h.runCommand('Notebook: Insert Code Cell Below');
    await page.keyboard.type('histogram el2n by=', { delay: 20 });
    await page.keyboard.press('Control+Space');
    const row = page.locator('.suggest-widget .monaco-list-row', { hasText: 'noise' });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    await h.shot('06-completions');
    await page.keyboard.press('Escape');
  });

  await h.step('a training cell streams progress and stops on interrupt', async () => {
    await h.runCommand('View: Close All Editors');
    await page.locator('.monaco-dialog-box button', { hasText: "Don't Save" }).click({ timeout: 3000 }).catch(() => {});
    await openFile(h, 'train.ipynb');
    const before = h.manifests(ws).length;
    await h.runCommand('Notebook: Run All');
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    const t0 = Date.now();
    // Wait for training (not just loading), so the interrupt stops a training midway.
    await out.getByText(/prune: .* pruned, repeat \d+\/\d+ — \d+%/).first().waitFor({ state: 'attached', timeout: 120_000 });
    h.timings.trainCellFirstProgressSeconds = (Date.now() - t0) / 1000;
    await h.shot('07-training-progress');
    await page.locator('.notebook-editor .notebook-toolbar-container .action-item', { hasText: 'Interrupt' }).first().click();
    const cancelled = await h.waitFor('the prune run recorded as cancelled', () => h.manifests(ws).slice(before).find((m) => m.kind === 'prune' && m.status === 'cancelled'), 60_000, 500);
    await out.getByText(/interrupted before a point|partial/).first().waitFor({ state: 'attached', timeout: 30_000 });
    h.log(`interrupted: run ${cancelled.id}: ${cancelled.error}`);
    await h.shot('08-training-interrupted');
  });

  await h.step('python-made outputs render', async () => {
    await h.runCommand('View: Close All Editors');
    await page.locator('.monaco-dialog-box button', { hasText: "Don't Save" }).click({ timeout: 3000 }).catch(() => {});
    await openFile(h, 'python-outputs.ipynb');
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    // Its first cell is long (the Python that made the outputs): go to the histogram, then the gallery.
    await focusCell(h, 1);
    await out.locator('svg .mark-rect path, svg g.mark-rect').first().waitFor({ state: 'attached', timeout: 60_000 });
    await h.shot('09-python-histogram');
    await focusCell(h, 2);
    await out.locator('img.dd-thumb').first().waitFor({ state: 'visible', timeout: 60_000 });
    h.timings.python = { svgs: await out.locator('svg.marks').count(), thumbs: await out.locator('img.dd-thumb').count() };
    h.log(`python outputs: ${JSON.stringify(h.timings.python)}`);
    await h.shot('10-python-gallery');
  });

  await h.step('10,000-image gallery: open, then scroll while measuring frames', async () => {
    await h.runCommand('View: Close All Editors');
    const t0 = Date.now();
    await openFile(h, 'gallery-10k.ipynb');
    const out = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    await out.locator('img.dd-thumb').first().waitFor({ state: 'visible', timeout: 120_000 });
    const openSeconds = (Date.now() - t0) / 1000;
    await h.shot('11-gallery-10k-open');
    const f = await outputFrame(page);
    const install = () => {
      window.__dd = { frames: [], long: [] };
      let last = performance.now();
      const tick = (t) => {
        window.__dd.frames.push(t - last);
        last = t;
        if (!window.__dd.stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      try {
        new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__dd.long.push(e.duration))).observe({ type: 'longtask' });
      } catch {}
    };
    await f.evaluate(install);
    await page.evaluate(install);
    const before = await out.locator('img.dd-thumb').count();
    const box = await page.locator('.notebook-editor').last().boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const t1 = Date.now();
    for (let i = 0; i < 80; i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(25);
    }
    const scrollSeconds = (Date.now() - t1) / 1000;
    await page.waitForTimeout(500);
    const collect = () => {
      window.__dd.stop = true;
      return window.__dd;
    };
    const inner = await f.evaluate(collect);
    const main = await page.evaluate(collect);
    const after = { thumbs: await out.locator('img.dd-thumb').count(), groups: await out.locator('.dd-group').count() };
    const summary = (d) => ({ frames: d.frames.length, p50ms: +pct(d.frames, 0.5).toFixed(1), p95ms: +pct(d.frames, 0.95).toFixed(1), maxMs: +Math.max(...d.frames).toFixed(1), longTasks: d.long.length, longTaskMs: Math.round(d.long.reduce((a, b) => a + b, 0)) });
    // Which documents were measured (the output frame may share the workbench's event loop, same origin).
    const where = { outputFrameUrl: f.url().slice(0, 120), workbenchUrl: page.url().slice(0, 120), sameWindow: await f.evaluate(() => window === window.top) };
    h.timings.gallery10k = { openSeconds, scrollSeconds, thumbsBefore: before, ...after, output: summary(inner), workbench: summary(main), where };
    h.log(`10k gallery: ${JSON.stringify(h.timings.gallery10k)}`);
    await h.shot('12-gallery-10k-scrolled');
  });
}
