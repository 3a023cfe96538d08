// Workspace trust on and the folder untrusted (Restricted Mode): the runs view says why, New Experiment explains
// that it does not train here, and nothing is written to the workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const name = 'restricted';
export const description = 'Restricted Mode: no engine, no training, commands explain why';

export async function run(h) {
  const ws = h.workspace('untrusted-workspace');
  await h.step('workbench loads untrusted', () => h.openWorkbench({ name: 'restricted', folder: ws, trust: false }));
  await h.step('New Experiment explains why and starts nothing', async () => {
    await h.openDataDiet();
    await h.page.locator('.welcome-view-content', { hasText: 'Restricted Mode' }).waitFor({ state: 'visible', timeout: 30_000 });
    await h.runCommand('Data Diet: New Experiment');
    await h.toast('does not train models in Restricted Mode', 15_000);
    await h.statusItem('Data Diet').waitFor({ state: 'visible', timeout: 10_000 });
    await h.shot('01-restricted-mode');
    await h.page.waitForTimeout(1000);
    if (fs.existsSync(path.join(ws, '.datadiet'))) throw new Error('a run folder was created in Restricted Mode');
  });
}
