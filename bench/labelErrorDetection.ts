/**
 * `npm run bench:label-errors`: how well each way of finding label errors finds them, side by side, on the same
 * noisy labels. For MNIST and Fashion-MNIST, 10% and 30% noise, uniform (labels permuted among a fraction of all
 * examples) and class-conditional (a fraction of each look-alike class relabelled as its pair), one score run
 * (in-sample: EL2N, AUM, forgetting, the threshold suspects and confident learning on its own predictions) and one
 * audit (K-fold cross-validated probabilities, confident learning) over the same examples and the same noise (same
 * --seed, --subset, no validation split). Precision, recall and F1 of the flagged set, AUROC and average precision
 * of the ranking (core/labelErrors/detectionMetrics.ts). Methods that only rank (EL2N, AUM, forgetting) flag as many
 * examples as are corrupted: the flagging an oracle of the noise rate would choose, which favours them.
 *
 * Writes docs/label-errors.md (the table, between markers) and bench/label-error-detection.json. Resumable: runs
 * that finished in --root are reused (bench/finishedRuns.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runJob } from '../src/core/jobs/runner';
import type { JobProgress } from '../src/core/experiments/job';
import { readPredictions } from '../src/core/annotations/predictions';
import { rankSuspects } from '../src/core/annotations/suspects';
import { readScoreTable, scoresDir } from '../src/core/store/scoreFiles';
import { detectionMetrics, flagTop, type DetectionMetrics } from '../src/core/labelErrors/detectionMetrics';
import { finishedRuns } from './finishedRuns';

interface Options {
  datasets: string[];
  rates: number[];
  kinds: ('uniform' | 'pairs')[];
  subset: number;
  epochs: number;
  folds: number;
  runs: number;
  root: string;
  doc: string;
  json: string;
}

function parse(argv: string[]): Options {
  const o: Options = { datasets: ['mnist', 'fashion-mnist'], rates: [0.1, 0.3], kinds: ['uniform', 'pairs'], subset: 10_000, epochs: 4, folds: 5, runs: 1, root: 'label-error-bench', doc: 'docs/label-errors.md', json: 'bench/label-error-detection.json' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--datasets') (o.datasets = v.split(',')), i++;
    else if (k === '--rates') (o.rates = v.split(',').map(Number)), i++;
    else if (k === '--kinds') (o.kinds = v.split(',') as Options['kinds']), i++;
    else if (k === '--subset') (o.subset = Number(v)), i++;
    else if (k === '--epochs') (o.epochs = Number(v)), i++;
    else if (k === '--folds') (o.folds = Number(v)), i++;
    else if (k === '--runs') (o.runs = Number(v)), i++;
    else if (k === '--root') (o.root = v), i++;
    else if (k === '--doc') (o.doc = v), i++;
    else if (k === '--json') (o.json = v), i++;
    else {
      process.stdout.write('usage: npm run bench:label-errors -- [--datasets mnist,fashion-mnist] [--rates 0.1,0.3] [--kinds uniform,pairs] [--subset 10000] [--epochs 4] [--folds 5] [--runs 1] [--root label-error-bench] [--doc docs/label-errors.md] [--json bench/label-error-detection.json]\n');
      process.exit(k === '--help' ? 0 : 2);
    }
  }
  return o;
}

export interface MethodResult extends DetectionMetrics {
  readonly method: string;
  /** Whether the flagged count came from the method (true) or from the oracle noise count (false). */
  readonly ownCount: boolean;
}

export interface Setting {
  readonly dataset: string;
  readonly kind: string;
  readonly rate: number;
  readonly examples: number;
  readonly corrupted: number;
  readonly scoreRun: string;
  readonly auditRun: string;
  readonly methods: MethodResult[];
}

const log = (p: JobProgress) => {
  if (p.phase !== 'train' && p.phase !== 'score') process.stderr.write(`  ${p.message}\n`);
};

