// Workspace trust: in Restricted Mode nothing starts the engine; commands that would say why and offer the trust editor.
import * as vscode from 'vscode';
import { restrictedMessage } from './messages';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** True when the workspace is trusted; otherwise shows why `action` is off (without waiting) and returns false. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(restrictedMessage(action), 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
