/**
 * Pruning (Data Diet Fig. 1): keep the highest-scoring examples, retrain from scratch with the full-data iteration
 * budget, and compare with random subsets and with full data; class-balanced variants; the class composition of
 * the kept sets (a selection that empties a class explains a curve that falls off).
 */
import { labelEntropy } from '../../../src/core/analysis/entropy';
import { plural } from '../../../src/core/plural';
import { pruningCurve } from '../../../src/core/charts/pruningCurve';
import type { PrunePoint, RetrainRow } from '../../../src/core/experiments/pruneSweep';
import type { SectionContext } from '../reportSections';
import { STEP } from '../studyPlan';
import { band, bandText, pct, pendingText, pointAt, prunePoints, pruneRows } from '../studyReads';

interface Series {
  readonly name: string;
  readonly step: string;
  readonly strategy: string;
}

export async function pruningSection(ctx: SectionContext): Promise<string[]> {
  const t = ctx.d.scoreEpoch;
  const series: Series[] = [
    { name: `EL2N, epoch ${t}`, step: STEP.pruneEl2n, strategy: 'keep-top' },
    { name: 'random', step: STEP.pruneEl2n, strategy: 'random' },
    { name: 'GraNd, init', step: STEP.pruneGrandInit, strategy: 'keep-top' },
    { name: `GraNd, epoch ${t}`, step: STEP.pruneGrandEarly, strategy: 'keep-top' },
    { name: 'forgetting', step: STEP.pruneForgetting, strategy: 'keep-top' },
    { name: `EL2N, epoch ${t}, class-balanced`, step: STEP.pruneEl2nBalanced, strategy: 'keep-top' },
    { name: 'GraNd, init, class-balanced', step: STEP.pruneGrandInitBalanced, strategy: 'keep-top' },
  ];
  const lines = ['### Pruning', ''];
  const pointsOf = new Map<string, PrunePoint[]>();
  for (const s of series) if (!pointsOf.has(s.step)) pointsOf.set(s.step, prunePoints(ctx.step(s.step)));
  const fullRows = pruneRows(ctx.step(STEP.pruneEl2n)).filter((r) => r.strategy === 'full data');
  const full = fullRows.length ? band(fullRows.map((r) => r.testAccuracy)) : undefined;
  const unfinished = [...new Set(series.map((s) => s.step))].filter((st) => ctx.step(st)?.run?.manifest.status !== 'done');
  if (unfinished.length) lines.push(`Not finished yet (their finished units are shown): ${unfinished.map((st) => `${st}: ${pendingText(ctx.step(st))}`).join('; ')}.`, '');
  // The accuracy the issue asks the full-data budget to reach (on the whole training set only).
  const target = ctx.d.subset ? undefined : ctx.d.dataset === 'mnist' ? 0.99 : ctx.d.dataset === 'fashion-mnist' ? 0.9 : undefined;
  lines.push(
    `Full data (${plural(fullRows.length, 'seed')}): test accuracy ${bandText(full)}${target !== undefined && full ? ` (the budget was chosen to reach ${pct(target)}: ${full.mean >= target ? 'it does' : 'it does not'})` : ''}. ` +
      'Cells: mean test accuracy over repeats [16th, 84th percentile]; each retraining keeps the full-data iteration budget.',
    '',
  );
  const drawn = series.map((s) => ({ ...s, points: (pointsOf.get(s.step) ?? []).filter((p) => p.strategy === s.strategy) })).filter((s) => s.points.length > 0);
  const fractions = [...new Set(drawn.flatMap((s) => s.points.map((p) => p.fractionPruned)))].sort((a, b) => a - b);
  if (drawn.length === 0) return lines;
  lines.push(`| pruned | ${drawn.map((s) => s.name).join(' | ')} |`, `|---|${drawn.map(() => '---|').join('')}`);
  for (const f of fractions) lines.push(`| ${Math.round(f * 100)}% | ${drawn.map((s) => bandText(pointAt(s.points, s.strategy, f)).replace('pending', '')).join(' | ')} |`);
  lines.push('');
  ctx.files.table(
    `${ctx.d.name}-pruning`,
    drawn.flatMap((s) => s.points.map((p) => ({ series: s.name, step: s.step, fraction_pruned: p.fractionPruned, mean: p.mean, lo: p.lo, hi: p.hi, accuracies: p.accuracies }))),
  );
  lines.push(
    await ctx.files.figure(
      `${ctx.d.name}-pruning`,
      pruningCurve({ series: drawn.map((s) => ({ name: s.name, points: s.points.map((p) => ({ fractionPruned: p.fractionPruned, accuracies: p.accuracies })) })), fullData: fullRows.length ? fullRows.map((r) => r.testAccuracy) : undefined, title: `${ctx.d.name}: pruning` }),
      'pruning curves',
    ),
    '',
  );
  lines.push(...composition(ctx, series));
  verdicts(ctx, drawn, full);
  return lines;
}

