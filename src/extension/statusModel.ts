// Status-bar text and progress-notification increments. Pure.
import type { JobProgress } from '../core/experiments/job';
import type { BackendRecord } from '../core/store/runManifest';
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
 * Idle: "$(chip) wasm" (the backend in use or, before any run, the setting). Running: "$(sync~spin) wasm · 43% ·
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
  return { text: `$(chip) ${name}`, tooltip: `Data Diet\n${why}\n\nClick to choose the compute backend.`, command: 'datadiet.chooseBackend' };
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
