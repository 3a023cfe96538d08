import type { TopLevelSpec } from 'vega-lite';
import { checkFinite, DEFAULT_HEIGHT, DEFAULT_WIDTH, titleOf } from './common';

/**
 * ||sum of gradients|| against sum of ||gradients|| for random minibatches (Vodrahalli et al. 2018, Fig. 1): one
 * point per minibatch and measured epoch, coloured by epoch, on log axes (linear if a norm is 0), Pearson
 * correlation in the subtitle. Reads the
 * experiment's grad-sum.json.
 */
export interface GradSumChartInput {
  rows: { epoch: number; batch: number; normOfSum: number; sumOfNorms: number }[];
  batchSize: number;
  pearson?: number;
  title?: string;
  width?: number;
  height?: number;
}

export function gradSumChart(input: GradSumChartInput): TopLevelSpec {
  const fn = 'gradSumChart';
  if (input.rows.length === 0) throw new RangeError(`${fn}: no minibatches`);
  const rows = input.rows.map((r) => {
    checkFinite(fn, `sum of norms of batch ${r.batch} at epoch ${r.epoch}`, r.sumOfNorms);
    checkFinite(fn, `norm of sum of batch ${r.batch} at epoch ${r.epoch}`, r.normOfSum);
    return { epoch: r.epoch, batch: r.batch, sumOfNorms: r.sumOfNorms, normOfSum: r.normOfSum, ratio: r.sumOfNorms > 0 ? r.normOfSum / r.sumOfNorms : null };
  });
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  // Norms shrink by orders of magnitude over training: log axes keep every epoch's cloud visible.
  const log = rows.every((r) => r.sumOfNorms > 0 && r.normOfSum > 0);
  const sub = `${rows.length.toLocaleString('en-US')} minibatches of ${input.batchSize}` + (input.pearson !== undefined && Number.isFinite(input.pearson) ? `, Pearson r = ${input.pearson.toFixed(3)}` : '');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? '||sum of gradients|| vs sum of ||gradients||', sub),
    width: input.width ?? DEFAULT_WIDTH,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: rows },
    mark: { type: 'point', filled: true, opacity: 0.8 },
    encoding: {
      x: { field: 'sumOfNorms', type: 'quantitative', title: 'Sum of per-example gradient norms', scale: log ? { type: 'log' } : { zero: false } },
      y: { field: 'normOfSum', type: 'quantitative', title: 'Norm of the minibatch gradient sum', scale: log ? { type: 'log' } : { zero: false } },
      color: { field: 'epoch', type: 'ordinal', title: 'Epoch', scale: { domain: epochs, scheme: 'viridis' } },
      tooltip: [
        { field: 'epoch', type: 'ordinal' },
        { field: 'batch', type: 'ordinal' },
        { field: 'sumOfNorms', type: 'quantitative', title: 'sum of norms', format: '.4~g' },
        { field: 'normOfSum', type: 'quantitative', title: 'norm of sum', format: '.4~g' },
        { field: 'ratio', type: 'quantitative', title: 'ratio', format: '.3f' },
      ],
    },
  };
}
