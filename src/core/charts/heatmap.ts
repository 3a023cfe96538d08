import type { TopLevelSpec } from 'vega-lite';
import { checkFinite, DEFAULT_HEIGHT, DEFAULT_WIDTH, titleOf } from './common';

/**
 * A value per example and epoch as a grid of colored cells, e.g. the gradient norm of a sample of examples over
 * training (how early GraNd / EL2N settle). Rows are examples in the given order, columns epochs.
 */
export interface HeatmapInput {
  /** Example ids, one per row. */
  examples: number[];
  epochs: number[];
  /** values[example][epoch]; NaN cells (not measured) are left blank. */
  values: number[][];
  title?: string;
  /** Color legend title (default "Gradient norm"). */
  valueTitle?: string;
  /** Log color scale, for values spanning orders of magnitude (all drawn values must be positive). */
  logColor?: boolean;
  width?: number;
  height?: number;
}

export interface HeatmapCell {
  example: number;
  epoch: number;
  value: number;
}

export function heatmapCells(input: HeatmapInput): HeatmapCell[] {
  const fn = 'heatmap';
  const { examples, epochs, values } = input;
  if (examples.length === 0 || epochs.length === 0) throw new RangeError(`${fn}: need at least one example and one epoch`);
  if (new Set(examples).size !== examples.length) throw new RangeError(`${fn}: example ids must be distinct`);
  if (new Set(epochs).size !== epochs.length) throw new RangeError(`${fn}: epochs must be distinct`);
  if (values.length !== examples.length) throw new RangeError(`${fn}: values has ${values.length} rows for ${examples.length} examples`);
  const cells: HeatmapCell[] = [];
  examples.forEach((example, i) => {
    checkFinite(fn, 'example id', example);
    if (values[i].length !== epochs.length) throw new RangeError(`${fn}: row ${i} (example ${example}) has ${values[i].length} values for ${epochs.length} epochs`);
    epochs.forEach((epoch, j) => {
      const v = values[i][j];
      if (Number.isNaN(v)) return;
      checkFinite(fn, `value of example ${example} at epoch ${epoch}`, v);
      if (input.logColor && !(v > 0)) throw new RangeError(`${fn}: a log color scale needs positive values; example ${example} at epoch ${epoch} is ${v}`);
      cells.push({ example, epoch, value: v });
    });
  });
  return cells;
}

export function heatmap(input: HeatmapInput): TopLevelSpec {
  const cells = heatmapCells(input);
  const valueTitle = input.valueTitle ?? 'Gradient norm';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? `${valueTitle} over training`, `${input.examples.length.toLocaleString('en-US')} examples x ${input.epochs.length.toLocaleString('en-US')} epochs`),
    width: input.width ?? DEFAULT_WIDTH,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: cells },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'epoch', type: 'ordinal', title: 'Epoch', scale: { domain: input.epochs }, axis: { labelOverlap: 'greedy', labelAngle: 0 } },
      y: { field: 'example', type: 'ordinal', title: 'Example', scale: { domain: input.examples }, axis: { labelOverlap: 'greedy' } },
      color: { field: 'value', type: 'quantitative', title: valueTitle, scale: { scheme: 'viridis', type: input.logColor ? 'log' : 'linear' } },
      tooltip: [
        { field: 'example', type: 'ordinal', title: 'example' },
        { field: 'epoch', type: 'ordinal', title: 'epoch' },
        { field: 'value', type: 'quantitative', title: valueTitle, format: '.4~g' },
      ],
    },
  };
}
