// Data Diet in VS Code: thin glue between the vscode API and the engine process. Activation is cheap (no tfjs in
// this process); the engine starts with the first job.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { Commands } from './commands';
import { registerAnnotations } from './annotations';
import { registerNotebooks } from './notebook';
import { EngineHost } from './engineHost';
import { installGpuSupport } from './gpuInstall';
import { engineEnv } from './gpuPackages';
import { RunsView } from './runsView';
import { readSettings, resolveRunsRoot, type Settings } from './settings';
import { StatusBar } from './statusBar';
import { Throttle } from './statusModel';
import { isTrusted } from './trust';
import { startEventLoopProbe } from './eventLoopProbe';

/** What activate() returns: for integration tests and other extensions. */
export interface DataDietApi {
  readonly engineHost: EngineHost;
  readonly runsView: RunsView;
  runsRoot(): string;
  settings(): Settings;
}

let host: EngineHost | undefined;

export function activate(context: vscode.ExtensionContext): DataDietApi {
  const output = vscode.window.createOutputChannel('Data Diet');
  context.subscriptions.push(output);
  const log = (line: string) => output.appendLine(`${new Date().toISOString().slice(11, 23)} ${line}`);

  const settings = () => {
    const s = readSettings((key) => vscode.workspace.getConfiguration('datadiet').get(key));
    // The engine's working folder is not the workspace: a relative backbone folder is the workspace's.
    return s.backbone ? { ...s, backbone: resolveRunsRoot(s.backbone, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, os.homedir(), os.homedir()) } : s;
  };
  const runsRoot = () =>
    resolveRunsRoot(settings().runsRoot, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, context.globalStorageUri.fsPath, os.homedir());

  // The engine also finds compute packages that "Install GPU Support" put in the global storage (NODE_PATH).
  host = new EngineHost({ enginePath: context.asAbsolutePath('dist/engine.js'), log, env: engineEnv(process.env, context.globalStorageUri.fsPath) });
  const engineHost = host;
  const statusBar = new StatusBar(engineHost, () => settings().backend, isTrusted);
  const runsView = new RunsView(engineHost, (runs) => statusBar.setLastBackend(runs.find((r) => r.manifest?.backend)?.manifest?.backend));
  context.subscriptions.push(statusBar, runsView);
  runsView.setRoot(runsRoot());

  context.subscriptions.push(startEventLoopProbe());
  const commands = new Commands({ host: engineHost, runsView, output, settings, runsRoot, log });
  commands.register(context);
  registerAnnotations(context, { runsRoot, log, startJobs: (reqs) => commands.startJobs(reqs) });
  registerNotebooks(context, { host: engineHost, runsRoot, settings, log });
  context.subscriptions.push(
    vscode.commands.registerCommand('datadiet.installGpu', (arg) =>
      installGpuSupport({ globalStorage: context.globalStorageUri.fsPath, host: engineHost, output, log, optionalDependencies: (context.extension.packageJSON.optionalDependencies ?? {}) as Record<string, string> }, arg),
    ),
  );

  // Context keys for menus and welcome content, set only when they change.
  const contextKeys = new Map<string, boolean>();
  const setContext = () => {
    for (const [key, value] of [
      ['datadiet.jobRunning', engineHost.activeJobs.length > 0],
      ['datadiet.restricted', !isTrusted()],
    ] as const) {
      if (contextKeys.get(key) === value) continue;
      contextKeys.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  };
  setContext();
  // Progress can come hundreds of times a second: redraw the status bar at most 4 times a second (and always when
  // a job starts or ends).
  const statusThrottle = new Throttle(250);
  let jobsBefore = 0;
  let trailing: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    engineHost.onDidChange(() => {
      const jobs = engineHost.activeJobs.length;
      if (statusThrottle.pass(jobs !== jobsBefore)) statusBar.update();
      else
        trailing ??= setTimeout(() => {
          trailing = undefined;
          statusBar.update();
        }, 250);
      jobsBefore = jobs;
      setContext();
    }),
    { dispose: () => trailing && clearTimeout(trailing) },
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
  return { engineHost, runsView, runsRoot, settings };
}

/** Stops the engine: a running job is recorded as cancelled (the engine writes it before exiting). */
export async function deactivate(): Promise<void> {
  const h = host;
  host = undefined;
  await h?.dispose();
}
