// Runs wizard steps (wizard.ts) as one multi-step quick pick with a Back button.
import * as vscode from 'vscode';
import type { PickItem, WizardState, WizardStep, WizardUi } from './wizard';

type Item = vscode.QuickPickItem & { readonly value?: unknown };

export const vscodeWizardUi: WizardUi = {
  async browse(kind) {
    const uris = await vscode.window.showOpenDialog({
      canSelectFolders: kind === 'folder',
      canSelectFiles: kind === 'file',
      canSelectMany: false,
      openLabel: kind === 'folder' ? 'Use this dataset folder' : 'Use this manifest',
      filters: kind === 'file' ? { 'Dataset manifests': ['csv', 'jsonl', 'ndjson'] } : undefined,
    });
    return uris?.[0]?.fsPath;
  },
  async askNumber(prompt, validate) {
    const text = await vscode.window.showInputBox({ prompt, validateInput: validate, ignoreFocusOut: true });
    return text === undefined ? undefined : Number(text.trim());
  },
  async askText(prompt, validate) {
    return vscode.window.showInputBox({ prompt, validateInput: validate, ignoreFocusOut: true });
  },
};

const BACK = Symbol('back');

function toItems<V>(items: readonly PickItem<V>[]): Item[] {
  return items.map((i) =>
    i.separator ? { label: i.label, kind: vscode.QuickPickItemKind.Separator } : { label: i.label, description: i.description, detail: i.detail, value: i.value, picked: i.picked },
  );
}

function pick<S>(step: WizardStep<unknown, S>, state: S, title: string, index: number, total: number, canGoBack: boolean): Promise<readonly unknown[] | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Item>();
    const items = toItems(step.items(state));
    qp.title = `${title}: ${step.title}`;
    qp.step = index;
    qp.totalSteps = total;
    qp.placeholder = step.placeholder;
    qp.canSelectMany = !!step.canPickMany;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.ignoreFocusOut = true;
    qp.items = items;
    const preset = items.filter((i) => i.picked);
    if (step.canPickMany) qp.selectedItems = preset;
    else if (preset.length) qp.activeItems = [preset[0]];
    qp.buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    const finish = (v: readonly unknown[] | typeof BACK | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    qp.onDidAccept(() => {
      const chosen = step.canPickMany ? qp.selectedItems : qp.activeItems.slice(0, 1);
      if (chosen.length === 0) return;
      finish(chosen.map((c) => c.value));
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** Walks the steps from `initial`; undefined when the user cancels (Escape). */
export async function runWizard<S = WizardState>(steps: readonly WizardStep<unknown, S>[], initial: S, title: string, ui: WizardUi = vscodeWizardUi): Promise<S | undefined> {
  let state = initial;
  const history: { index: number; state: S }[] = [];
  let i = 0;
  while (i < steps.length) {
    const step = steps[i];
    if (step.skip?.(state)) {
      i++;
      continue;
    }
    const shown = steps.filter((s) => !s.skip?.(state));
    const picked = await pick(step, state, title, shown.indexOf(step) + 1, shown.length, history.length > 0);
    if (picked === BACK) {
      const prev = history.pop()!;
      i = prev.index;
      state = prev.state;
      continue;
    }
    if (picked === undefined) return undefined;
    const next = await step.apply(state, picked, ui);
    if (!next) continue;
    history.push({ index: i, state });
    state = next;
    i++;
  }
  return state;
}
