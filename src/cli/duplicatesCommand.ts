/**
 * `datadiet duplicates`: exact and near duplicates of a dataset (core/experiments/duplicates.ts), recorded as a run of
 * kind `duplicates` whose table is duplicates.json; printed here group by group, leakage first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { checkParams } from '../contract/jobOptions';
import { DUPLICATES_DEFAULTS, DUPLICATES_TABLE, runDuplicates, type DuplicatesTable } from '../core/experiments/duplicates';
import type { DuplicateGroup } from '../core/duplicates/duplicateGroups';
import type { CliHelpers } from './cliHelpers';
import { exitCode } from './exitCode';
import { printable } from './printable';
import { addJobOptions, paramsFromFlags } from './specOptions';
import { plural as count } from '../core/plural';
import { reportSubmitted } from './submitted';
import { textTable } from './textTable';


/** A path as short as it reads unambiguously: relative to the working folder when under it. */
function shortPath(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function groupFlags(g: DuplicateGroup): string {
  return [g.kind, ...(g.leakage ? ['TRAIN/TEST LEAKAGE'] : []), ...(g.labelConflict ? ['LABEL CONFLICT'] : [])].join('  ');
}

/** What a duplicates run found, as lines: the summary, then the first `top` groups with their members. */
export function duplicatesReport(t: DuplicatesTable, top: number, cwd = process.cwd()): string[] {
  const c = t.counts;
  const name = (k: number) => t.classNames?.[k] ?? String(k);
  const what = t.compared === 'thumbnails' ? `${t.thumbnailSide}x${t.thumbnailSide} gray thumbnails` : `the embeddings of run ${t.embeddingsRun} (${t.embeddingDim} values)`;
  const lines = [
    `${count(c.groups, 'duplicate group')} among ${count(t.rows, 'image')} (${t.trainRows.toLocaleString('en-US')} train, ${t.testRows.toLocaleString('en-US')} test): ${c.exact} exact, ${c.near} near`,
    `  ${count(c.leakage, 'group')} span train and test (${count(c.leakedTestRows, 'test image')} with a copy in train); ${count(c.labelConflict, 'group')} with conflicting labels`,
    `  compared ${what}: cosine >= ${t.threshold} among ${t.neighbours} nearest neighbours (${t.search.method} search, ${t.search.reason})`,
  ];
  if (t.exactOnlyRows) lines.push(`  ${count(t.exactOnlyRows, 'image')} compared for exact copies only (${t.compared === 'thumbnails' ? 'one colour: no layout to compare' : 'not in the run\'s embeddings'})`);
  lines.push(`  rows: ${t.rowOrder}`);
  t.groups.slice(0, top).forEach((g, i) => {
    lines.push('', `group ${i + 1}  ${groupFlags(g)}`);
    const rows = g.members.map((m) => [m.split, String(m.row), name(m.label), m.similarity.toFixed(3), m.source ? shortPath(m.source, cwd) : `${m.split} #${m.index}`]);
    for (const l of textTable(['SPLIT', 'ROW', 'LABEL', 'SIMILARITY', 'IMAGE'], rows)) lines.push(`  ${l}`);
  });
  if (t.groups.length > top) lines.push('', `${count(t.groups.length - top, 'more group')} in the table (--top ${t.groups.length} prints all)`);
  return lines.map(printable);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 0)) throw new InvalidArgumentError('a whole number >= 0');
  return n;
}

export function registerDuplicatesCommand(program: Command, h: CliHelpers, out: NodeJS.WritableStream = process.stdout): void {
  const cmd = program
    .command('duplicates')
    .description('exact and near duplicates (resized, re-encoded copies) of a dataset, train and test: train/test leakage and label conflicts')
    .option('--top <n>', 'print this many groups (all are in the table)', positiveInt, 20);
  addJobOptions(cmd, 'duplicates', DUPLICATES_DEFAULTS).action(async (flags: { root: string; json?: boolean; top: number }) => {
    const config = checkParams('duplicates', paramsFromFlags('duplicates', flags));
    const { manifest: m, runDir } = await h.runWithProgress((ctx, opts) => runDuplicates(config, ctx, opts), flags.root, flags);
    if (reportSubmitted(m, flags, out)) return;
    const file = path.join(runDir, DUPLICATES_TABLE);
    if (flags.json) out.write(JSON.stringify(m, null, 2) + '\n');
    else {
      out.write(`\nrun ${m.id}: ${m.status}${m.error ? ` (${m.error})` : ''}\n`);
      if (fs.existsSync(file)) for (const line of duplicatesReport(JSON.parse(fs.readFileSync(file, 'utf8')) as DuplicatesTable, flags.top)) out.write(line + '\n');
      out.write(`\n  table           ${file}\n`);
    }
    process.exitCode = exitCode(m);
  });
}
