/**
 * Scores: how stable the K-run means are (Data Diet appendix Fig. 10-11: Spearman of k-run means with the K-run
 * mean; a single run's correlation with the mean) and how the scores rank the data against each other
 * (appendix Fig. 15: GraNd at init, EL2N early, forgetting at the end).
 */
import { spearman, spearmanMatrix, stabilityCurve } from '../../../src/core/analysis/spearman';
import { normalizeBatch } from '../../../src/core/data/normalize';
import { prepareData } from '../../../src/core/experiments/experimentData';
import { curves } from '../../../src/core/charts/curves';
import { correlationMatrix } from '../../../src/core/charts/correlationMatrix';
import type { ScoreTable } from '../../../src/core/store/scoreFiles';
import type { SectionContext } from '../reportSections';
import { LABEL_FREE_SCORES, STEP } from '../studyPlan';
import { pendingText, scoreTable } from '../studyReads';

interface NamedScore {
  readonly label: string;
  readonly table: ScoreTable;
}

/** Every score of the study's score runs over the whole training set, labelled with when it was taken. */
function studyScores(ctx: SectionContext): { scores: NamedScore[]; missing: string[] } {
  const t = ctx.d.scoreEpoch;
  const wanted: [string, string, string][] = [
    [STEP.scoresInit, 'grand', 'GraNd, init'],
    [STEP.scoresInit, 'el2n', 'EL2N, init'],
    [STEP.scoresEarly, 'el2n', `EL2N, epoch ${t}`],
    [STEP.scoresEarly, 'grand', `GraNd, epoch ${t}`],
    [STEP.scoresEnd, 'forgetting', 'forgetting'],
    [STEP.scoresEnd, 'el2n', `EL2N, epoch ${ctx.d.epochs}`],
    [STEP.scoresEnd, 'grand-last', `last-layer grad, epoch ${ctx.d.epochs}`],
    ...LABEL_FREE_SCORES.map((s): [string, string, string] => [STEP.scoresLabelFreeInit, s, `${s}, init`]),
    ...LABEL_FREE_SCORES.map((s): [string, string, string] => [STEP.scoresLabelFree, s, `${s}, epoch ${t}`]),
    [STEP.scoresOther, 'el2n', `EL2N of ${ctx.d.transferModel}, epoch ${t}`],
  ];
  const scores: NamedScore[] = [];
  const missing: string[] = [];
  for (const [step, name, label] of wanted) {
    const table = scoreTable(ctx.step(step), name);
    if (table) scores.push({ label, table });
    else if (!missing.includes(step)) missing.push(step);
  }
  return { scores, missing };
}

/** Mean over runs of Spearman(run i, mean of all runs): "a single run's correlation with the average". */
function singleRunSpearman(t: ScoreTable): number {
  const rs = t.perRun.map((r) => spearman(r, t.score));
  return rs.reduce((a, v) => a + v, 0) / rs.length;
}

