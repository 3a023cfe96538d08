// Data Diet in VS Code: thin glue between the vscode API and the engine process. Activation is cheap (no tfjs in
// this process); the engine starts with the first job.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { Commands } from './commands';
import { EngineHost } from './engineHost';
import { RunsView } from './runsView';
import { readSettings, resolveRunsRoot, type Settings } from './settings';
import { StatusBar } from './statusBar';
import { isTrusted } from './trust';

/** What activate() returns: for integration tests and other extensions. */
export interface DataDietApi {
  readonly engineHost: EngineHost;
  runsRoot(): string;
  settings(): Settings;
}

let host: EngineHost | undefined;

export function activate(context: vscode.ExtensionContext): DataDietApi {
  const output = vscode.window.createOutputChannel('Data Diet');
  context.subscriptions.push(output);
  const log = (line: string) => output.appendLine(`${new Date().toISOString().slice(11, 23)} ${line}`);

  const settings = () => readSettings((key) => vscode.workspace.getConfiguration('datadiet').get(key));
  const runsRoot = () =>
    resolveRunsRoot(settings().runsRoot, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, context.globalStorageUri.fsPath, os.homedir());

  host = new EngineHost({ enginePath: context.asAbsolutePath('dist/engine.js'), log });
  const engineHost = host;
  const statusBar = new StatusBar(engineHost, () => settings().backend, isTrusted);
  const runsView = new RunsView(engineHost, (runs) => statusBar.setLastBackend(runs.find((r) => r.manifest?.backend)?.manifest?.backend));
  context.subscriptions.push(statusBar, runsView);
  runsView.setRoot(runsRoot());

  const commands = new Commands({ host: engineHost, runsView, output, settings, runsRoot, log });
  commands.register(context);

  const setContext = () => {
    void vscode.commands.executeCommand('setContext', 'datadiet.jobRunning', engineHost.activeJobs.length > 0);
    void vscode.commands.executeCommand('setContext', 'datadiet.restricted', !isTrusted());
  };
  setContext();
  context.subscriptions.push(
    engineHost.onDidChange(() => {
      statusBar.update();
      setContext();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      statusBar.update();
      setContext();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('datadiet')) return;
      runsView.setRoot(runsRoot());
      statusBar.update();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => runsView.setRoot(runsRoot())),
  );
  log(`Data Diet ${context.extension.packageJSON.version as string} activated (runs root ${runsRoot()}, ${isTrusted() ? 'trusted' : 'Restricted Mode'})`);
  return { engineHost, runsRoot, settings };
}

/** Stops the engine: a running job is recorded as cancelled (the engine writes it before exiting). */
export async function deactivate(): Promise<void> {
  const h = host;
  host = undefined;
  await h?.dispose();
}
