/**
 * Where the scores come from (Data Diet appendix D and E): scores of another architecture (E.3, Fig. 13), the
 * label-independent variants of GraNd (D, Fig. 9), and EL2N averaged over a learning-rate x weight-decay grid of
 * networks instead of K runs at the best setting (E.4, Fig. 14).
 */
import type { PrunePoint } from '../../../src/core/experiments/pruneSweep';
import type { SectionContext } from '../reportSections';
import { LABEL_FREE_SCORES, labelFreeStep, STEP } from '../studyPlan';
import { bandText, pendingText, pointAt, prunePoints, pruneRows, band, results } from '../studyReads';

const overlaps = (a?: PrunePoint, b?: PrunePoint) => Boolean(a && b && a.lo <= b.hi && b.lo <= a.hi);

export async function transferSection(ctx: SectionContext): Promise<string[]> {
  const { d, cfg } = ctx;
  const lines = ['### Where the scores come from', ''];
  const own = prunePoints(ctx.step(STEP.pruneEl2n));
  const fractions = cfg.fewFractions;
  const row = (name: string, pts: PrunePoint[], strategy: string) => `| ${name} | ${fractions.map((f) => bandText(pointAt(pts, strategy, f))).join(' | ')} |`;
  const head = [`| trained / scored by | ${fractions.map((f) => `${Math.round(f * 100)}% pruned`).join(' | ')} |`, `|---|${fractions.map(() => '---|').join('')}`];

  // Transfer across architectures.
  const transferIn = prunePoints(ctx.step(STEP.pruneTransferIn));
  const out = prunePoints(ctx.step(STEP.pruneTransferOut));
  const otherOwn = prunePoints(ctx.step(STEP.pruneOtherOwn));
  const otherFull = pruneRows(ctx.step(STEP.pruneTransferOut)).filter((r) => r.strategy === 'full data');
  lines.push(`#### Scores of one architecture, retraining another (appendix E.3)`, '', `EL2N at epoch ${d.scoreEpoch}, K = ${cfg.runs}, of ${d.model} and of ${d.transferModel}; keep the highest; retrain each architecture.`, '');
  const steps = [STEP.pruneTransferIn, STEP.pruneTransferOut, STEP.pruneOtherOwn].filter((s) => ctx.step(s)?.run?.manifest.status !== 'done');
  if (steps.length) lines.push(`Not finished yet: ${steps.map((s) => `${s}: ${pendingText(ctx.step(s))}`).join('; ')}.`, '');
  lines.push(
    ...head,
    row(`${d.model} / ${d.model}`, own, 'keep-top'),
    row(`${d.model} / ${d.transferModel}`, transferIn, 'keep-top'),
    row(`${d.model} / random`, own, 'random'),
    row(`${d.transferModel} / ${d.transferModel}`, otherOwn, 'keep-top'),
    row(`${d.transferModel} / ${d.model}`, out, 'keep-top'),
    row(`${d.transferModel} / random`, out, 'random'),
    '',
    `Full data: ${d.model} ${bandText(fullOf(ctx))}, ${d.transferModel} ${otherFull.length ? bandText(band(otherFull.map((r) => r.testAccuracy))) : 'pending'}.`,
    '',
  );
  ctx.files.table(`${d.name}-transfer`, [
    ...series(own, 'keep-top', d.model, d.model),
    ...series(transferIn, 'keep-top', d.model, d.transferModel),
    ...series(own, 'random', d.model, 'random'),
    ...series(otherOwn, 'keep-top', d.transferModel, d.transferModel),
    ...series(out, 'keep-top', d.transferModel, d.model),
    ...series(out, 'random', d.transferModel, 'random'),
  ]);
  const agree = fractions.filter((f) => overlaps(pointAt(transferIn, 'keep-top', f), pointAt(own, 'keep-top', f)));
  if (fractions.every((f) => pointAt(transferIn, 'keep-top', f) && pointAt(own, 'keep-top', f))) {
    ctx.verdict({
      source: 'Data Diet, appendix Fig. 13',
      claim: "pruning by EL2N is agnostic to which architecture computed the scores",
      paper: 'VGG13 retrained on CIFAR-10 with VGG13 or ResNet18 scores: the same curves',
      ours: `${d.model} retrained with ${d.transferModel} vs own scores: bands overlap at ${agree.length} of ${fractions.length} fractions`,
      verdict: agree.length === fractions.length ? 'reproduced' : agree.length > 0 ? 'partly reproduced' : 'not reproduced',
      criterion: '16-84 bands overlap',
    });
  }

  // Label-free scores at 50% pruned, next to the label-dependent ones.
  const f = cfg.labelFreeFraction;
  lines.push(`#### Label-independent scores (appendix D, Fig. 9), ${Math.round(f * 100)}% pruned`, '');
  const grandInit = pointAt(prunePoints(ctx.step(STEP.pruneGrandInit)), 'keep-top', f);
  const el2nEarly = pointAt(own, 'keep-top', f);
  const random = pointAt(own, 'random', f);
  const lf = (when: 'init' | 'early', s: string) => pointAt(prunePoints(ctx.step(labelFreeStep(when, s))), 'keep-top', f);
  lines.push('| score | at initialization | at epoch ' + d.scoreEpoch + ' |', '|---|---|---|');
  lines.push(`| GraNd / EL2N (label-dependent) | GraNd ${bandText(grandInit)} | EL2N ${bandText(el2nEarly)} |`);
  for (const s of LABEL_FREE_SCORES) lines.push(`| ${s} | ${bandText(lf('init', s))} | ${bandText(lf('early', s))} |`);
  lines.push(`| random | ${bandText(random)} | |`, `| full data | ${bandText(fullOf(ctx))} | |`, '');
  ctx.files.table(`${d.name}-label-free`, [
    { score: 'grand', when: 'init', ...stats(grandInit) },
    { score: 'el2n', when: 'early', ...stats(el2nEarly) },
    ...LABEL_FREE_SCORES.flatMap((s) => (['init', 'early'] as const).map((when) => ({ score: s, when, ...stats(lf(when, s)) }))),
    { score: 'random', when: '', ...stats(random) },
  ]);
  const lf1 = lf('init', 'label-free-1');
  if (lf1 && grandInit) {
    ctx.verdict({
      source: 'Data Diet, appendix D',
      claim: 'at initialization GraNd beats its label-independent variant (score 1)',
      paper: '"GraNd outperformed Score_1 at initialization" (ResNet18, CIFAR-10, 50% pruned)',
      ours: `GraNd ${bandText(grandInit)} vs label-free-1 ${bandText(lf1)}`,
      verdict: grandInit.lo > lf1.hi ? 'reproduced' : 'not reproduced',
      criterion: '16-84 bands apart',
    });
  }

  // EL2N over the hyperparameter grid.
  lines.push(`#### EL2N from a hyperparameter grid (appendix E.4)`, '');
  const grid = results<{ grid: { label: string }[]; spearmanWithMean: { label: string; spearman: number }[] }>(ctx.step(STEP.el2nGrid));
  if (!grid) lines.push(pendingText(ctx.step(STEP.el2nGrid)), '');
  else {
    lines.push(
      `${grid.grid.length} networks, one per learning rate x weight decay (${cfg.gridLrs.join(', ')} x ${cfg.gridWeightDecays.join(', ')}), EL2N at epoch ${d.scoreEpoch}; each network's Spearman correlation with the grid mean:`,
      '',
      '| grid point | Spearman with the grid mean |',
      '|---|---|',
      ...grid.spearmanWithMean.map((g) => `| ${g.label} | ${g.spearman.toFixed(3)} |`),
      '',
    );
  }
  const gridPts = prunePoints(ctx.step(STEP.pruneGrid));
  lines.push(...head.map((h) => h.replace('trained / scored by', 'scores')), row('grid-mean EL2N', gridPts, 'keep-top'), row(`EL2N at the study's setting, K = ${cfg.runs}`, own, 'keep-top'), row('random', own, 'random'), '');
  ctx.files.table(`${d.name}-grid-pruning`, [...series(gridPts, 'keep-top', d.model, 'grid mean'), ...series(own, 'keep-top', d.model, 'el2n'), ...series(own, 'random', d.model, 'random')]);
  const gridAgree = fractions.filter((x) => overlaps(pointAt(gridPts, 'keep-top', x), pointAt(own, 'keep-top', x)));
  if (fractions.every((x) => pointAt(gridPts, 'keep-top', x) && pointAt(own, 'keep-top', x))) {
    ctx.verdict({
      source: 'Data Diet, appendix Fig. 14',
      claim: 'EL2N averaged over a hyperparameter grid prunes as well as EL2N of the best setting',
      paper: 'as well for a wide range of fractions (ResNet18 CIFAR-10, CINIC-10; ResNet50 CIFAR-100)',
      ours: `bands overlap at ${gridAgree.length} of ${fractions.length} fractions`,
      verdict: gridAgree.length === fractions.length ? 'reproduced' : gridAgree.length > 0 ? 'partly reproduced' : 'not reproduced',
      criterion: '16-84 bands overlap',
    });
  }
  return lines;
}

function fullOf(ctx: SectionContext) {
  const rows = pruneRows(ctx.step(STEP.pruneEl2n)).filter((r) => r.strategy === 'full data');
  return rows.length ? band(rows.map((r) => r.testAccuracy)) : undefined;
}

function stats(p?: PrunePoint) {
  return p ? { mean: p.mean, lo: p.lo, hi: p.hi, accuracies: p.accuracies } : {};
}

function series(points: readonly PrunePoint[], strategy: string, trained: string, scoredBy: string) {
  return points.filter((p) => p.strategy === strategy).map((p) => ({ trained, scored_by: scoredBy, fraction_pruned: p.fractionPruned, ...stats(p) }));
}