/** Label entropy and the rarest class's share of the kept sets at the highest pruned fraction of each series. */
function composition(ctx: SectionContext, series: readonly Series[]): string[] {
  const rows: { name: string; fraction: number; entropy: number; min: number; minClass: number; max: number; maxClass: number }[] = [];
  for (const s of series) {
    const kept = pruneRows(ctx.step(s.step)).filter((r: RetrainRow) => r.strategy === s.strategy && r.keptPerClass);
    if (!kept.length) continue;
    const top = Math.max(...kept.map((r) => r.fractionPruned));
    const r = kept.find((x) => x.fractionPruned === top)!;
    const counts = r.keptPerClass!;
    const total = counts.reduce((a, v) => a + v, 0);
    const min = Math.min(...counts);
    const max = Math.max(...counts);
    rows.push({ name: s.name, fraction: top, entropy: labelEntropy(counts), min: min / total, minClass: counts.indexOf(min), max: max / total, maxClass: counts.indexOf(max) });
  }
  if (!rows.length) return [];
  ctx.files.table(`${ctx.d.name}-kept-composition`, rows);
  return [
    `Class composition of the kept sets at the highest pruned fraction (label entropy in nats; ln 10 = ${Math.log(10).toFixed(3)} for balanced classes):`,
    '',
    '| selection | pruned | label entropy | rarest class (share) | commonest class (share) |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${Math.round(r.fraction * 100)}% | ${r.entropy.toFixed(3)} | ${r.minClass} (${pct(r.min)}) | ${r.maxClass} (${pct(r.max)}) |`),
    '',
  ];
}

function verdicts(ctx: SectionContext, drawn: readonly (Series & { points: PrunePoint[] })[], full: { mean: number; lo: number; hi: number } | undefined): void {
  const bySeries = (name: string) => drawn.find((s) => s.name === name);
  const el2n = bySeries(`EL2N, epoch ${ctx.d.scoreEpoch}`);
  const random = bySeries('random');
  const setting = `${ctx.d.model} on ${ctx.d.dataset}, ${ctx.d.epochs} epochs`;
  if (el2n && full) {
    // "Without affecting accuracy": the largest fraction whose mean stays within the full-data band or above it.
    const kept = el2n.points.filter((p) => p.mean >= full.lo).map((p) => p.fractionPruned);
    const largest = kept.length ? Math.max(...kept) : 0;
    const at50 = pointAt(el2n.points, 'keep-top', 0.5);
    ctx.verdict({
      source: 'Data Diet, Fig. 1',
      claim: 'EL2N early in training prunes a large fraction without losing test accuracy',
      paper: 'CIFAR-10: 50% pruned without loss (ResNet18); CIFAR-100: 25%',
      ours: `up to ${Math.round(largest * 100)}% pruned; at 50%: ${bandText(at50)} vs full ${bandText(full)} (${setting})`,
      verdict: largest >= 0.5 ? 'reproduced' : largest > 0 ? 'partly reproduced' : 'not reproduced',
      criterion: 'mean at or above the 16th percentile of full data',
    });
  }
  if (el2n && random) {
    const fractions = el2n.points.map((p) => p.fractionPruned).filter((f) => pointAt(random.points, 'random', f));
    const above = fractions.filter((f) => pointAt(el2n.points, 'keep-top', f)!.lo > pointAt(random.points, 'random', f)!.hi);
    const below = fractions.filter((f) => pointAt(el2n.points, 'keep-top', f)!.hi < pointAt(random.points, 'random', f)!.lo);
    const pctList = (fs: number[]) => (fs.length ? fs.map((f) => `${Math.round(f * 100)}%`).join(', ') : 'none');
    ctx.verdict({
      source: 'Data Diet, Fig. 1',
      claim: 'keeping the highest EL2N beats random pruning, most at high pruning',
      paper: 'above random at every fraction up to 70-80% pruned (CIFAR-10)',
      ours: `above random at ${pctList(above)}; below at ${pctList(below)} (${setting})`,
      verdict: above.length > 0 && below.length === 0 ? 'reproduced' : above.length > 0 ? 'partly reproduced' : 'not reproduced',
      criterion: '16-84 bands apart',
    });
  }
  const grand = bySeries('GraNd, init');
  if (grand && random) {
    const at = (s: typeof grand, strategy: string) => pointAt(s.points, strategy, 0.5);
    const g = at(grand, 'keep-top');
    const r = at(random, 'random');
    if (g && r) {
      ctx.verdict({
        source: 'Data Diet, Fig. 1 (Kirsch 2023 could not reproduce it)',
        claim: 'GraNd at initialization (K = 10) beats random pruning',
        paper: 'CIFAR-10: better than random; 50% pruned without loss',
        ours: `50% pruned: GraNd ${bandText(g)} vs random ${bandText(r)}`,
        verdict: g.lo > r.hi ? 'reproduced' : 'not reproduced',
        criterion: '16-84 bands apart',
      });
    }
  }
  const forgetting = bySeries('forgetting');
  if (forgetting && el2n) {
    const common = forgetting.points.map((p) => p.fractionPruned).filter((f) => pointAt(el2n.points, 'keep-top', f));
    const overlap = common.filter((f) => {
      const a = pointAt(forgetting.points, 'keep-top', f)!;
      const b = pointAt(el2n.points, 'keep-top', f)!;
      return a.lo <= b.hi && b.lo <= a.hi;
    });
    if (common.length) {
      ctx.verdict({
        source: 'Data Diet, appendix Fig. 12',
        claim: 'forgetting at the end of training prunes about as well as EL2N early in training',
        paper: 'similar curves (CIFAR-10)',
        ours: `bands overlap at ${overlap.length} of ${common.length} fractions (${common.map((f) => `${Math.round(f * 100)}%: ${pct(pointAt(forgetting.points, 'keep-top', f)!.mean)} vs ${pct(pointAt(el2n.points, 'keep-top', f)!.mean)}`).join(', ')})`,
        verdict: overlap.length === common.length ? 'reproduced' : overlap.length > 0 ? 'partly reproduced' : 'not reproduced',
        criterion: '16-84 bands overlap',
      });
    }
  }
}
