/**
 * Sliding windows (Data Diet section 4, Fig. 2): windows of the EL2N-sorted data from the easy end to the hardest,
 * finely spaced near the hardest end, with clean labels and with 10% of labels corrupted (how many corrupted labels
 * each window holds); the best window is chosen on validation, never on test. And how well the noisy run's scores
 * find the corrupted labels (appendix Fig. 17).
 */
import { windowSweep } from '../../../src/core/charts/windowSweep';
import type { WindowPoint, WindowRow } from '../../../src/core/experiments/windowSweep';
import type { SectionContext } from '../reportSections';
import { STEP } from '../studyPlan';
import { band, doneTable, pct, pendingText, results, unitRows } from '../studyReads';

interface WindowTable {
  readonly size: number;
  readonly examples: number;
  readonly labelNoise?: number;
  readonly corruptedTrained?: number;
  readonly points: WindowPoint[];
}

/** The points so far: the merged table of a finished sweep, else the finished units' rows grouped by offset. */
function windowPoints(ctx: SectionContext, stepName: string): { points: Omit<WindowPoint, 'offsetFraction' | 'keptPerClass'>[]; table?: WindowTable } {
  const s = ctx.step(stepName);
  const table = doneTable<WindowTable>(s, 'window-sweep.json');
  if (table) return { points: table.points, table };
  const rows = unitRows<WindowRow>(s);
  const offsets = [...new Set(rows.map((r) => r.offset))].sort((a, b) => a - b);
  return {
    points: offsets.map((offset) => {
      const g = rows.filter((r) => r.offset === offset);
      const b = band(g.map((r) => r.testAccuracy));
      const val = g.map((r) => r.valAccuracy);
      return { offset, test: g.map((r) => r.testAccuracy), val, testMean: b.mean, testLo: b.lo, testHi: b.hi, valMean: val.reduce((a, v) => a + v, 0) / val.length, ...(g[0].corrupted !== undefined ? { corrupted: g[0].corrupted } : {}) };
    }),
  };
}

async function oneSweep(ctx: SectionContext, stepName: string, noisy: boolean): Promise<{ lines: string[]; bestExcluded?: number; trained?: number }> {
  const { points, table } = windowPoints(ctx, stepName);
  const label = noisy ? `${Math.round(ctx.cfg.labelNoise * 100)}% of labels corrupted` : 'clean labels';
  const lines = [`#### ${label[0].toUpperCase()}${label.slice(1)}`, ''];
  if (!table) lines.push(`${pendingText(ctx.step(stepName))}; the finished units are shown.`, '');
  if (!points.length) return { lines };
  // Every window of a sweep has the same size; the trained examples are the score run's (validation held out).
  const trained = table?.examples ?? Math.round((ctx.d.subset ?? ctx.d.trainExamples) * 0.9);
  const size = table?.size ?? Math.round(ctx.d.windowSize * trained);
  const best = points.reduce((a, p) => (p.valMean > a.valMean ? p : a));
  const excluded = (p: { offset: number }) => Math.max(0, trained - p.offset - size);
  lines.push(
    `| window skips the easiest | leaves out of the hardest | test accuracy [16th, 84th] | validation accuracy |${noisy ? ' corrupted labels in the window |' : ''}`,
    `|---|---|---|---|${noisy ? '---|' : ''}`,
    ...points.map((p) => `| ${p.offset} | ${excluded(p)} (${pct(excluded(p) / trained)}) | ${pct(p.testMean)} [${pct(p.testLo)}, ${pct(p.testHi)}] | ${pct(p.valMean)}${p === best ? ' (best)' : ''} |${noisy ? ` ${p.corrupted ?? ''} |` : ''}`),
    '',
  );
  ctx.files.table(`${ctx.d.name}-${stepName}`, points.map((p) => ({ offset: p.offset, hardest_left_out: excluded(p), test_mean: p.testMean, test_lo: p.testLo, test_hi: p.testHi, val_mean: p.valMean, corrupted: p.corrupted, test: p.test, val: p.val })));
  lines.push(
    `Best window on validation leaves out the ${excluded(best)} hardest examples (${pct(excluded(best) / trained)}); its test accuracy is ${pct(best.testMean)}.${noisy && table?.corruptedTrained !== undefined ? ` ${table.corruptedTrained} of the trained labels are corrupted.` : ''}`,
    '',
    await ctx.files.figure(`${ctx.d.name}-${stepName}`, windowSweep({ size, n: trained, points: points.map((p) => ({ offset: p.offset, val: p.val, test: p.test })), best: { offset: best.offset }, score: `EL2N (epoch ${ctx.d.scoreEpoch})`, title: `${ctx.d.name}: sliding windows, ${label}` }), `sliding windows, ${label}`),
    '',
  );
  return { lines, bestExcluded: table ? excluded(best) / trained : undefined, trained };
}

