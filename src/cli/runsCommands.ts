import { exitCode } from './exitCode';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { JobProgress } from '../contract/jobProgress';
import type { RunManifest } from '../contract/runManifest';
import { deleteRun, resumePlan, runDirOf } from '../core/store/runActions';
import { readRun } from '../core/store/runStore';
import { cancelRun, runUnits, settleVanishedSlurmRun, waitForRun } from '../core/jobs/runControl';
import { resumeRun, runJob } from '../core/jobs/runner';
import { hasPlan } from '../core/jobs/unitStore';
import type { JobName } from '../contract/jobNames';
import { printable } from './printable';
import { makeProgressPrinter } from './progress';
import { addExecutionOptions, executionFromFlags, executionOptionsGiven } from './specOptions';
import { unitCountsText } from './unitsText';
import { runFiles, runSummaryLines } from './runSummary';

const rootOf = (cmd: Command) => path.resolve((cmd.optsWithGlobals() as { root: string }).root);
const statusLine = (m: RunManifest) => printable(`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}`);

function progressContext(root: string) {
  const abort = new AbortController();
  process.on('SIGINT', () => abort.abort());
  process.on('SIGTERM', () => abort.abort());
  const printer = makeProgressPrinter(process.stderr, Boolean(process.stderr.isTTY));
  return { root, signal: abort.signal, onProgress: (p: JobProgress) => printer({ ...p, message: printable(p.message) }) };
}

/** `datadiet runs resume|show|cancel|delete <id>`. */
export function addRunActions(runs: Command): void {
  addExecutionOptions(
    runs
      .command('resume <id>')
      .description('continue a failed or cancelled run: only its missing work units run, then the merge (runs made before work units rerun from their checkpoint or the start)')
      .option('--retry-failed', 'also rerun the units that failed (after fixing what made them fail)'),
  ).action(async (id: string, flags: { retryFailed?: boolean; executor?: string; wait?: boolean }, cmd: Command) => {
    const root = rootOf(cmd);
    const dir = runDirOf(root, id);
    const ctx = progressContext(root);
    if (hasPlan(dir)) {
      // Any execution option given (--parallel alone too) replaces how the run was executed; none keeps it.
      const execution = executionOptionsGiven(flags) ? executionFromFlags(flags) : undefined;
      const { manifest, ran, skippedFailed } = await resumeRun(dir, ctx, { retryFailed: flags.retryFailed, execution });
      process.stderr.write(`resumed ${id}: ${ran} unit${ran === 1 ? '' : 's'} to run${skippedFailed.length ? `; ${skippedFailed.length} failed unit(s) left as they are (--retry-failed reruns them)` : ''}\n`);
      const m = manifest.status === 'running' && flags.wait ? await waitForRun(dir, { signal: ctx.signal }) : manifest;
      process.stdout.write(statusLine(m) + '\n');
      process.exitCode = exitCode(m);
      return;
    }
    const plan = resumePlan(root, id);
    process.stderr.write(`${printable(plan.how)}\n`);
    const m = await runJob(plan.job as JobName, plan.params, ctx);
    process.stdout.write(`${statusLine(m)}; resumed from ${id}\n`);
    process.exitCode = exitCode(m);
  });
  runs
    .command('show <id>')
    .description("a run's summary (kind, dataset, model, params, headline results, files) and its work units: done, running or queued (Slurm), pending, failed with error and log")
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { json?: boolean }, cmd: Command) => {
      const dir = runDirOf(rootOf(cmd), id);
      const summary = readRun(dir);
      if (!summary.manifest) throw new Error(summary.problem ?? `${dir}: unreadable`);
      let m = summary.manifest;
      const units = await runUnits(dir, m);
      if (units) m = settleVanishedSlurmRun(dir, m, units);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ manifest: m, units: units && { counts: units.counts, rows: units.rows } }, null, 2) + '\n');
        return;
      }
      process.stdout.write(statusLine(m) + '\n');
      for (const line of runSummaryLines(m, runFiles(dir))) process.stdout.write(printable(line) + '\n');
      const slurm = m.execution?.slurm;
      if (slurm) process.stdout.write(`  Slurm           array job ${slurm.arrayJobId}, merge job ${slurm.mergeJobId}; script ${printable(slurm.script)}\n`);
      if (!units) {
        process.stdout.write('  (made before work units: one process ran it whole)\n');
        return;
      }
      process.stdout.write(`  ${unitCountsText(units)}\n`);
      for (const r of units.rows) {
        const why = r.failure ? `  ${r.failure.error}${r.failure.log ? ` (log: ${r.failure.log})` : ''}` : '';
        process.stdout.write(printable(`  ${String(r.unit.index).padStart(4)}  ${r.state.padEnd(8)} ${r.unit.label}${why}`) + '\n');
      }
    });
  runs
    .command('cancel <id>')
    .description('cancel a running run: scancel on Slurm, or stop the local process after its current batch; finished units are kept')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const m = await cancelRun(runDirOf(rootOf(cmd), id));
      process.stdout.write(m.status === 'running' ? `asked process ${m.pid} to stop run ${m.id} after its current batch\n` : statusLine(m) + '\n');
    });
  runs
    .command('delete <id>')
    .description('delete a run folder (not while it is running)')
    .action((id: string, _flags: unknown, cmd: Command) => {
      process.stdout.write(`deleted ${printable(deleteRun(rootOf(cmd), id))}\n`);
    });
}
