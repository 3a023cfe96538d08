/**
 * `npm run reproduce`: the Data Diet and gradient-importance papers' experiments on MNIST and Fashion-MNIST at full
 * scale, as the product's own jobs (bench/reproduce/studyPlan.ts), then a report generated from the finished runs
 * alone (REPORT.md, figures, per-step tables). Resumable: a finished step is never trained again, an unfinished
 * one continues from its finished units, and a second run on a finished folder only rewrites the report.
 *
 *   npm run reproduce                                   # all of it, here (days on a laptop; resumable)
 *   npm run reproduce -- --parallel 2                   # two units at a time, each a child process
 *   npm run reproduce -- --executor slurm --slurm-time 2:00:00 --slurm-cpus 8   # from a cluster's login node
 *   npm run reproduce -- --report-only                  # rewrite the report from what has finished
 *   npm run reproduce -- --plan                         # the steps, their units and epochs of training
 *   npm run reproduce -- --quick --root /tmp/study      # the whole pipeline on a small subset, in minutes
 */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { addExecutionOptions, executionFromFlags } from '../src/cli/specOptions';
import { cifar10Study, FULL_STUDY, quickDataset, quickStudy, type DatasetStudy, type StudyConfig } from './reproduce/studyConfig';
import { planStudy, type StudyStep } from './reproduce/studyPlan';
import { driveStudy, lockStudy, studyState } from './reproduce/studyDriver';
import { progressTable, stepProgress } from './reproduce/studyProgress';
import { writeStudyReport } from './reproduce/studyReport';
import { costTable } from './reproduce/studyCost';

interface Flags {
  readonly quick?: boolean;
  readonly subset?: number;
  readonly datasets?: string;
  readonly only?: string;
  readonly root: string;
  readonly reportOnly?: boolean;
  readonly status?: boolean;
  readonly plan?: boolean;
}

/** A dataset of the study by name (mnist, fashion-mnist) or any dataset spec, trained like the nearest known one. */
function datasetsOf(names: string | undefined, cfg: StudyConfig, quick: boolean, subset?: number): DatasetStudy[] {
  if (!names) return [...cfg.datasets];
  return names.split(',').map((spec) => {
    const known = cfg.datasets.find((d) => d.name === spec || d.dataset === spec);
    if (known) return known;
    if (spec.startsWith('cifar10:')) return quick ? quickDataset(cifar10Study(spec), subset) : cifar10Study(spec);
    // Another dataset (folder:<dir>, ...) takes the Fashion-MNIST settings under its own name.
    const like = cfg.datasets[cfg.datasets.length - 1];
    const name = spec.replace(/^[a-z0-9-]+:/, '').split(/[\\/]/).filter(Boolean).pop() ?? spec;
    return { ...like, dataset: spec, name: `${spec.split(':')[0]}-${name}`.replace(/[^A-Za-z0-9._-]/g, '_') };
  });
}

function matches(step: StudyStep, only: string | undefined): boolean {
  if (!only) return true;
  return only.split(',').some((o) => step.id === o || step.id.endsWith(`/${o}`) || step.id.startsWith(`${o}/`));
}

async function main(): Promise<void> {
  const program = new Command('reproduce')
    .description('the papers reproduced at full scale: every figure and table regenerated from the runs of one resumable study')
    .option('--quick', 'the same study on a small training subset, fewer runs and repeats (minutes, for trying the pipeline)')
    .addOption(new Option('--subset <n>', 'with --quick: training examples per dataset').argParser((v) => Number(v)))
    .option('--datasets <list>', 'comma-separated: mnist, fashion-mnist, or dataset specs such as cifar10:<dir>')
    .option('--only <steps>', 'comma-separated step ids or names (e.g. mnist/prune-el2n, scores-early, mnist); steps they need run too when missing')
    .option('--root <dir>', 'study folder: runs under <dir>/.datadiet/runs, the report in <dir>', 'bench/reproduce-results')
    .option('--report-only', 'train nothing: rewrite the report from the finished runs')
    .option('--status', 'train nothing: print where every step stands')
    .option('--plan', 'train nothing: print every step with its work units and epochs of training');
  addExecutionOptions(program);
  program.parse(process.argv);
  const flags = program.opts<Flags>();
  const base = flags.quick ? quickStudy(FULL_STUDY, flags.subset ?? 3000) : FULL_STUDY;
  const cfg: StudyConfig = { ...base, datasets: datasetsOf(flags.datasets, base, Boolean(flags.quick), flags.subset) };
  const root = path.resolve(flags.root);
  const all = planStudy(cfg);
  const wanted = all.filter((s) => matches(s, flags.only));
  // What the chosen steps need runs first, whatever --only says.
  const need = new Set(wanted.map((s) => s.id));
  for (const s of [...all].reverse()) if (need.has(s.id)) for (const n of s.needs) need.add(n);
  const steps = all.filter((s) => need.has(s.id));
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const report = async () => {
    await writeStudyReport(root, cfg, all, process.argv.slice(2));
  };
  if (flags.plan) {
    process.stdout.write(costTable(steps).join('\n') + '\n');
    return;
  }
  if (flags.status) {
    process.stdout.write(progressTable(studyState(root, all).map(stepProgress)).join('\n') + '\n');
    return;
  }
  if (!flags.reportOnly) {
    const execution = executionFromFlags(flags);
    const unlock = lockStudy(root);
    const abort = new AbortController();
    const stop = () => {
      log('stopping after the current units (finished units are kept; run the same command to continue)');
      abort.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const r = await driveStudy(steps, { root, execution, signal: abort.signal, log, onStepDone: report });
      log(`${r.done} of ${steps.length} steps done${r.failed.length ? `; failed: ${r.failed.join(', ')}` : ''}${r.waiting.length ? `; not done: ${r.waiting.length}` : ''}`);
    } finally {
      unlock();
    }
  }
  await report();
  log(`report: ${path.join(root, 'REPORT.md')}`);
}

main().catch((e) => {
  process.stderr.write(`reproduce: ${(e as Error).message ?? e}\n`);
  process.exit(1);
});