interface Detection {
  readonly auroc: number;
  readonly averagePrecision: number;
  readonly precisionAt: Record<string, number>;
}

export async function windowSection(ctx: SectionContext): Promise<string[]> {
  const lines = [`### Sliding windows (${Math.round(ctx.d.windowSize * 100)}% of the data)`, ''];
  if (ctx.d.windowSize !== 0.4) lines.push(`The paper slides 40% windows over CIFAR-10. ${ctx.d.dataset} is far easier, so the windows here keep ${Math.round(ctx.d.windowSize * 100)}% of it, where the window's position can still move the test accuracy by more than the noise between seeds (our choice, made before measuring; a different setting for the paper's claim).`, '');
  const clean = await oneSweep(ctx, STEP.windowClean, false);
  const noisy = await oneSweep(ctx, STEP.windowNoisy, true);
  lines.push(...clean.lines, ...noisy.lines);
  if (clean.bestExcluded !== undefined) {
    ctx.verdict({
      source: 'Data Diet, Fig. 2 (left)',
      claim: 'the best window leaves out a small number of the very hardest examples',
      paper: 'CIFAR-10, 40% windows: about 500 of 50,000 left out (1%)',
      ours: `${pct(clean.bestExcluded)} left out`,
      verdict: ctx.d.windowSize !== 0.4 ? 'different setting' : clean.bestExcluded > 0 && clean.bestExcluded <= 0.05 ? 'reproduced' : 'not reproduced',
      criterion: `best window on validation leaves out more than none and at most 5%${ctx.d.windowSize !== 0.4 ? `; our windows keep ${Math.round(ctx.d.windowSize * 100)}%` : ''}`,
    });
  }
  if (clean.bestExcluded !== undefined && noisy.bestExcluded !== undefined) {
    ctx.verdict({
      source: 'Data Diet, Fig. 2 (right)',
      claim: 'with label noise the best window leaves out more of the hardest examples',
      paper: 'the optimum shifts to leave out more (10% noise, CIFAR-10)',
      ours: `clean ${pct(clean.bestExcluded)}, noisy ${pct(noisy.bestExcluded)} left out`,
      verdict: noisy.bestExcluded > clean.bestExcluded ? 'reproduced' : 'not reproduced',
      criterion: 'noisy best window leaves out more than the clean one',
    });
  }
  const det = results<{ detection?: Record<string, Detection> }>(ctx.step(STEP.scoresNoisy))?.detection;
  lines.push(`#### Finding the corrupted labels`, '');
  if (!det) lines.push(pendingText(ctx.step(STEP.scoresNoisy)), '');
  else {
    lines.push('How well each score of the noisy run ranks the corrupted labels first (AUM: low counts as suspicious; the last k is the number of corrupted labels):', '', '| score | AUROC | average precision | precision at k |', '|---|---|---|---|');
    for (const [name, d] of Object.entries(det)) lines.push(`| ${name} | ${d.auroc.toFixed(3)} | ${d.averagePrecision.toFixed(3)} | ${Object.entries(d.precisionAt).map(([k, v]) => `@${k}: ${v.toFixed(3)}`).join(', ')} |`);
    lines.push('');
    ctx.files.table(`${ctx.d.name}-noise-detection`, Object.entries(det).map(([score, d]) => ({ score, auroc: d.auroc, average_precision: d.averagePrecision, ...Object.fromEntries(Object.entries(d.precisionAt).map(([k, v]) => [`precision_at_${k}`, v])) })));
    if (det.el2n) {
      ctx.verdict({
        source: 'Data Diet, appendix Fig. 17',
        claim: 'corrupted labels get higher EL2N scores than clean ones',
        paper: 'the two distributions separate (histogram, no number)',
        ours: `AUROC ${det.el2n.auroc.toFixed(3)}, average precision ${det.el2n.averagePrecision.toFixed(3)}`,
        verdict: det.el2n.auroc > 0.5 ? 'reproduced' : 'not reproduced',
        criterion: 'AUROC above 0.5 (chance)',
      });
    }
  }
  return lines;
}
