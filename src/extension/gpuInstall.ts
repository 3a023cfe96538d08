// "Data Diet: Install GPU Support": installs an optional compute package with npm into the extension's global
// storage, on request only, with a cancellable progress notification and the npm output in the Data Diet log.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineHost } from './engineHost';
import { computeNodeModules, computePackagesDir, GPU_PACKAGES, installFailureMessage, npmInstallArgs, pinnedVersion, type GpuPackage } from './gpuPackages';

export interface GpuInstallDeps {
  readonly globalStorage: string;
  readonly host: EngineHost;
  readonly output: vscode.OutputChannel;
  readonly log: (line: string) => void;
  /** package.json optionalDependencies: the versions to pin. */
  readonly optionalDependencies: Record<string, string>;
}

export interface GpuInstallResult {
  readonly ok: boolean;
  readonly package?: string;
  readonly version?: string;
  readonly message: string;
}

/** npm on PATH (npm.cmd on Windows), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.cmd`, `${name}.exe`, name] : [name];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

function installedVersion(globalStorage: string, name: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(computeNodeModules(globalStorage), name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** `arg`: a backend id or package name (tests, walkthrough links); otherwise the user picks. */
export async function installGpuSupport(d: GpuInstallDeps, arg?: unknown): Promise<GpuInstallResult | undefined> {
  let pkg = GPU_PACKAGES.find((p) => p.backend === arg || p.name === arg);
  if (!pkg) {
    const picked = await vscode.window.showQuickPick(
      GPU_PACKAGES.map((p) => {
        const v = installedVersion(d.globalStorage, p.name);
        return { label: p.label, description: v ? `installed (${v})` : undefined, detail: p.detail, pkg: p };
      }),
      { title: 'Data Diet: Install GPU Support', placeHolder: 'Which compute package to install into the extension\u2019s storage (npm)?' },
    );
    pkg = picked?.pkg;
  }
  if (!pkg) return undefined;
  const chosen: GpuPackage = pkg;
  const npm = findOnPath('npm');
  const version = pinnedVersion(d.optionalDependencies[chosen.name]);
  const prefix = computePackagesDir(d.globalStorage);
  if (!npm) {
    const message = installFailureMessage(chosen, null, '', undefined);
    d.log(message);
    void vscode.window.showErrorMessage(message);
    return { ok: false, package: chosen.name, message };
  }
  fs.mkdirSync(prefix, { recursive: true });
  const manifest = path.join(prefix, 'package.json');
  // Its own package.json, so npm treats this folder as the project and never walks up to a parent's.
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ name: 'datadiet-compute-packages', private: true }, null, 2) + '\n');
  const args = npmInstallArgs(chosen.name, version, prefix);
  d.log(`installing ${chosen.name}${version ? `@${version}` : ''}: ${npm} ${args.join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Data Diet: installing ${chosen.name}`, cancellable: true },
    (progress, token) =>
      new Promise<{ code: number | null; output: string; cancelled: boolean }>((resolve) => {
        progress.report({ message: `npm install ${chosen.name}${version ? `@${version}` : ''} into the extension\u2019s storage\u2026` });
        let output = '';
        let cancelled = false;
        const child = spawn(npm, args, { cwd: prefix, env: { ...process.env, npm_config_update_notifier: 'false' }, shell: process.platform === 'win32' });
        const onData = (b: Buffer) => {
          const text = b.toString('utf8');
          output += text;
          for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
            d.output.appendLine(`  npm | ${line}`);
            progress.report({ message: line.length > 100 ? `${line.slice(0, 100)}\u2026` : line });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        token.onCancellationRequested(() => {
          cancelled = true;
          child.kill();
        });
        child.on('error', (e) => {
          output += `\n${e.message}`;
          resolve({ code: null, output, cancelled });
        });
        child.on('close', (code) => resolve({ code, output, cancelled }));
      }),
  );
  if (result.cancelled) {
    const message = `Data Diet: installing ${chosen.name} was cancelled; nothing changed for training.`;
    d.log(message);
    void vscode.window.showInformationMessage(message);
    return { ok: false, package: chosen.name, message };
  }
  const got = installedVersion(d.globalStorage, chosen.name);
  if (result.code !== 0 || !got) {
    const message = installFailureMessage(chosen, result.code, result.output, npm);
    d.log(message);
    void vscode.window.showErrorMessage(message, 'Show Logs').then((p) => p && d.output.show(true));
    return { ok: false, package: chosen.name, message };
  }
  // A fresh engine process tries it with the next job (an idle one is stopped now; a busy one keeps its backend).
  if (!d.host.activeJobs.length) d.host.kill();
  const message = `Data Diet: ${chosen.name} ${got} installed in ${computeNodeModules(d.globalStorage)}. The next job tries it (backend "auto" or "${chosen.backend}"); the status bar says which device runs and why.`;
  d.log(message);
  void vscode.window.showInformationMessage(message, 'Choose Compute Backend').then((p) => p && vscode.commands.executeCommand('datadiet.chooseBackend'));
  return { ok: true, package: chosen.name, version: got, message };
}
