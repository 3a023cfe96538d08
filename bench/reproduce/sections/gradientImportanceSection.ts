/**
 * The gradient-importance paper (Vodrahalli et al. 2018) on the same data: subsets chosen by the per-example
 * gradient norm of the trained network (l2 over the last layer's weights, their choice for MNIST): Max-Gradient,
 * Non-extreme Max-Gradient, Gradient-CDF and random across subset sizes (Fig. 3); the label entropy of the top-k
 * (Fig. 7); top-k overlap across seeds and architectures (Fig. 6); the heatmap of gradient norms over training
 * (Fig. 2); the norm of the summed gradient against the sum of per-example norms over minibatches (Fig. 1).
 */
import { gradHeatmapChart } from '../../../src/core/charts/gradHeatmapChart';
import { gradSumChart } from '../../../src/core/charts/gradSumChart';
import { labelEntropyChart } from '../../../src/core/charts/labelEntropyChart';
import { strategyComparisonChart } from '../../../src/core/charts/strategyComparisonChart';
import { topKOverlapChart } from '../../../src/core/charts/topKOverlapChart';
import type { GradHeatmapTable } from '../../../src/core/experiments/gradHeatmap';
import type { GradSumTable } from '../../../src/core/experiments/gradSum';
import type { LabelEntropyTable } from '../../../src/core/experiments/labelEntropyCurve';
import { PAPER_STRATEGY_NAMES } from '../../../src/core/experiments/strategyComparison';
import type { TopKOverlapTable } from '../../../src/core/experiments/topKOverlapCurve';
import type { SectionContext } from '../reportSections';
import { STEP } from '../studyPlan';
import { bandText, doneTable, pct, pendingText, pointAt, prunePoints, pruneRows } from '../studyReads';

const STRATEGIES = ['keep-top', 'non-extreme', 'gradient-cdf', 'random'] as const;

