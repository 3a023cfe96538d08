import * as path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { mergeCommand, unitCommand } from '../engine/unitEntry';
import { printable } from './printable';

const index = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`a unit index is a non-negative integer (its position in plan.json), got "${v}"`);
  return n;
};

/**
 * `datadiet unit <run-dir> <index>` and `datadiet merge <run-dir>`: what a Slurm array task, a local child process,
 * and the dependent merge job run. The same code as an in-process run; only where it runs differs.
 */
export function registerUnitCommands(program: Command): void {
  program
    .command('unit <run-dir> <index>')
    .description('run one work unit of a planned run (what a Slurm array task or a --parallel child runs); a unit already done exits at once')
    .option('--threads <n>', 'compute threads for this unit (Slurm: $SLURM_CPUS_PER_TASK)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--threads must be a positive integer, got "${v}"`);
      return n;
    })
    .option('--log <file>', 'the log file this unit writes to (recorded with a failure)')
    .action(async (runDir: string, i: string, flags: { threads?: number; log?: string }) => {
      process.exitCode = await unitCommand(path.resolve(runDir), index(i), flags);
    });
  program
    .command('merge <run-dir>')
    .description('merge the finished units of a run into its tables and finish its manifest (the dependent Slurm job runs this)')
    .action(async (runDir: string) => {
      const { code, manifest: m } = await mergeCommand(path.resolve(runDir));
      process.stdout.write(printable(`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}`) + '\n');
      process.exitCode = code;
    });
}
