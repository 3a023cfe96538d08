/** `datadiet suspects` (review order of suspected label issues of a score or audit run) and `datadiet annotations export`. */
import { listDataset } from '../core/data/datasetListing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadRunSuspects } from '../core/annotations/runSuspects';
import { DEFAULT_SUSPECT_THRESHOLD, type SuspectRanking } from '../core/annotations/suspects';
import { ISSUE_FILTERS, SUSPECT_METHODS, type IssueFilter, type SuspectMethod } from '../contract/choices';
import { TEST_SPLIT } from '../core/data/datasetRows';
import { AnnotationStore, describeProblems, readAnnotationsFile } from '../core/annotations/annotationStore';
import { ANNOTATION_ACTIONS, type AnnotationAction } from '../core/annotations/annotationEntry';
import { exportCleanedManifest } from '../core/annotations/apply';
import { readRun, runsDir } from '../core/store/runStore';
import { checkAnnotationKeys, knownExamples } from '../core/annotations/annotationKeys';
import { detectDatasetKind } from '../core/data/load';
import { textTable } from './textTable';
import { printable } from './printable';

function runDirOf(root: string, run: string): string {
  if (fs.existsSync(path.join(run, 'manifest.json'))) return path.resolve(run);
  const dir = path.join(runsDir(path.resolve(root)), run);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw new Error(`no run "${run}" (looked for ${dir}/manifest.json)`);
  return dir;
}

interface SuspectRow {
  readonly index: number;
  readonly path?: string;
  readonly label: number;
  readonly predicted: number;
  readonly confidence: number;
  readonly suspicion: number;
  readonly corrupted?: boolean;
  /** 'train' or 'test' when the run covers test rows too (an audit). */
  readonly split?: string;
}

/** The review queue as a table: rank first, the columns named, classes by name when the dataset has names. */
export function suspectsTable(rows: readonly SuspectRow[], classNames?: readonly string[]): string[] {
  const cls = (k: number) => (classNames?.[k] !== undefined && classNames[k] !== String(k) ? `${k} ${classNames[k]}` : String(k));
  const withPath = rows.some((r) => r.path !== undefined);
  const withNoise = rows.some((r) => r.corrupted !== undefined);
  const withSplit = rows.some((r) => r.split !== undefined);
  const header = ['RANK', 'SUSPICION', 'INDEX', ...(withSplit ? ['SPLIT'] : []), 'LABEL', 'PREDICTED', 'CONFIDENCE', ...(withNoise ? ['CORRUPTED'] : []), ...(withPath ? ['PATH'] : [])];
  return textTable(
    header,
    rows.map((r, i) => [
      String(i + 1),
      r.suspicion.toFixed(3),
      String(r.index),
      ...(withSplit ? [r.split ?? ''] : []),
      cls(r.label),
      cls(r.predicted),
      `${(100 * r.confidence).toFixed(1)}%`,
      ...(withNoise ? [r.corrupted ? 'yes' : 'no'] : []),
      ...(withPath ? [r.path ?? ''] : []),
    ]),
  );
}

/** What was flagged and how, in one line: the method, its setting, and confident learning's estimate. */
export function suspectsHeadline(r: Pick<SuspectRanking, 'count' | 'method' | 'threshold' | 'filter' | 'estimatedIssues'>, examples: number, tieBreak?: string): string {
  const how =
    r.method === 'confident-learning'
      ? `by confident learning (filter ${r.filter ?? 'prune_by_noise_rate'}; estimated ${r.estimatedIssues ?? '?'} label issues)`
      : `by threshold ${r.threshold}`;
  return `${r.count} of ${examples} examples suspected ${how}; tie-break ${tieBreak ?? 'none'}`;
}

function threshold(v: string): number {
  const x = Number(v);
  if (!(x >= -1 && x <= 1)) throw new InvalidArgumentError('a number in [-1, 1] (0.5: another class leads by 50 points)');
  return x;
}

/**
 * Refuses annotation keys the dataset does not have. The dataset is --dataset, else the one the annotations file sits
 * in (a manifest's or image folder's annotations.jsonl); with neither, a --path must at least exist on disk.
 */
