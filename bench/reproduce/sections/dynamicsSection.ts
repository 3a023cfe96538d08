/**
 * Training dynamics (Data Diet section 5): the NTK kernel velocity of windows of EL2N-sorted examples (Fig. 3) and
 * the linear-mode-connectivity error barrier on the highest- and lowest-EL2N examples (Fig. 4).
 */
import { spearman } from '../../../src/core/analysis/spearman';
import { errorBarrierChart } from '../../../src/core/charts/errorBarrier';
import { kernelVelocity } from '../../../src/core/charts/kernelVelocity';
import { BARRIER_SETS, type BarrierPoint } from '../../../src/core/experiments/errorBarrier';
import type { VelocityRow } from '../../../src/core/experiments/kernelVelocity';
import type { SectionContext } from '../reportSections';
import { STEP } from '../studyPlan';
import { doneTable, pct, pendingText } from '../studyReads';

interface VelocityTable {
  readonly rows: VelocityRow[];
  readonly windowSize: number;
  readonly score: string;
  readonly examples: number;
}

interface BarrierTable {
  readonly summary: BarrierPoint[];
  readonly steps: number;
  readonly subsetSize: number;
  readonly score: string;
}

interface VelocitySummary {
  readonly epoch: number;
  readonly spearman: number;
  readonly peakStartFraction: number;
  readonly lastOverPeak: number;
}

