/**
 * A cross-process lock: `<file>.lock` created exclusively (O_CREAT|O_EXCL), holding the owner's pid, host and
 * time. A lock whose owner process is gone (same host) or that is older than `staleMs` is stale — its owner was
 * killed mid-write — and is broken, so a crash never wedges annotating. Writes under it take milliseconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';

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

/** A temp file this long untouched is debris whoever wrote it: taking a lock never takes a minute. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;
/** A temp file with no readable owner (torn by a kill while it was written) is debris after this long. */
const TORN_MAX_AGE_MS = 60 * 1000;
/** Scan a folder for debris at most this often per lock (the folder may hold a whole dataset's images). */
const CLEAN_INTERVAL_MS = 30 * 1000;
const lastCleaned = new Map<string, number>();

/**
 * Removes the private files of lock takers that were killed before they finished (`<lock>.<pid>.<random>`, and
 * `<lock>.stale-<pid>-<random>` left between breaking a stale lock and deleting it): those whose process is gone
 * (same host, or no readable owner after a minute), or that are over an hour old. Returns the names removed.
 */
export function cleanStaleLockTemps(lockPath: string, now = Date.now()): string[] {
  const dir = path.dirname(lockPath);
  const base = path.basename(lockPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^\.(?:(\d+)\.|stale-(\d+)-)[a-z0-9]+$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    if (pid === process.pid) continue;
    const file = path.join(dir, name);
    let st: fs.Stats;
    let owner: { pid?: number; host?: string } | undefined;
    try {
      st = fs.statSync(file);
      owner = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; host?: string };
    } catch {
      if (!fs.existsSync(file)) continue;
      st = fs.statSync(file);
    }
    const age = now - st.mtimeMs;
    const sameHost = owner?.host === os.hostname();
    const stale = age > TEMP_MAX_AGE_MS || (!alive(pid) && (sameHost || (owner === undefined && age > TORN_MAX_AGE_MS)));
    if (!stale) continue;
    fs.rmSync(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/** Runs fn while holding `<target>.lock`. */
export function withLock<T>(target: string, fn: () => T, opts: LockOptions = {}): T {
  const lockPath = `${target}.lock`;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 10_000;
  const start = Date.now();
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  if (!(Date.now() - (lastCleaned.get(lockPath) ?? -Infinity) < CLEAN_INTERVAL_MS)) {
    lastCleaned.set(lockPath, Date.now());
    cleanStaleLockTemps(lockPath);
  }
  // The lock appears with its owner already written in it (write a private file, then hard-link it into place:
  // link fails if the lock exists), so a writer killed at any moment never leaves an anonymous lock behind.
  const mine = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(mine, JSON.stringify({ pid: process.pid, host: os.hostname(), time: new Date().toISOString() }));
  try {
    for (let wait = 1; ; wait = Math.min(10, wait * 2)) {
      try {
        const now = new Date();
        fs.utimesSync(mine, now, now); // the lock's age counts from taking it, not from the first try
        fs.linkSync(mine, lockPath);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
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
      if (Date.now() - start > timeoutMs) throw new DataFormatError(target, `locked by another writer for over ${timeoutMs} ms (lock file ${lockPath})`, 'if no Data Diet window is writing, delete the lock file');
      sleepMs(wait);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}