export async function gradientImportanceSection(ctx: SectionContext): Promise<string[]> {
  const { d } = ctx;
  const lines = ['### Gradient importance (Vodrahalli et al. 2018)', ''];
  lines.push(
    `Scores: the l2 norm of each example's loss gradient over the last layer's weights, at the end of training (${d.epochs} epochs), averaged over K = ${ctx.cfg.runs} networks (the paper: one network). ` +
      'The paper trains each subset "from a random initialization" without stating the budget; here every subset keeps the full-data iteration budget.',
    '',
  );
  const st = ctx.step(STEP.strategies);
  const points = prunePoints(st);
  if (st?.run?.manifest.status !== 'done') lines.push(`${pendingText(st)}; the finished units are shown.`, '');
  const kept = ctx.cfg.keptFractions;
  if (points.length) {
    lines.push(`| kept | ${STRATEGIES.map((s) => PAPER_STRATEGY_NAMES[s]).join(' | ')} |`, `|---|${STRATEGIES.map(() => '---|').join('')}`);
    for (const k of kept) lines.push(`| ${pct(k)} (${Math.round(k * (d.subset ?? d.trainExamples))}) | ${STRATEGIES.map((s) => bandText(pointAt(points, s, Math.round((1 - k) * 1e6) / 1e6)).replace('pending', '')).join(' | ')} |`);
    lines.push('');
    const rows = pruneRows(st);
    ctx.files.table(`${d.name}-gradient-strategies`, points.map((p) => ({ strategy: p.strategy, kept: 1 - p.fractionPruned, mean: p.mean, lo: p.lo, hi: p.hi, accuracies: p.accuracies })));
    lines.push(await ctx.files.figure(`${d.name}-gradient-strategies`, strategyComparisonChart({ rows, names: PAPER_STRATEGY_NAMES, score: 'last-layer gradient norm', title: `${d.name}: subsets by gradient norm` }), 'subset strategies'), '');
    if (st?.run?.manifest.status === 'done') {
      // Their Fig. 3: the smallest subset from which Max-Gradient stays above random.
      const over = kept.filter((k) => {
        const f = Math.round((1 - k) * 1e6) / 1e6;
        return (pointAt(points, 'keep-top', f)?.mean ?? 0) > (pointAt(points, 'random', f)?.mean ?? 1);
      });
      const from = kept.find((k) => kept.filter((x) => x >= k).every((x) => over.includes(x)));
      ctx.verdict({
        source: 'Vodrahalli et al., Fig. 3',
        claim: 'Max-Gradient overtakes random from about 3% of MNIST (Non-extreme from 0.6%)',
        paper: 'MNIST: above random from 3% of the training data',
        ours: from !== undefined ? `above random from ${pct(from)} kept (${kept.map((k) => pct(k)).join(', ')} tried)` : `not above random at any size up to ${pct(Math.max(...kept))}`,
        verdict: d.dataset !== 'mnist' ? 'different setting' : from !== undefined && from <= 0.03 ? 'reproduced' : 'not reproduced',
        criterion: `mean above random's mean at that size and every larger one tried${d.dataset !== 'mnist' ? '; the paper has no Fashion-MNIST result' : ''}`,
      });
    }
  }

  lines.push('#### Label entropy of the top-k', '');
  const ent = doneTable<LabelEntropyTable>(ctx.step(STEP.entropy), 'label-entropy.json');
  if (!ent) lines.push(pendingText(ctx.step(STEP.entropy)), '');
  else {
    const small = ent.ks.findIndex((k) => k >= 0.01 * ent.examples);
    const i = small >= 0 ? small : 0;
    lines.push(
      `Entropy (nats) of the labels of the k highest-scoring examples; ln ${ent.numClasses} = ${ent.uniform.toFixed(3)}, the data's own ${ent.dataset.toFixed(3)}; random top-k sets: ${ent.random[i].toFixed(3)} at k = ${ent.ks[i]}.`,
      '',
      `| score | k = ${ent.ks[i]} | k = ${ent.ks[Math.min(ent.ks.length - 1, i + 2)]} |`,
      '|---|---|---|',
      ...ent.series.map((s) => `| ${s.score} | ${s.entropy[i].toFixed(3)} | ${s.entropy[Math.min(ent.ks.length - 1, i + 2)].toFixed(3)} |`),
      '',
      await ctx.files.figure(`${d.name}-label-entropy`, labelEntropyChart({ ...ent, title: `${d.name}: label entropy of the top-k` }), 'label entropy of the top-k'),
      '',
    );
    ctx.files.table(`${d.name}-label-entropy`, ent.ks.map((k, j) => ({ k, random: ent.random[j], ...Object.fromEntries(ent.series.map((s) => [s.score, s.entropy[j]])) })));
    const g = ent.series.find((s) => s.score === 'grand-last');
    if (g) {
      ctx.verdict({
        source: 'Vodrahalli et al., Fig. 7',
        claim: 'the largest-gradient examples crowd into a few classes: lower label entropy at small k',
        paper: 'entropy below the uniform baseline at small k (MNIST, CIFAR-10)',
        ours: `${g.entropy[i].toFixed(3)} nats at k = ${ent.ks[i]} vs random top-k ${ent.random[i].toFixed(3)}`,
        verdict: g.entropy[i] < ent.random[i] ? 'reproduced' : 'not reproduced',
        criterion: 'below the entropy of random top-k sets',
      });
    }
  }

  lines.push('#### Top-k overlap', '');
  for (const [step, what] of [[STEP.overlapRuns, 'two seeds of the same model'], [STEP.overlapModels, `${d.model} and ${d.transferModel}`]] as const) {
    const t = doneTable<TopKOverlapTable>(ctx.step(step), 'topk-overlap.json');
    if (!t) {
      lines.push(`${what}: ${pendingText(ctx.step(step))}`, '');
      continue;
    }
    const i = Math.max(0, t.ks.findIndex((k) => k >= 0.01 * t.examples));
    const mean = t.series.reduce((a, s) => a + s.overlap[i], 0) / t.series.length;
    lines.push(`${what}: mean overlap of the top ${t.ks[i]} ${pct(mean)} (chance ${pct(t.baseline[i])}).`, '', await ctx.files.figure(`${d.name}-${step}`, topKOverlapChart({ ...t, series: t.series.slice(0, 6), title: `${d.name}: top-k overlap, ${what}` }), `top-k overlap, ${what}`), '');
    ctx.files.table(`${d.name}-${step}`, t.ks.map((k, j) => ({ k, chance: t.baseline[j], ...Object.fromEntries(t.series.map((s) => [s.name, s.overlap[j]])) })));
    if (step === STEP.overlapModels) {
      ctx.verdict({
        source: 'Vodrahalli et al., Fig. 6',
        claim: 'the largest-gradient sets of two architectures overlap more than chance, but little at small k',
        paper: 'above the random baseline, a small fraction at small sizes (CIFAR-10)',
        ours: `${pct(mean)} at k = ${t.ks[i]} vs chance ${pct(t.baseline[i])}`,
        verdict: mean > t.baseline[i] && mean < 0.5 ? 'reproduced' : 'not reproduced',
        criterion: 'above chance and below one half',
      });
    }
  }

  lines.push('#### Gradient norms over training', '');
  const hm = doneTable<GradHeatmapTable>(ctx.step(STEP.gradHeatmap), 'grad-heatmap.json');
  if (!hm) lines.push(pendingText(ctx.step(STEP.gradHeatmap)), '');
  else {
    // Spread of the sample's norms per epoch: the ratio of the 90th to the 10th percentile.
    const spread = hm.epochs.map((e, j) => {
      const col = hm.values.map((r) => r[j]).sort((a, b) => a - b);
      const q = (p: number) => col[Math.min(col.length - 1, Math.floor(p * col.length))];
      return { epoch: e, p10: q(0.1), p90: q(0.9), ratio: q(0.9) / Math.max(q(0.1), 1e-30) };
    });
    ctx.files.table(`${d.name}-grad-heatmap-spread`, spread);
    lines.push(
      `Last-layer gradient norms of ${hm.examples.length} random training examples at initialization and after each epoch; 90th / 10th percentile of the sample: ${spread.map((s) => `epoch ${s.epoch}: ${s.ratio.toFixed(1)}`).join(', ')}.`,
      '',
      await ctx.files.figure(`${d.name}-grad-heatmap`, gradHeatmapChart({ ...hm, title: `${d.name}: last-layer gradient norms` }), 'gradient-norm heatmap'),
      '',
    );
    const first = spread[0];
    const last = spread[spread.length - 1];
    ctx.verdict({
      source: 'Vodrahalli et al., Fig. 2',
      claim: 'gradient norms start alike and spread apart: late in training only some examples still have large gradients',
      paper: 'MNIST heatmap: uniform at the start, a few large by the end (log scale)',
      ours: `90th/10th percentile ratio ${first.ratio.toFixed(1)} at init, ${last.ratio.toFixed(1)} at the end`,
      verdict: last.ratio > first.ratio ? 'reproduced' : 'not reproduced',
      criterion: 'the ratio grows from initialization to the end',
    });
  }

  lines.push('#### ‖sum of gradients‖ vs sum of ‖gradients‖', '');
  const gs = doneTable<GradSumTable>(ctx.step(STEP.gradSum), 'grad-sum.json');
  if (!gs) lines.push(pendingText(ctx.step(STEP.gradSum)), '');
  else {
    lines.push(
      `Over ${gs.rows.length} random minibatches of ${gs.batchSize} (all epochs pooled): Pearson correlation ${gs.pearson.toFixed(3)} between the norm of the summed gradient and the sum of the per-example norms.`,
      '',
      '| epoch | Pearson | mean ratio ‖sum‖ / sum ‖.‖ |',
      '|---|---|---|',
      ...gs.perEpoch.map((p) => `| ${p.epoch} | ${p.pearson.toFixed(3)} | ${p.meanRatio.toFixed(3)} |`),
      '',
      await ctx.files.figure(`${d.name}-grad-sum`, gradSumChart({ rows: gs.rows, batchSize: gs.batchSize, pearson: gs.pearson, title: `${d.name}: gradient of the batch vs its examples` }), 'norm of sum vs sum of norms'),
      '',
    );
    ctx.files.table(`${d.name}-grad-sum`, gs.perEpoch);
    ctx.verdict({
      source: 'Vodrahalli et al., Fig. 1',
      claim: 'the sum of per-example gradient norms tracks the norm of the batch gradient (linear correlation)',
      paper: 'linear correlation over ImageNet minibatches (VGG16)',
      ours: `Pearson ${gs.pearson.toFixed(3)}`,
      verdict: d.dataset === 'mnist' || d.dataset === 'fashion-mnist' ? (gs.pearson > 0.5 ? 'reproduced' : 'not reproduced') : 'different setting',
      criterion: 'Pearson above 0.5; the paper shows ImageNet, we measure it here',
    });
  }
  return lines;
}
