/**
 * Event-loop delay of the extension host, for load tests: when DATADIET_EVENT_LOOP_FILE is set, one JSON line per
 * second ({time, count, meanMs, p50Ms, p99Ms, maxMs}) is appended to that file, from perf_hooks'
 * monitorEventLoopDelay (10 ms resolution), and the histogram restarts. Off (nothing runs) when the variable is unset.
 * As Node reports them, the values include the 10 ms sampling interval: an idle loop reads about 10 ms, and the
 * loop was blocked for (value - 10) ms.
 */
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function startEventLoopProbe(file = process.env.DATADIET_EVENT_LOOP_FILE, everyMs = 1000): { dispose(): void } {
  if (!file) return { dispose() {} };
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const timer = setInterval(() => {
    const line = { time: new Date().toISOString(), count: h.count, meanMs: ms(h.mean), p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
    try {
      fs.appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      /* a load-test aid: never disturb the extension */
    }
  }, everyMs);
  timer.unref();
  return {
    dispose() {
      clearInterval(timer);
      h.disable();
    },
  };
}
