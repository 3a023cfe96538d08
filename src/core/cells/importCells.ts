/**
 * Executes the import cells (importCommands.ts): the files and the dataset are resolved against the workspace
 * folder (the engine runs elsewhere), the import runs as an engine job in this machine's engine (reading local
 * files is no work for a cluster), and the output says what the run holds: the label issues of imported
 * predictions, the histogram of imported scores.
 */
import * as path from 'node:path';
import { parseScoreArg } from '../labelErrors/importedScores';
import { isInputError } from '../inputError';
import { plural } from '../plural';
import { commandSpec } from './commands';
import type { CellQuery } from './diagnose';
import { CellError, executeQuery, runEngineJob, submittedOutput, type CellOutput, type ExecEnv } from './execute';
import { listRunInfos } from './runRef';

/** A dataset spec with its path made absolute against `root` (names such as mnist stay as they are). */
export function specAgainst(spec: string, root: string): string {
  const s = spec.trim();
  if (/^(mnist|fashion-mnist)$/i.test(s)) return s;
  // kind:path (one-letter prefixes are Windows drive letters, not kinds), as parseDatasetSpec reads it.
  const m = /^([A-Za-z0-9-]{2,}):(.*)$/s.exec(s);
  const at = (p: string) => (p.startsWith('~') ? p : path.resolve(root, p));
  return m ? `${m[1]}:${at(m[2])}` : at(s);
}

/** `name=file,name=file` with the files made absolute against `root`; a malformed pair is the cell's error. */
export function scorePairs(text: string, root: string): string[] {
  return text.split(',').map((pair) => {
    try {
      const { name, file } = parseScoreArg(pair, root);
      return `${name}=${file}`;
    } catch (e) {
      if (isInputError(e)) throw new CellError(`scores: ${e.message.replace(/^--score /, '')}`);
      throw e;
    }
  });
}

const str = (q: CellQuery, k: string) => q.args[k] as string | undefined;

/** The job parameters both imports share: the dataset (absolute), the run's name, the image geometry. */
function commonParams(q: CellQuery, root: string): Record<string, unknown> {
  return {
    dataset: specAgainst(str(q, 'dataset')!, root),
    ...(q.given.has('name') ? { name: str(q, 'name') } : {}),
    ...(q.given.has('image-size') ? { imageSize: q.args['image-size'], resize: q.args.resize } : {}),
  };
}

/** Local, whatever the executor setting: the files are on this machine. */
const LOCAL = { executor: 'local' as const, parallel: 1 };

async function runImport(job: 'import-predictions' | 'import-scores', params: Record<string, unknown>, q: CellQuery, env: ExecEnv) {
  const manifest = await runEngineJob(job, params, q, env, LOCAL);
  const submitted = submittedOutput(manifest);
  if (submitted) return { submitted };
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the ${job} job finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status !== 'done') throw new CellError(`the import ${run.status === 'failed' ? 'failed' : 'was interrupted'}: ${run.error ?? 'no reason recorded'}`);
  return { run };
}

export async function importPredictionsCell(q: CellQuery, env: ExecEnv): Promise<CellOutput> {
  const file = (k: string) => path.resolve(env.root, str(q, k)!);
  const params = {
    ...commonParams(q, env.root),
    probs: file('probs'),
    ...(q.given.has('embeddings') ? { embeddings: file('embeddings') } : {}),
    logits: q.args.logits === true,
    inSample: q.args['in-sample'] === true,
  };
  const { run, submitted } = await runImport('import-predictions', params, q, env);
  if (submitted) return submitted;
  const r = run!.results ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '?');
  const method = r.suspectMethod === 'threshold' ? 'the threshold (in-sample predictions)' : 'confident learning';
  const lines = [
    `Imported ${n(r.examples)} predictions (${String(r.rows)}) into run ${run!.id}: ${typeof r.labelIssues === 'number' ? plural(r.labelIssues, 'label issue') : '? label issues'}, found by ${method}.`,
    `Review them with **Data Diet: Open Review Queue**, or \`datadiet suspects --run ${run!.id}\`.`,
  ];
  return { type: 'text', markdown: lines.join('\n\n'), plain: lines.join('\n').replace(/\*\*|`/g, '') };
}

export async function importScoresCell(q: CellQuery, env: ExecEnv): Promise<CellOutput> {
  const scores = scorePairs(str(q, 'scores')!, env.root);
  const { run, submitted } = await runImport('import-scores', { ...commonParams(q, env.root), scores }, q, env);
  if (submitted) return submitted;
  const first = scores[0].slice(0, scores[0].indexOf('='));
  const hq: CellQuery = { ...q, command: 'histogram', spec: commandSpec('histogram')!, args: { score: first, run: run!.id, by: 'class', bins: 40 }, given: new Set(['score', 'run', 'by']) };
  const out = await executeQuery(hq, env, listRunInfos(env.root));
  return out.type === 'payload' ? { ...out, summary: `imported ${scores.map((s) => s.slice(0, s.indexOf('='))).join(', ')} into run ${run!.id}. ${out.summary}` } : out;
}