/** Rows of `table` (by its dataset index) reordered to `index`. */
function aligned(values: ArrayLike<number>, from: Int32Array, to: Int32Array): Float64Array {
  const at = new Map<number, number>();
  from.forEach((v, r) => at.set(v, r));
  return Float64Array.from(to, (i) => {
    const r = at.get(i);
    if (r === undefined) throw new Error(`row ${i} is missing from a table`);
    return values[r];
  });
}

async function setting(o: Options, once: ReturnType<typeof finishedRuns>, dataset: string, kind: 'uniform' | 'pairs', rate: number): Promise<Setting> {
  const root = path.resolve(o.root);
  const ctx = { root, onProgress: log };
  // Small subsets get small batches (a few hundred SGD steps per epoch); lr by the linear scaling rule.
  const batchSize = 64;
  const lr = (0.05 * batchSize) / 128;
  const common = { dataset, model: 'cnn-small', trainSubset: o.subset, validation: 0, epochs: o.epochs, batchSize, lr, labelNoise: rate, noiseKind: kind, seed: 0 };
  process.stderr.write(`${dataset}, ${kind} noise ${rate}\n`);
  const score = await once('score', { ...common, scores: ['el2n', 'forgetting', 'aum'], scoreEpoch: o.epochs, runs: o.runs }, (r) => runJob('score', r, ctx));
  const audit = await once('audit', { ...common, folds: o.folds, includeTest: false }, (r) => runJob('audit', r, ctx));
  const scoreDir = path.join(root, '.datadiet', 'runs', score.id);
  const auditDir = path.join(root, '.datadiet', 'runs', audit.id);

  const el2n = readScoreTable(scoresDir(scoreDir), 'el2n');
  const index = el2n.index;
  const corruptedCol = el2n.extra?.corrupted;
  if (!corruptedCol) throw new Error(`score run ${score.id} has no corrupted column`);
  const corrupted = Float64Array.from(corruptedCol);
  const count = corrupted.reduce((a, v) => a + v, 0);
  const rankOnly = (method: string, suspicion: Float64Array): MethodResult => ({ method, ownCount: false, ...detectionMetrics(flagTop(suspicion, count), suspicion, corrupted) });
  const flagged = (method: string, flags: ArrayLike<number>, suspicion: Float64Array): MethodResult => ({ method, ownCount: true, ...detectionMetrics(Uint8Array.from(flags), suspicion, corrupted) });

  const table = (name: string) => {
    const t = readScoreTable(scoresDir(scoreDir), name);
    return aligned(t.score, t.index, index);
  };
  const methods: MethodResult[] = [
    rankOnly('EL2N (in-sample)', table('el2n')),
    rankOnly('AUM (in-sample)', table('aum').map((v) => -v)),
    rankOnly('forgetting (in-sample)', table('forgetting')),
  ];
  const pred = readPredictions(scoreDir)!;
  const inSample = (method: 'threshold' | 'confident-learning') => rankSuspects(pred, { method });
  const t = inSample('threshold');
  methods.push(flagged('threshold suspects, 0.5 (in-sample)', aligned(t.flagged, pred.index, index), aligned(t.suspicion, pred.index, index)));
  const cl = inSample('confident-learning');
  const selfIn = Float64Array.from(pred.labelProb, (p) => 1 - p);
  methods.push(flagged('confident learning (in-sample)', aligned(cl.flagged, pred.index, index), aligned(selfIn, pred.index, index)));

  const quality = readScoreTable(scoresDir(auditDir), 'label-quality');
  const issue = quality.extra?.issue;
  if (!issue) throw new Error(`audit ${audit.id}: its label-quality table has no issue column`);
  // Both must have judged the same noisy labels, or the comparison says nothing.
  const auditCorrupted = quality.extra?.corrupted;
  if (!auditCorrupted || aligned(auditCorrupted, quality.index, index).some((v, r) => v !== corrupted[r])) throw new Error(`audit ${audit.id} and score run ${score.id} corrupted different examples`);
  methods.push(
    flagged(
      `confident learning, ${o.folds}-fold cross-validated`,
      aligned(issue, quality.index, index),
      aligned(quality.score.map((v) => 1 - v), quality.index, index),
    ),
  );
  return { dataset, kind, rate, examples: index.length, corrupted: count, scoreRun: score.id, auditRun: audit.id, methods };
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

function markdown(o: Options, settings: Setting[], minutes: number): string {
  const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
  const lines = [
    `Generated by \`npm run bench:label-errors -- ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 10)} (${cpu}, ${minutes.toFixed(0)} minutes of runs): ` +
      `cnn-small, ${o.subset.toLocaleString('en-US')}-example training subset, no validation split, ${o.epochs} epochs, batch 64; ` +
      `${o.runs} score run${o.runs === 1 ? '' : 's'}; ${o.folds}-fold audit. Uniform noise: that fraction of all examples' labels permuted among themselves. ` +
      'Pairs: that fraction of each look-alike class relabelled as its pair (MNIST 2->7, 3->8, 5<->6, 7->1; Fashion-MNIST shirt<->T-shirt, pullover<->coat, sandal<->sneaker), so fewer examples in all. ' +
      'Rank-only methods (marked *) flag as many examples as are corrupted (an oracle of the noise rate); the others decide how many themselves.',
    '',
  ];
  for (const s of settings) {
    lines.push(`### ${s.dataset}, ${s.kind} noise ${Math.round(100 * s.rate)}% (${s.corrupted.toLocaleString('en-US')} of ${s.examples.toLocaleString('en-US')} corrupted)`, '');
    lines.push('| method | flagged | precision | recall | F1 | AUROC | average precision |', '|---|---:|---:|---:|---:|---:|---:|');
    const best = Math.max(...s.methods.map((m) => (Number.isFinite(m.f1) ? m.f1 : -1)));
    for (const m of s.methods) {
      const f1 = f3(m.f1);
      lines.push(`| ${m.method}${m.ownCount ? '' : ' *'} | ${m.flagged.toLocaleString('en-US')} | ${f3(m.precision)} | ${f3(m.recall)} | ${m.f1 === best ? `**${f1}**` : f1} | ${f3(m.auroc)} | ${f3(m.averagePrecision)} |`);
    }
    lines.push('');
  }
  lines.push('Mean over the settings:', '', '| method | precision | recall | F1 | AUROC |', '|---|---:|---:|---:|---:|');
  const names = settings[0]?.methods.map((m) => m.method) ?? [];
  for (const name of names) {
    const ms = settings.map((s) => s.methods.find((m) => m.method === name)!);
    const mean = (f: (m: MethodResult) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
    lines.push(`| ${name} | ${f3(mean((m) => m.precision))} | ${f3(mean((m) => m.recall))} | ${f3(mean((m) => m.f1))} | ${f3(mean((m) => m.auroc))} |`);
  }
  return lines.join('\n');
}

const BEGIN = '<!-- detection table: generated by npm run bench:label-errors -->';
const END = '<!-- end of detection table -->';

/** Replaces the generated part of the doc, keeping the prose around it. */
export function spliceTable(doc: string, table: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${BEGIN}\n${table}\n${END}\n`;
  return `${doc.slice(0, a)}${BEGIN}\n${table}\n${doc.slice(b)}`;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const once = finishedRuns(path.resolve(o.root));
  const settings: Setting[] = [];
  for (const dataset of o.datasets) for (const kind of o.kinds) for (const rate of o.rates) settings.push(await setting(o, once, dataset, kind, rate));
  fs.mkdirSync(path.dirname(path.resolve(o.json)), { recursive: true });
  fs.writeFileSync(o.json, `${JSON.stringify({ options: o, cpu: os.cpus()[0]?.model, settings }, null, 1)}\n`);
  const doc = fs.existsSync(o.doc) ? fs.readFileSync(o.doc, 'utf8') : '# Finding label errors\n';
  fs.writeFileSync(o.doc, spliceTable(doc, markdown(o, settings, once.seconds() / 60)));
  process.stdout.write(`${markdown(o, settings, once.seconds() / 60)}\n\nwrote ${o.doc} and ${o.json}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
