import type { JobProgress } from '../contract/jobProgress';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** One line: `[#######.......]  45% step 540/1200 loss 0.1234 812 ex/s ETA 01:23`. */
export function progressLine(p: JobProgress, width = 24): string {
  const f = Math.min(1, Math.max(0, p.fraction ?? 0));
  const filled = Math.round(f * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [bar, `${String(Math.floor(f * 100)).padStart(3)}%`];
  if (p.phase === 'score') parts.push(p.message);
  else if (p.step !== undefined && p.totalSteps !== undefined) parts.push(`step ${p.step}/${p.totalSteps}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.examplesPerSecond !== undefined) parts.push(`${Math.round(p.examplesPerSecond)} ex/s`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(' ');
}

/**
 * On a terminal: one bar redrawn in place. Elsewhere (CI logs, pipes): plain lines, at most one per 10% of
 * progress plus every phase change and epoch summary, so logs stay readable.
 */
export function makeProgressPrinter(stream: NodeJS.WriteStream | NodeJS.WritableStream, isTty: boolean): (p: JobProgress) => void {
  let lastPhase = '';
  let lastDecile = -1;
  let barShown = false;
  return (p) => {
    const tick = p.phase === 'train' || p.phase === 'score';
    if (isTty) {
      if (tick) {
        stream.write(`\r${progressLine(p)}\x1b[K`);
        barShown = true;
        return;
      }
      if (barShown) stream.write('\n');
      barShown = false;
      stream.write(`${p.message}\n`);
      return;
    }
    if (tick) {
      const decile = Math.floor((p.fraction ?? 0) * 10);
      if (decile === lastDecile && lastPhase === p.phase) return;
      lastDecile = decile;
      lastPhase = p.phase;
      stream.write(`${progressLine(p)}\n`);
      return;
    }
    lastPhase = p.phase;
    stream.write(`${p.message}\n`);
  };
}
