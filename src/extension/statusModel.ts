// Status-bar text and progress-notification increments. Pure.
import type { JobProgress } from '../contract/jobProgress';
import type { BackendRecord } from '../contract/runManifest';
import { formatEta, formatPercent } from './format';

export interface ActiveJobView {
  readonly title: string;
  readonly progress?: JobProgress;
}

export interface StatusState {
  /** The datadiet.backend setting. */
  readonly backendSetting: string;
  /** The backend the engine last used (from the newest run manifest or the running job). */
  readonly backend?: BackendRecord;
  readonly active?: ActiveJobView;
  readonly queued: number;
  readonly restricted: boolean;
}

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly command: string;
}

/**
 * Idle: "$(chip) wasm" (the backend in use; before any run "Data Diet: auto backend", the setting). Running: "$(sync~spin) wasm · 43% ·
 * 0:12 left". Restricted Mode: a shield. The tooltip says which device and why.
 */
export function statusBarView(s: StatusState): StatusView {
  if (s.restricted) {
    return {
      text: '$(shield) Data Diet',
      tooltip: 'Data Diet: Restricted Mode. Training and scoring are off until you trust this workspace; runs are listed read-only.',
      command: 'workbench.trust.manage',
    };
  }
  const name = s.backend?.name ?? s.backendSetting;
  const why = s.backend
    ? `Compute backend: ${s.backend.device}\n${s.backend.reason}\n(setting datadiet.backend: ${s.backendSetting})`
    : `Compute backend: ${s.backendSetting} (chosen when the first job starts)`;
  if (s.active) {
    const p = s.active.progress;
    const parts = [name];
    const pct = formatPercent(p?.fraction, 0);
    if (pct) parts.push(pct);
    const eta = formatEta(p?.etaSeconds);
    if (eta) parts.push(`${eta} left`);
    if (s.queued > 0) parts.push(`+${s.queued} queued`);
    return {
      text: `$(sync~spin) ${parts.join(' \u00b7 ')}`,
      tooltip: `Data Diet: ${s.active.title}${p?.message ? `\n${p.message}` : ''}\n\n${why}\n\nClick to cancel.`,
      command: 'datadiet.cancelRun',
    };
  }
  const short = backendWhy(s.backend);
  // Before any run there is no device yet, only the setting: say it is Data Diet's and what it is.
  const label = s.backend ? name : `Data Diet: ${s.backendSetting} backend`;
  return { text: `$(chip) ${label}${short ? ` (${short})` : ''}`, tooltip: `Data Diet\n${why}\n\nClick to choose the compute backend.`, command: 'datadiet.chooseBackend' };
}

/**
 * Why this backend, in a few words for the status bar: "GPU", "as set", "no GPU backend installed", "no GPU: no
 * Vulkan loader". From the engine's reason, which lists each better candidate it skipped as "name: why".
 */
export function backendWhy(b: BackendRecord | undefined): string | undefined {
  if (!b) return undefined;
  if (b.name === 'tfjs-node-gpu' || b.name === 'webgpu') return 'GPU';
  if (/^requested/.test(b.reason)) return 'as set';
  const skipped = new Map<string, string>();
  for (const part of b.reason.split(/;\s*/)) {
    const m = /^(tfjs-node-gpu|tfjs-node|webgpu|wasm|cpu):\s*(.*)$/.exec(part.trim());
    if (m) skipped.set(m[1], m[2]);
  }
  const gpu = ['tfjs-node-gpu', 'webgpu'].map((k) => skipped.get(k)).filter((r): r is string => r !== undefined);
  if (!gpu.length) return undefined;
  if (gpu.every((r) => /not installed/.test(r))) return 'no GPU backend installed';
  const why = gpu.find((r) => !/not installed/.test(r))!;
  const short = why.replace(/\s*\(.*$/, '').replace(/, so .*$/, '');
  return `no GPU: ${short.length > 40 ? `${short.slice(0, 40)}\u2026` : short}`;
}

/**
 * Turns a job's progress events into what window.withProgress wants: a message and increments that add up to 100.
 * `index`/`count` place one job among several shown in one notification (K training runs).
 */
export class ProgressTracker {
  private reported = 0;

  update(p: JobProgress, index = 0, count = 1): { message: string; increment?: number } {
    const eta = formatEta(p.etaSeconds);
    const prefix = count > 1 ? `run ${index + 1}/${count}: ` : '';
    const message = `${prefix}${p.message}${eta && p.phase !== 'save' ? ` \u2014 ${eta} left` : ''}`;
    if (p.fraction === undefined || !Number.isFinite(p.fraction)) return { message };
    const total = Math.min(100, (100 * (index + Math.min(1, Math.max(0, p.fraction)))) / count);
    const increment = total - this.reported;
    if (increment <= 0) return { message };
    this.reported = total;
    return { message, increment };
  }

  get percent(): number {
    return this.reported;
  }
}

/**
 * Lets through at most one call per `intervalMs`, plus every call that `force` marks (phase changes, the end): the
 * engine can report hundreds of steps a second, and each report is a message to the window.
 */
export class Throttle {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  pass(force = false): boolean {
    const t = this.now();
    if (!force && t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}
