/**
 * A cross-process lock: `<file>.lock` created exclusively (O_CREAT|O_EXCL), holding the owner's pid, host and
 * time. A lock whose owner process is gone (same host) or that is older than `staleMs` is stale — its owner was
 * killed mid-write — and is broken, so a crash never wedges annotating. Writes under it take milliseconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LockOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs?: number;
  /** A lock older than this (ms) is stale whatever its owner. */
  readonly staleMs?: number;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lock is stale, or undefined when its owner may still be writing. */
export function staleReason(lockPath: string, staleMs: number, now = Date.now()): string | undefined {
  let st: fs.Stats;
  let text = '';
  try {
    st = fs.statSync(lockPath);
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined; // gone already: just retry
  }
  if (now - st.mtimeMs > staleMs) return `older than ${staleMs} ms`;
  try {
    const o = JSON.parse(text) as { pid?: number; host?: string };
    if (o.host === os.hostname() && typeof o.pid === 'number' && o.pid !== process.pid && !alive(o.pid)) return `its process ${o.pid} is gone`;
  } catch {
    // Written but not yet filled by a live owner (or torn by a crash): the age test decides.
  }
  return undefined;
}

/** Runs fn while holding `<target>.lock`. */
export function withLock<T>(target: string, fn: () => T, opts: LockOptions = {}): T {
  const lockPath = `${target}.lock`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const staleMs = opts.staleMs ?? 10_000;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const start = Date.now();
  let fd: number | undefined;
  for (let wait = 2; fd === undefined; wait = Math.min(50, wait * 2)) {
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (staleReason(lockPath, staleMs)) {
        // Rename first: of two breakers only one wins the rename, the other retries.
        const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
        try {
          fs.renameSync(lockPath, aside);
          fs.rmSync(aside, { force: true });
        } catch {
          /* someone else broke it */
        }
        continue;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`${target}: locked by another writer for over ${timeoutMs} ms (lock file ${lockPath}); if no Data Diet window is writing, delete the lock file`);
      sleepMs(wait);
    }
  }
  try {
    fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), time: new Date().toISOString() }));
    fs.closeSync(fd);
    fd = undefined;
    return fn();
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(lockPath, { force: true });
  }
}
