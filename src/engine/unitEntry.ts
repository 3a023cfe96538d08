import { mergeRunProcess, runUnitProcess } from '../core/jobs/runner';

/**
 * `engine.js unit <run> <index> [--threads n] [--log file]` and `engine.js merge <run>`: the installed extension
 * ships the engine without the CLI, so its child processes and Slurm tasks run units through the engine bundle.
 * The same functions as `datadiet unit` and `datadiet merge`.
 */
export async function runEngineCommand(argv: readonly string[]): Promise<number> {
  const [cmd, runDir, index] = argv;
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (cmd === 'merge' && runDir) {
    const m = await mergeRunProcess(runDir);
    process.stderr.write(`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
    return m.status === 'done' ? 0 : 1;
  }
  const i = Number(index);
  if (cmd !== 'unit' || !runDir || !/^\d+$/.test(index ?? '')) {
    process.stderr.write('usage: engine.js unit <run-dir> <index> [--threads n] [--log file] | engine.js merge <run-dir>\n');
    return 2;
  }
  const threads = flag('threads') === undefined ? undefined : Number(flag('threads'));
  const abort = new AbortController();
  process.on('SIGTERM', () => abort.abort());
  process.on('SIGINT', () => abort.abort());
  // A --parallel parent that died (killed, crashed) takes its units with it.
  process.on('disconnect', () => abort.abort());
  const outcome = await runUnitProcess(runDir, i, { threads: threads && threads > 0 ? threads : undefined, signal: abort.signal, log: flag('log') });
  process.stderr.write(`unit ${i}: ${outcome}\n`);
  return outcome === 'failed' ? 1 : outcome === 'cancelled' ? 143 : 0;
}