export async function scoresSection(ctx: SectionContext): Promise<string[]> {
  const { scores, missing } = studyScores(ctx);
  const lines = ['### Scores', ''];
  if (missing.length) lines.push(`Not finished yet: ${missing.map((m) => `${m}: ${pendingText(ctx.step(m))}`).join('; ')}.`, '');
  if (scores.length === 0) return lines;
  const stab = scores.filter((s) => s.table.perRun.length > 1).map((s) => ({ label: s.label, curve: stabilityCurve(s.table.perRun), single: singleRunSpearman(s.table) }));
  if (stab.length) {
    const K = Math.max(...stab.map((s) => s.curve.length));
    const ks = [1, 2, 3, 5].filter((k) => k < K);
    lines.push(
      `Stability of the K-run mean (Data Diet appendix Fig. 10-11): Spearman correlation of the mean of the first k runs with the mean of all ${K}, and the average over runs of one run's correlation with the ${K}-run mean.`,
      '',
      `| score | ${ks.map((k) => `k = ${k}`).join(' | ')} | one run vs mean |`,
      `|---|${ks.map(() => '---|').join('')}---|`,
      ...stab.map((s) => `| ${s.label} | ${ks.map((k) => s.curve[k - 1].toFixed(3)).join(' | ')} | ${s.single.toFixed(3)} |`),
      '',
    );
    ctx.files.table(`${ctx.d.name}-score-stability`, stab.map((s) => ({ score: s.label, single_run_vs_mean: s.single, ...Object.fromEntries(s.curve.map((v, i) => [`k${i + 1}`, v])) })));
    lines.push(
      await ctx.files.figure(
        `${ctx.d.name}-score-stability`,
        curves({ title: `${ctx.d.name}: stability of K-run means`, xTitle: 'runs averaged (k)', yTitle: `Spearman with the ${K}-run mean`, series: stab.map((s) => ({ name: s.label, x: s.curve.map((_, i) => i + 1), y: s.curve })) }),
        'stability of the score means',
      ),
      '',
    );
    const grandInit = stab.find((s) => s.label === 'GraNd, init');
    if (grandInit) {
      ctx.verdict({
        source: 'Data Diet, appendix Fig. 10',
        claim: 'one GraNd-at-init run correlates only about 0.75 with the 10-run mean, so averaging runs matters',
        paper: 'Spearman about 0.75 (ResNet18, CIFAR-10)',
        ours: `${grandInit.single.toFixed(3)} (${ctx.d.model})`,
        verdict: Math.abs(grandInit.single - 0.75) <= 0.1 ? 'reproduced' : 'not reproduced',
        criterion: 'ours within 0.1 of 0.75',
      });
    }
  }
  // Rankings against each other: only tables over the same examples in the same order.
  const first = scores[0].table.index;
  const same = scores.filter((s) => s.table.index.length === first.length && s.table.index.every((v, i) => v === first[i]));
  if (same.length > 1) {
    const m = spearmanMatrix(same.map((s) => ({ name: s.label, values: s.table.score })));
    ctx.files.table(`${ctx.d.name}-score-spearman`, m.names.map((n, i) => ({ score: n, ...Object.fromEntries(m.names.map((o, j) => [o, m.matrix[i][j]])) })));
    lines.push('Spearman rank correlation between the K-run means (appendix Fig. 15 compares GraNd at init, EL2N early and forgetting):', '', await ctx.files.figure(`${ctx.d.name}-score-spearman`, correlationMatrix({ names: m.names, matrix: m.matrix, title: `${ctx.d.name}: Spearman between scores` }), 'Spearman matrix'), '');
    const at = (a: string, b: string) => {
      const i = m.names.indexOf(a);
      const j = m.names.indexOf(b);
      return i >= 0 && j >= 0 ? m.matrix[i][j] : undefined;
    };
    const early = `EL2N, epoch ${ctx.d.scoreEpoch}`;
    const pairs = { 'GraNd init-EL2N': at('GraNd, init', early), 'GraNd init-forgetting': at('GraNd, init', 'forgetting'), 'EL2N-forgetting': at(early, 'forgetting') };
    if (Object.values(pairs).every((v) => v !== undefined)) {
      const best = Object.entries(pairs).reduce((a, b) => (b[1]! > a[1]! ? b : a));
      const allHigh = Object.values(pairs).every((v) => v! > 0.5);
      ctx.verdict({
        source: 'Data Diet, appendix Fig. 15',
        claim: 'GraNd at init, EL2N early and forgetting rank the data alike; EL2N and forgetting the most alike',
        paper: 'high Spearman for every pair, highest for EL2N-forgetting (ResNet18, CIFAR-10)',
        ours: Object.entries(pairs).map(([k, v]) => `${k} ${v!.toFixed(2)}`).join(', '),
        verdict: allHigh && best[0] === 'EL2N-forgetting' ? 'reproduced' : best[0] === 'EL2N-forgetting' ? 'partly reproduced' : 'not reproduced',
        criterion: '"high" read as > 0.5; the highest pair must be EL2N-forgetting',
      });
    }
  }
  lines.push(...(await grandAtInitAndInputSize(ctx)));
  return lines;
}

/** L2 norm of each example's normalized input (the size of the image as the network sees it), in table row order. */
async function inputNorms(ctx: SectionContext, t: ScoreTable): Promise<Float64Array> {
  const data = await prepareData({ dataset: ctx.d.dataset, validation: 0, seed: ctx.cfg.seed, trainSubset: ctx.d.subset });
  const size = data.train.shape[0] * data.train.shape[1] * data.train.shape[2];
  const out = new Float64Array(t.index.length);
  for (let start = 0; start < t.index.length; start += 1024) {
    const idx = t.index.subarray(start, Math.min(t.index.length, start + 1024));
    const x = normalizeBatch(data.train, idx, data.stats);
    for (let r = 0; r < idx.length; r++) {
      let sq = 0;
      for (let j = r * size; j < (r + 1) * size; j++) sq += x[j] * x[j];
      out[start + r] = Math.sqrt(sq);
    }
  }
  return out;
}

/**
 * At initialization the outputs barely depend on the input, so the per-example gradient norm is driven by the
 * size of the input: how far GraNd at init follows the input's L2 norm, over all examples and within each class
 * (Kirsch 2023 questions the paper's GraNd-at-init result; this measures one reason).
 */
async function grandAtInitAndInputSize(ctx: SectionContext): Promise<string[]> {
  const t = scoreTable(ctx.step(STEP.scoresInit), 'grand');
  if (!t) return [];
  const norms = await inputNorms(ctx, t);
  const overall = spearman(t.score, norms);
  const classes = [...new Set(t.label)].sort((a, b) => a - b);
  const within = classes.map((c) => {
    const rows: number[] = [];
    t.label.forEach((l, i) => {
      if (l === c) rows.push(i);
    });
    return spearman(rows.map((i) => t.score[i]), rows.map((i) => norms[i]));
  });
  const mean = within.reduce((a, v) => a + v, 0) / within.length;
  ctx.files.table(`${ctx.d.name}-grand-init-input-norm`, [{ overall, withinClassMean: mean, withinClassMin: Math.min(...within), withinClassMax: Math.max(...within) }]);
  return [
    `GraNd at initialization and the size of the input: Spearman ${overall.toFixed(3)} with the L2 norm of the normalized image over all examples, ${mean.toFixed(3)} within a class on average (from ${Math.min(...within).toFixed(3)} to ${Math.max(...within).toFixed(3)}). ` +
      'A score that follows the input size keeps the largest images of each class rather than its hardest examples.',
    '',
  ];
}
