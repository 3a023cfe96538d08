import * as path from 'node:path';
import type { Command } from 'commander';
import type { JobProgress } from '../core/experiments/job';
import type { RunManifest } from '../core/store/runManifest';
import { deleteRun, resumePlan } from '../core/store/runActions';
import { runJob } from '../engine/jobs';
import type { JobName } from '../engine/protocol';
import { printable } from './printable';
import { makeProgressPrinter } from './progress';

/** `datadiet runs resume <id>` and `datadiet runs delete <id>`, for runs a killed engine left failed. */
export function addRunActions(runs: Command): void {
  runs
    .command('resume <id>')
    .description('resume a failed or cancelled run (a run without a checkpoint reruns from the start with its recorded configuration)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const root = path.resolve((cmd.optsWithGlobals() as { root: string }).root);
      const plan = resumePlan(root, id);
      process.stderr.write(`${printable(plan.how)}\n`);
      const abort = new AbortController();
      process.on('SIGINT', () => abort.abort());
      const printer = makeProgressPrinter(process.stderr, Boolean(process.stderr.isTTY));
      const onProgress = (p: JobProgress) => printer({ ...p, message: printable(p.message) });
      const m = (await runJob(plan.job as JobName, plan.params, { root, signal: abort.signal, onProgress })) as RunManifest;
      process.stdout.write(`run ${m.id}: ${m.status}${m.error ? ` (${printable(m.error)})` : ''}; resumed from ${id}\n`);
      process.exitCode = m.status === 'done' ? 0 : m.status === 'cancelled' ? 130 : 1;
    });
  runs
    .command('delete <id>')
    .description('delete a run folder (not while it is running)')
    .action((id: string, _flags: unknown, cmd: Command) => {
      const root = path.resolve((cmd.optsWithGlobals() as { root: string }).root);
      process.stdout.write(`deleted ${printable(deleteRun(root, id))}\n`);
    });
}
