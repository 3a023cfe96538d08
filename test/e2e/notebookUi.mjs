// Notebook UI steps shared by the e2e scenarios: write an .ipynb of cells, open it, pick the Data Diet kernel,
// focus a cell, scroll, reach the output webview's frame.
export function notebook(cells) {
  return JSON.stringify(
    {
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, execution_count: null, metadata: {}, outputs: [], source: [source] })),
      metadata: { language_info: { name: 'datadiet' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}

/** The output webview's inner frame (a Playwright Frame, for evaluate) of the visible notebook. */
export async function outputFrame(page) {
  const outer = await page.locator('iframe.webview').last().elementHandle();
  const of = await outer.contentFrame();
  const innerEl = await of.locator('iframe#active-frame').elementHandle({ timeout: 30_000 });
  return innerEl.contentFrame();
}

export async function openFile(h, file) {
  const page = h.page;
  await page.keyboard.press('Control+P');
  await page.keyboard.type(file, { delay: 10 });
  await h.quickRows().filter({ hasText: file }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.notebook-editor').last().waitFor({ state: 'visible', timeout: 30_000 });
}

/** Clicks the notebook toolbar's kernel picker and picks Data Diet (it may already be preselected: preferred affinity). */
export async function selectDataDietKernel(h) {
  const picker = h.page.locator('.notebook-editor .notebook-toolbar-container .action-item', { hasText: /Data Diet|Select Kernel/ }).last();
  await picker.waitFor({ state: 'visible', timeout: 30_000 });
  h.log(`kernel picker before: "${(await picker.textContent())?.trim()}"`);
  await picker.click();
  const row = h.quickRows().filter({ hasText: 'Data Diet' }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await h.shot('00-kernel-picker');
  await row.click();
}

/** Focuses cell `n` (0-based) in command mode, which scrolls it into view (outputs render near the viewport). */
export async function focusCell(h, n) {
  // Click a cell editor that is on screen, leave edit mode, go to the first cell (Ctrl+Home), then down.
  const editors = h.page.locator('.notebook-editor .cell-editor-container .view-lines');
  const vh = h.page.viewportSize().height;
  for (let i = 0; i < (await editors.count()); i++) {
    const b = await editors.nth(i).boundingBox();
    if (b && b.y > 100 && b.y + b.height < vh) {
      await editors.nth(i).click();
      break;
    }
  }
  await h.page.keyboard.press('Escape');
  await h.page.keyboard.press('Control+Home');
  for (let i = 0; i < n; i++) await h.page.keyboard.press('ArrowDown');
  await h.page.waitForTimeout(300);
}