async function checkAgainstDataset(keys: readonly ({ index: number } | { path: string })[], annotations: string, spec?: string): Promise<void> {
  const dir = path.dirname(path.resolve(annotations));
  const inferred = spec ?? (detectDatasetKind(dir) ? dir : undefined);
  if (inferred === undefined) {
    for (const k of keys) {
      if ('index' in k && !(Number.isInteger(k.index) && k.index >= 0)) throw new InvalidArgumentError(`--index must be a non-negative integer, got ${k.index}`);
      if ('path' in k && !fs.existsSync(path.resolve(dir, k.path))) throw new Error(`--path ${k.path}: no such file in ${dir} (paths are relative to the annotations file)`);
    }
    return;
  }
  // Only which examples exist matters here: listed, not decoded.
  const { train, test, heldOut } = await listDataset(inferred);
  // Paths may name any image of the dataset (a held-out test image too); indices are dataset rows (test rows only
  // where the dataset has splits of its own).
  checkAnnotationKeys(keys, knownExamples(train, annotations, `dataset ${inferred}`, { ...test, indexed: !heldOut }));
}

export function registerAnnotationCommands(program: Command): void {
  program
    .command('suspects')
    .description('suspected label issues of a score run or an audit, in review order (and precision@k when noise was injected)')
    .requiredOption('--run <id>', 'id or folder of a score run or an audit run')
    .addOption(new Option('--method <m>', 'how issues are flagged (default: confident-learning for an audit\'s out-of-sample predictions, threshold for a score run\'s)').choices([...SUSPECT_METHODS]))
    .addOption(new Option('--filter <f>', "confident learning's filter (default prune_by_noise_rate)").choices([...ISSUE_FILTERS]))
    .option('--threshold <x>', 'threshold method: flag when another class leads the label by this much probability', threshold, DEFAULT_SUSPECT_THRESHOLD)
    .option('--top <n>', 'list this many', (v: string) => Number.parseInt(v, 10), 20)
    .option('--root <dir>', 'where .datadiet/runs lives', process.cwd())
    .option('--json', 'print as JSON')
    .action((f: { run: string; method?: SuspectMethod; filter?: IssueFilter; threshold: number; top: number; root: string; json?: boolean }) => {
      const s = loadRunSuspects(runDirOf(f.root, f.run), { threshold: f.threshold, method: f.method, filter: f.filter });
      const p = s.predictions;
      const cl = s.ranking.method === 'confident-learning';
      // A split column only when test rows are among the rows (an audit with the test split).
      const split = p.split?.some((v) => v === TEST_SPLIT) ? p.split : undefined;
      const top = Array.from(s.ranking.order.subarray(0, f.top), (r) => ({
        index: p.index[r],
        ...(split ? { split: split[r] === TEST_SPLIT ? 'test' : 'train' } : {}),
        ...(p.sources ? { path: p.sources[r] } : {}),
        label: p.label[r],
        predicted: p.predicted[r],
        confidence: Number(p.confidence[r].toFixed(4)),
        suspicion: Number(s.ranking.suspicion[r].toFixed(4)),
        ...(s.corrupted ? { corrupted: s.corrupted[r] === 1 } : {}),
      }));
      if (f.json) {
        const how = cl ? { filter: s.ranking.filter, estimatedIssues: s.ranking.estimatedIssues } : { threshold: f.threshold };
        process.stdout.write(JSON.stringify({ run: s.runDir, examples: p.index.length, flagged: s.ranking.count, method: s.ranking.method, ...how, outOfSample: p.outOfSample === true, tieBreak: s.score?.name, quality: s.quality, top }, null, 2) + '\n');
        return;
      }
      const out = process.stdout;
      out.write(suspectsHeadline(s.ranking, p.index.length, s.score?.name) + '\n');
      if (cl && !p.outOfSample) out.write('  note: these predictions are in-sample (a score run); confident learning expects out-of-sample ones: `datadiet audit` makes them\n');
      if (s.quality) {
        const q = s.quality;
        out.write(`  noise study: ${q.corrupted} corrupted labels; review queue precision ${Object.entries(q.precisionAt).map(([k, v]) => `@${k} ${v.toFixed(3)}`).join(', ')}\n`);
        out.write(`  flagged set: precision ${q.flaggedPrecision.toFixed(3)}, recall ${q.flaggedRecall.toFixed(3)}\n`);
      }
      const classNames = readRun(s.runDir).manifest?.dataset?.classNames;
      const order = cl
        ? 'flagged first, least self-confident (lowest probability of the label) first, then the rest by suspicion'
        : `sorted by suspicion (how far the predicted class leads the label's probability), highest first${s.score ? `; ties by ${s.score.name}` : ''}`;
      out.write(`top ${top.length}, ${order}:\n`);
      for (const line of suspectsTable(top, classNames)) out.write(printable(`  ${line}`) + '\n');
    });

  program
    .command('annotate')
    .description('add decisions to an annotations.jsonl (merged with concurrent writers; prints each entry id once it is on disk)')
    .requiredOption('--annotations <file>', 'annotations.jsonl')
    .option('--index <i>', 'dataset row of the example (binary datasets: train index i, or train size + j for test example j)', (v: string) => Number.parseInt(v, 10))
    .option('--path <p>', 'image path relative to the annotations file (manifests, folders)')
    .requiredOption('--action <a>', `one of ${ANNOTATION_ACTIONS.join(', ')}`)
    .option('--label <l>', 'new label for relabel (class index or name)')
    .option('--note <text>', 'a note')
    .option('--count <n>', 'annotate n consecutive indices starting at --index, one write each', (v: string) => Number.parseInt(v, 10), 1)
    .option('--dataset <spec>', 'the dataset annotated (default: the manifest or image folder holding the annotations file): keys not in it are refused')
    .action(async (f: { annotations: string; index?: number; path?: string; action: string; label?: string; note?: string; count: number; dataset?: string }) => {
      if (!(ANNOTATION_ACTIONS as readonly string[]).includes(f.action)) throw new InvalidArgumentError(`--action must be one of ${ANNOTATION_ACTIONS.join(', ')}`);
      if ((f.index === undefined) === (f.path === undefined)) throw new InvalidArgumentError('give exactly one of --index and --path');
      const keys = f.path !== undefined ? [{ path: f.path }] : Array.from({ length: Math.max(1, f.count) }, (_, k) => ({ index: f.index! + k }));
      await checkAgainstDataset(keys, f.annotations, f.dataset);
      const store = new AnnotationStore(f.annotations, { author: `cli-${process.pid}` });
      const newLabel = f.label === undefined ? undefined : /^\d+$/.test(f.label) ? Number(f.label) : f.label;
      for (let k = 0; k < (f.path !== undefined ? 1 : f.count); k++) {
        const [e] = store.append([{ ...(f.path !== undefined ? { path: f.path } : { index: f.index! + k }), action: f.action as AnnotationAction, ...(newLabel !== undefined ? { newLabel } : {}), ...(f.note ? { note: f.note } : {}) }]);
        process.stdout.write(e.id + '\n');
        // A breath between writes, so that windows waiting for the lock get their turn (the lock is not a queue).
        if (k + 1 < f.count) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    });

  program
    .command('export-manifest')
    .description('write a copy of a CSV/JSONL label manifest with annotated corrections applied and excluded rows dropped')
    .requiredOption('--manifest <file>', 'the source manifest')
    .requiredOption('--annotations <file>', 'annotations.jsonl')
    .requiredOption('--out <file>', 'where the cleaned manifest goes (.csv or .jsonl)')
    .action((f: { manifest: string; annotations: string; out: string }) => {
      const a = readAnnotationsFile(f.annotations);
      if (a.problems.length) throw new Error(describeProblems(a.problems));
      const r = exportCleanedManifest(f.manifest, a.entries, path.dirname(path.resolve(f.annotations)), f.out);
      process.stdout.write(`${r.written}: ${r.kept} rows (${r.relabeled} relabeled, ${r.excluded} excluded)\n`);
    });
}