async function velocity(ctx: SectionContext, stepName: string, label: string): Promise<{ lines: string[]; perEpoch?: VelocitySummary[] }> {
  const lines = [`#### Kernel velocity along the EL2N-sorted data, ${label}`, ''];
  const kv = doneTable<VelocityTable>(ctx.step(stepName), 'kernel-velocity.json');
  if (!kv) return { lines: [...lines, pendingText(ctx.step(stepName)), ''] };
  const epochs = [...new Set(kv.rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const perEpoch = epochs.map((epoch): VelocitySummary => {
    const rows = kv.rows.filter((r) => r.epoch === epoch).sort((a, b) => a.start - b.start);
    const peak = rows.reduce((a, r) => (r.velocity > a.velocity ? r : a));
    return { epoch, spearman: spearman(rows.map((r) => r.start), rows.map((r) => r.velocity)), peakStartFraction: peak.startFraction, lastOverPeak: rows[rows.length - 1].velocity / peak.velocity };
  });
  ctx.files.table(`${ctx.d.name}-${stepName}`, perEpoch as unknown as Record<string, unknown>[]);
  lines.push(
    `Cosine distance between the logit-NTK Gram matrices of ${kv.windowSize} contiguous examples at the end of epoch t and t + 1, the examples sorted by EL2N of the same model at epoch t (as the paper). ` +
      `${kv.rows.length / epochs.length} windows spread from the easiest to the hardest of ${kv.examples} examples.`,
    '',
    '| epoch t | Spearman(window position, velocity) | fastest window starts at | hardest window / fastest |',
    '|---|---|---|---|',
    ...perEpoch.map((p) => `| ${p.epoch} | ${p.spearman.toFixed(3)} | ${pct(p.peakStartFraction)} | ${p.lastOverPeak.toFixed(3)} |`),
    '',
    await ctx.files.figure(`${ctx.d.name}-${stepName}`, kernelVelocity({ rows: kv.rows, windowSize: kv.windowSize, score: kv.score, title: `${ctx.d.name}: NTK kernel velocity, ${label}` }), `kernel velocity, ${label}`),
    '',
  );
  return { lines, perEpoch };
}

export async function dynamicsSection(ctx: SectionContext): Promise<string[]> {
  const lines = ['### Training dynamics', ''];
  lines.push(
    `Deviations from the paper: ${ctx.d.model} instead of ResNet18 on CIFAR-10, so no batch norm and ${ctx.d.epochs} epochs instead of 200; velocities at every epoch t to t + 1 (the paper draws epochs 10 and 20); the error barrier's subsets are the paper's ${ctx.cfg.barrierSubset} highest and lowest EL2N examples, with ${ctx.cfg.barrierPairs} pair of children per spawn time.`,
    '',
  );
  const clean = await velocity(ctx, STEP.kernelVelocity, 'clean labels');
  const noisy = await velocity(ctx, STEP.kernelVelocityNoisy, `${Math.round(ctx.cfg.labelNoise * 100)}% of labels corrupted`);
  lines.push(...clean.lines, ...noisy.lines);
  if (clean.perEpoch) {
    const rising = clean.perEpoch.filter((p) => p.spearman > 0).length;
    ctx.verdict({
      source: 'Data Diet, Fig. 3 (left)',
      claim: 'higher-EL2N examples have a faster-moving NTK, at every epoch',
      paper: 'velocity rises with the EL2N rank (CIFAR-10, clean labels)',
      ours: `Spearman(position, velocity) ${clean.perEpoch.map((p) => p.spearman.toFixed(2)).join(', ')} at epochs ${clean.perEpoch.map((p) => p.epoch).join(', ')}`,
      verdict: rising === clean.perEpoch.length ? 'reproduced' : rising > 0 ? 'partly reproduced' : 'not reproduced',
      criterion: 'positive rank correlation at each epoch',
    });
  }
  if (clean.perEpoch && noisy.perEpoch) {
    const mean = (xs: readonly VelocitySummary[]) => xs.reduce((a, p) => a + p.lastOverPeak, 0) / xs.length;
    ctx.verdict({
      source: 'Data Diet, Fig. 3 (right)',
      claim: 'with label noise the velocity drops off for the very highest-EL2N examples',
      paper: 'a sharp drop at the hardest end with 10% noise, none without (CIFAR-10)',
      ours: `hardest window / fastest, mean over epochs: noisy ${mean(noisy.perEpoch).toFixed(3)}, clean ${mean(clean.perEpoch).toFixed(3)}`,
      verdict: mean(noisy.perEpoch) < mean(clean.perEpoch) ? 'reproduced' : 'not reproduced',
      criterion: 'the ratio is lower with noise than without',
    });
  }
  lines.push('#### Error barrier between children', '');
  const eb = doneTable<BarrierTable>(ctx.step(STEP.errorBarrier), 'error-barrier.json');
  if (!eb) lines.push(pendingText(ctx.step(STEP.errorBarrier)), '');
  else {
    const spawns = [...new Set(eb.summary.map((p) => p.spawnStep))].sort((a, b) => a - b);
    const at = (set: string, step: number) => eb.summary.find((p) => p.set === set && p.spawnStep === step);
    lines.push(
      `A parent is trained for ${eb.steps} steps; at each spawn step two children continue it with independent data orders to the end; the barrier is the largest rise of the training error along the line between them above the chord, ` +
        `on the ${eb.subsetSize} highest-EL2N, the ${eb.subsetSize} lowest-EL2N and ${eb.subsetSize} random training examples (EL2N of the parent, ${eb.score}), and on the test split.`,
      '',
      `| spawn step | ${BARRIER_SETS.join(' | ')} |`,
      `|---|${BARRIER_SETS.map(() => '---|').join('')}`,
      ...spawns.map((s) => `| ${s} | ${BARRIER_SETS.map((set) => pct(at(set, s)?.mean)).join(' | ')} |`),
      '',
      await ctx.files.figure(
        `${ctx.d.name}-error-barrier`,
        errorBarrierChart({ series: BARRIER_SETS.map((set) => ({ name: set === 'test' ? 'test split' : `${set} EL2N`, points: eb.summary.filter((p) => p.set === set).map((p) => ({ spawnStep: p.spawnStep, barriers: p.barriers })) })), steps: eb.steps, title: `${ctx.d.name}: error barrier` }),
        'error barrier',
      ),
      '',
    );
    ctx.files.table(`${ctx.d.name}-error-barrier`, eb.summary.map(({ barriers, ...p }) => ({ ...p, barriers })));
    const hiSet = BARRIER_SETS.find((s) => s.startsWith('high'));
    const loSet = BARRIER_SETS.find((s) => s.startsWith('low'));
    if (hiSet && loSet) {
      const higher = spawns.filter((s) => (at(hiSet, s)?.mean ?? 0) > (at(loSet, s)?.mean ?? 0));
      ctx.verdict({
        source: 'Data Diet, Fig. 4',
        claim: 'the barrier falls to about zero early for low-EL2N examples and stays higher for high-EL2N examples',
        paper: 'high-EL2N barrier above the low-EL2N one at every spawn time (CIFAR-10, CINIC-10)',
        ours: `high > low at ${higher.length} of ${spawns.length} spawn steps; ${spawns.map((s) => `t*=${s}: ${pct(at(hiSet, s)?.mean)} vs ${pct(at(loSet, s)?.mean)}`).join(', ')}`,
        verdict: higher.length === spawns.length ? 'reproduced' : higher.length > 0 ? 'partly reproduced' : 'not reproduced',
        criterion: 'mean barrier of the high set above the low set',
      });
    }
  }
  return lines;
}
