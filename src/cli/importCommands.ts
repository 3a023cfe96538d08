/**
 * `datadiet import-predictions` and `datadiet import-scores`: a user's own .npy files become a score run (the jobs
 * are core/experiments/importPredictions.ts and importScores.ts). Each prints the run and what to do with it next.
 */
import type { Command } from 'commander';
import { IMPORT_PREDICTIONS_DEFAULTS, IMPORT_SCORES_DEFAULTS } from '../contract/jobDefaults';
import { checkParams } from '../contract/jobOptions';
import type { RunManifest } from '../contract/runManifest';
import { runImportPredictions } from '../core/experiments/importPredictions';
import { runImportScores } from '../core/experiments/importScores';
import type { CliHelpers } from './cliHelpers';
import { exitCode } from './exitCode';
import { printable } from './printable';
import { addJobOptions, paramsFromFlags } from './specOptions';

interface Flags {
  readonly root: string;
  readonly json?: boolean;
}

const count = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : '?');

/** A shell word: quoted when it holds anything a shell would split or expand. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The dataset options that name the same pixels again (a prune over the scores must fingerprint alike). */
function datasetArgs(m: RunManifest): string {
  const c = m.config;
  const size = typeof c.imageSize === 'number' ? ` --image-size ${c.imageSize}${c.resize === 'pad' ? ' --resize pad' : ''}` : '';
  return `--dataset ${shellWord(String(c.dataset))}${size}`;
}

/** What an import-predictions run holds, and the commands that read it. */
export function predictionsReport(m: RunManifest, runDir: string): string[] {
  const r = m.results ?? {};
  const lines = [`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}`];
  if (m.status !== 'done') return lines;
  const sample = r.outOfSample === false ? 'in-sample (--in-sample)' : 'out-of-sample';
  lines.push(`  imported        ${count(r.examples)} predictions (${String(r.rows)}), ${count(r.classes)} classes, ${sample}`);
  const method = r.suspectMethod === 'threshold' ? 'the threshold' : 'confident learning';
  lines.push(`  label issues    ${count(r.labelIssues)} flagged by ${method}`);
  lines.push(`  predictions     ${runDir}/predictions/probabilities.npy (N x classes) and softmax.parquet`);
  if (typeof r.embeddingDim === 'number') lines.push(`  embeddings      ${runDir}/predictions/embeddings.npy (N x ${r.embeddingDim})`);
  lines.push('next:');
  lines.push(`  datadiet suspects --run ${m.id}     # the suspected label issues, in review order`);
  lines.push('  in VS Code: Data Diet: Open Review Queue (this run), and hints in the label manifest');
  return lines;
}

/** What an import-scores run holds, and the commands that read it. */
export function scoresReport(m: RunManifest, runDir: string): string[] {
  const r = m.results ?? {};
  const lines = [`run ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}`];
  if (m.status !== 'done') return lines;
  const names = Array.isArray(r.scores) ? (r.scores as string[]) : [];
  lines.push(`  imported        ${names.join(', ')} for the ${count(r.examples)} training examples`);
  const left = (r.testRowsLeftOut ?? {}) as Record<string, number>;
  for (const [name, n] of Object.entries(left)) lines.push(`  ${name}: its ${count(n)} test-split rows are not kept (scores rank training examples)`);
  lines.push(`  scores          ${runDir}/scores/<name>.parquet and .npy`);
  const first = names[0] ?? '<name>';
  lines.push('next:');
  lines.push(`  datadiet prune --scores ${m.id} --score ${first} ${datasetArgs(m)}`);
  lines.push(`  datadiet window --scores ${m.id} --score ${first} ${datasetArgs(m)}`);
  lines.push(`  in a Data Diet notebook: histogram ${first} run=${m.id}`);
  return lines;
}

export function registerImportCommands(program: Command, h: CliHelpers, out: NodeJS.WritableStream = process.stdout): void {
  const finish = async (flags: Flags, job: Parameters<CliHelpers['runWithProgress']>[0], report: (m: RunManifest, runDir: string) => string[]) => {
    const { manifest: m, runDir } = await h.runWithProgress(job, flags.root, flags);
    if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
    else for (const line of report(m, runDir)) out.write(printable(line) + '\n');
    process.exitCode = exitCode(m);
  };

  addJobOptions(
    program.command('import-predictions').description("import your own model's predictions (an N x classes .npy of probabilities or --logits) as a run: suspects, review queue and manifest hints read it"),
    'import-predictions',
    IMPORT_PREDICTIONS_DEFAULTS,
  ).action(async (f: Flags) => {
    const config = checkParams('import-predictions', paramsFromFlags('import-predictions', f));
    await finish(f, (ctx, opts) => runImportPredictions(config, ctx, opts), predictionsReport);
  });

  addJobOptions(
    program.command('import-scores').description('import your own per-example scores (--score name=file, each an (N,) .npy) as a score run: prune, window, histograms and galleries read it'),
    'import-scores',
    IMPORT_SCORES_DEFAULTS,
  ).action(async (f: Flags) => {
    const config = checkParams('import-scores', paramsFromFlags('import-scores', f));
    await finish(f, (ctx, opts) => runImportScores(config, ctx, opts), scoresReport);
  });
}
