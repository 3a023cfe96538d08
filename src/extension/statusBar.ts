// The status-bar item: backend in use (and why, in the tooltip), and progress with ETA while a job runs.
import * as vscode from 'vscode';
import type { BackendRecord } from '../contract/runManifest';
import type { EngineHost } from './engineHost';
import { statusBarView } from './statusModel';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('datadiet.status', vscode.StatusBarAlignment.Left, 50);
  private lastBackend: BackendRecord | undefined;

  constructor(
    private readonly host: EngineHost,
    private readonly backendSetting: () => string,
    private readonly trusted: () => boolean,
  ) {
    this.item.name = 'Data Diet';
    this.update();
    this.item.show();
  }

  /** The backend of the newest run (the runs view reads the manifests and tells us). */
  setLastBackend(b: BackendRecord | undefined): void {
    if (b && (b.name !== this.lastBackend?.name || b.reason !== this.lastBackend?.reason)) {
      this.lastBackend = b;
      this.update();
    }
  }

  update(): void {
    const jobs = this.host.activeJobs;
    const view = statusBarView({
      backendSetting: this.backendSetting(),
      backend: this.lastBackend,
      active: jobs[0] ? { title: jobs[0].title, progress: jobs[0].progress } : undefined,
      queued: Math.max(0, jobs.length - 1),
      restricted: !this.trusted(),
    });
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
  }

  dispose(): void {
    this.item.dispose();
  }
}
