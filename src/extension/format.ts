// Small formatting helpers shared by the tree, the status bar and notifications. Pure.
export { plural } from '../core/plural';

/** 0:07, 1:05, 1:02:03 — for ETAs. */
export function formatEta(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 12.3 s, 4 min 05 s, 1 h 02 min — for durations. */
export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function formatPercent(fraction: unknown, digits = 1): string | undefined {
  return typeof fraction === 'number' && Number.isFinite(fraction) ? `${(100 * fraction).toFixed(digits)}%` : undefined;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function relativeTime(iso: string | undefined, now: Date): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  const s = (now.getTime() - t) / 1000;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} day${Math.round(s / 86400) === 1 ? '' : 's'} ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** An ISO time as the user's local date and time to the minute ("2026-11-22 12:55"), not as UTC text. */
export function formatTimestamp(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = new Date(iso);
  if (!Number.isFinite(t.getTime())) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${two(t.getHours())}:${two(t.getMinutes())}`;
}

export function formatCount(n: unknown): string | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : undefined;
}

/** First line of an error, cut to a length a tree row or a status bar can show. */
export function shortError(message: string | undefined, max = 80): string | undefined {
  if (!message) return undefined;
  const line = message.split('\n')[0].trim();
  return line.length > max ? line.slice(0, max - 1).trimEnd() + '\u2026' : line;
}
