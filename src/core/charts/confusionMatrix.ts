import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_WIDTH, titleOf } from './common';
import { tickFormat } from './tickFormat';

/**
 * Confusion matrix: rows the true class, columns the predicted one, each cell showing its count and coloured by
 * the fraction of its row (the recall of the diagonal, the error rates off it), so rare classes read as clearly as
 * common ones. Counts are written in dark or light ink by the cell's fill, with no expression in the spec.
 */
export interface ConfusionMatrixInput {
  /** Class names by label id. */
  labels: string[];
  /** matrix[true][predicted] = examples */
  matrix: number[][];
  split?: string;
  title?: string;
  /** Width of the plot (the matrix is square). */
  width?: number;
}

export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
  /** count / examples of the true class (0 for an empty row). */
  rate: number;
  /** The fill is dark enough for light ink. */
  ink: 'dark' | 'light';
}

/** Above this row fraction the cell's fill is dark (the upper part of the 'blues' scheme). */
const LIGHT_INK_FROM = 0.5;

export function confusionCells(input: ConfusionMatrixInput): ConfusionCell[] {
  const fn = 'confusionMatrix';
  const k = input.labels.length;
  if (k === 0) throw new RangeError(`${fn}: no classes`);
  if (new Set(input.labels).size !== k) throw new RangeError(`${fn}: class names must differ`);
  if (input.matrix.length !== k || input.matrix.some((r) => r.length !== k)) throw new RangeError(`${fn}: ${k} classes need a ${k} x ${k} matrix`);
  const cells: ConfusionCell[] = [];
  input.matrix.forEach((row, t) => {
    const total = row.reduce((a, v) => a + v, 0);
    row.forEach((count, p) => {
      if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`${fn}: counts are non-negative integers, got ${count}`);
      const rate = total > 0 ? count / total : 0;
      cells.push({ actual: input.labels[t], predicted: input.labels[p], count, rate, ink: rate > LIGHT_INK_FROM ? 'light' : 'dark' });
    });
  });
  return cells;
}

/** Accuracy over all examples: the diagonal's share. */
export function matrixAccuracy(matrix: readonly (readonly number[])[]): number {
  let diag = 0;
  let all = 0;
  matrix.forEach((row, t) => row.forEach((v, p) => ((all += v), t === p && (diag += v))));
  return all > 0 ? diag / all : NaN;
}

export function confusionMatrixChart(input: ConfusionMatrixInput): TopLevelSpec {
  const cells = confusionCells(input);
  const k = input.labels.length;
  const size = input.width ?? Math.min(DEFAULT_WIDTH, Math.max(160, 36 * k));
  const axis = { labelOverlap: 'greedy' as const, labelLimit: 90, labelAngle: 0 };
  // Long names over many columns stand upright: a slanted label's bounding box overlaps its neighbours', and the
  // overlap rule then hides every other class name.
  const x = { field: 'predicted', type: 'ordinal' as const, title: 'Predicted class', scale: { domain: input.labels }, axis: { ...axis, orient: 'top' as const, labelAngle: k > 6 && Math.max(...input.labels.map((l) => l.length)) > 3 ? -90 : 0 } };
  const y = { field: 'actual', type: 'ordinal' as const, title: 'True class', scale: { domain: input.labels }, axis };
  const acc = matrixAccuracy(input.matrix);
  const total = input.matrix.flat().reduce((a, v) => a + v, 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? `Confusion matrix${input.split ? ` (${input.split})` : ''}`, `${total.toLocaleString('en-US')} examples; accuracy ${Number.isFinite(acc) ? `${(100 * acc).toFixed(2)}%` : 'n/a'}; colour = share of the true class`),
    width: size,
    height: size,
    data: { values: cells },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'rate', type: 'quantitative', title: 'of true class', scale: { scheme: 'blues', domain: [0, 1] }, legend: { format: tickFormat([0, 1], { percent: true }) } },
          tooltip: [
            { field: 'actual', type: 'nominal', title: 'true' },
            { field: 'predicted', type: 'nominal', title: 'predicted' },
            { field: 'count', type: 'quantitative', title: 'examples', format: ',' },
            { field: 'rate', type: 'quantitative', title: 'of true class', format: '.1%' },
          ],
        },
      },
      ...(k <= 30
        ? [
            {
              mark: { type: 'text' as const, fontSize: k > 15 ? 8 : 11 },
              encoding: {
                x,
                y,
                text: { field: 'count', type: 'quantitative' as const, format: ',' },
                color: { field: 'ink', type: 'nominal' as const, scale: { domain: ['dark', 'light'], range: ['#1f1f1f', '#ffffff'] }, legend: null },
              },
            },
          ]
        : []),
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
