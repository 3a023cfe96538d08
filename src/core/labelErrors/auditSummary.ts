/**
 * An audit in words, as `datadiet audit` prints it when it ends and an `audit` notebook cell shows it: the rows
 * audited, the honest (out-of-fold) accuracy, what confident learning found, the files, and the next step.
 */
import type { RunManifest } from '../../contract/runManifest';
import { plural } from '../plural';

interface NoiseRate {
  readonly given: number;
  readonly true: number;
  readonly rate: number;
}

interface AuditResults {
  readonly folds: number;
  readonly foldsDone: number;
  readonly complete: boolean;
  readonly rows: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly outOfFoldAccuracy: number | null;
  readonly outOfFoldAccuracyBySplit?: { readonly train: number | null; readonly test: number | null };
  readonly foldAccuracy?: readonly { readonly fold: number; readonly accuracy: number }[];
  readonly filter: string;
  readonly estimatedIssues: number;
  readonly flagged: number;
  readonly topNoiseRates?: readonly NoiseRate[];
  readonly detection?: {
    readonly selfConfidence: { readonly auroc: number; readonly precision: number; readonly recall: number; readonly corrupted: number };
    readonly normalizedMargin: { readonly auroc: number };
  };
}

const pct = (x: number | null | undefined, digits = 1) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a');

/** "about 4.0% of 7s are labelled 1", with class names where the dataset has them. */
export function noiseRateText(r: NoiseRate, classNames?: readonly string[]): string {
  const name = (c: number) => classNames?.[c] ?? String(c);
  // Digits read as "7s"; named classes are quoted ("shirt").
  const members = (c: number) => (classNames?.[c] !== undefined && classNames[c] !== String(c) ? `"${name(c)}"` : `${name(c)}s`);
  return `about ${pct(r.rate)} of ${members(r.true)} are labelled ${name(r.given)}`;
}

export function auditSummaryLines(m: Pick<RunManifest, 'id' | 'results'>, runDir: string, classNames?: readonly string[]): string[] {
  const r = m.results as AuditResults | undefined;
  if (!r || typeof r.rows !== 'number') return [];
  const lines: string[] = [];
  const rows = r.testRows > 0 ? `${r.trainRows.toLocaleString('en-US')} train, ${r.testRows.toLocaleString('en-US')} test` : `${r.trainRows.toLocaleString('en-US')} train, no test`;
  lines.push(`  audited         ${plural(r.rows, 'row')} (${rows}) in ${r.folds} folds stratified by label`);
  if (!r.complete) lines.push(`  incomplete      ${r.foldsDone} of ${r.folds} folds finished: these numbers cover their rows only; datadiet runs resume ${m.id} runs the rest`);
  const bySplit = r.outOfFoldAccuracyBySplit && r.testRows > 0 ? ` (train ${pct(r.outOfFoldAccuracyBySplit.train)}, test ${pct(r.outOfFoldAccuracyBySplit.test)})` : '';
  const perFold = r.foldAccuracy?.length ? `; per fold ${r.foldAccuracy.map((f) => pct(f.accuracy)).join(', ')}` : '';
  lines.push(`  out-of-fold     accuracy ${pct(r.outOfFoldAccuracy)}${bySplit}${perFold} (each row predicted by a model that never saw it)`);
  lines.push(`  label issues    about ${r.estimatedIssues.toLocaleString('en-US')} estimated by confident learning; ${r.flagged.toLocaleString('en-US')} flagged (filter ${r.filter})`);
  const rates = r.topNoiseRates ?? [];
  if (rates.length) {
    lines.push(`  noise           ${noiseRateText(rates[0], classNames)}`);
    for (const n of rates.slice(1)) lines.push(`                  ${noiseRateText(n, classNames)}`);
  }
  if (r.detection) {
    const d = r.detection;
    lines.push(`  noise study     ${d.selfConfidence.corrupted} corrupted labels: flags precision ${d.selfConfidence.precision.toFixed(3)}, recall ${d.selfConfidence.recall.toFixed(3)}; AUROC self-confidence ${d.selfConfidence.auroc.toFixed(3)}, normalized margin ${d.normalizedMargin.auroc.toFixed(3)}`);
  }
  lines.push(`  predictions     ${runDir}/predictions/probabilities.npy (rows x classes, out of sample) and softmax.parquet`);
  lines.push(`  label quality   ${runDir}/scores/label-quality.parquet (self-confidence, normalized_margin, issue)`);
  lines.push(`  analysis        ${runDir}/analysis.json (thresholds, confident joint, noise matrix)`);
  lines.push(`  next            datadiet suspects --run ${m.id}`);
  return lines;
}
