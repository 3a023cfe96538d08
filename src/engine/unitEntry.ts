import type { RunManifest } from '../contract/runManifest';
import { mergeRunProcess, runUnitProcess } from '../core/jobs/runner';

/**
 * Runs unit `index` of a run in this process, as a Slurm array task or a --parallel child does, and returns the
 * exit code (1 failed, 143 cancelled). `datadiet unit` and `engine.js unit` both come here.
 */
export async function unitCommand(runDir: string, index: number, opts: { threads?: number; log?: string }): Promise<number> {
  const abort = new AbortController();
  // scancel and a cancelled --parallel run send SIGTERM: stop after this batch, publish nothing.
  process.on('SIGTERM', () => abort.abort());
  process.on('SIGINT', () => abort.abort());
  // A --parallel parent that died (killed, crashed) takes its units with it.
  process.on('disconnect', () => abort.abort());
  const outcome = await runUnitProcess(runDir, index, { ...opts, signal: abort.signal });
  process.stderr.write(`unit ${index}: ${outcome}\n`);
  return outcome === 'failed' ? 1 : outcome === 'cancelled' ? 143 : 0;
}

/** Merges a run's finished units and finishes its manifest (the dependent Slurm job): exit code 0 when done. */
export async function mergeCommand(runDir: string): Promise<{ readonly code: number; readonly manifest: RunManifest }> {
  const manifest = await mergeRunProcess(runDir);
  return { code: manifest.status === 'done' ? 0 : 1, manifest };
}

/**
 * `engine.js unit <run> <index> [--threads n] [--log file]` and `engine.js merge <run>`: the installed extension
 * ships the engine without the CLI, so its child processes and Slurm tasks run units through the engine bundle.
 */
export async function runEngineCommand(argv: readonly string[]): Promise<number> {
  const [cmd, runDir, index] = argv;
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (cmd === 'merge' && runDir) {
    const { code, manifest: m } = await mergeCommand(runDir);
    process.stderr.write(`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
    return code;
  }
  if (cmd !== 'unit' || !runDir || !/^\d+$/.test(index ?? '')) {
    process.stderr.write('usage: engine.js unit <run-dir> <index> [--threads n] [--log file] | engine.js merge <run-dir>\n');
    return 2;
  }
  const threads = Number(flag('threads'));
  return unitCommand(runDir, Number(index), { threads: threads > 0 ? threads : undefined, log: flag('log') });
}
