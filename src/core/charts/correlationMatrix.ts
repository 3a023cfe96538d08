import type { TopLevelSpec } from 'vega-lite';
import { checkUniqueNames, titleOf } from './common';

/**
 * A symmetric correlation matrix (e.g. Spearman between EL2N rankings at the points of a hyperparameter grid) as
 * coloured cells with the value written in each. Names travel as data only.
 */
export interface CorrelationMatrixInput {
  names: string[];
  matrix: number[][];
  title?: string;
  /** Side of one cell in pixels. */
  cell?: number;
}

export interface CorrelationCell {
  row: string;
  col: string;
  value: number | null;
  text: string;
}

export function correlationCells(input: CorrelationMatrixInput): CorrelationCell[] {
  const fn = 'correlationMatrix';
  const { names, matrix } = input;
  if (names.length === 0) throw new RangeError(`${fn}: no names`);
  checkUniqueNames(fn, names);
  if (matrix.length !== names.length || matrix.some((r) => r.length !== names.length)) throw new RangeError(`${fn}: matrix must be ${names.length} x ${names.length}`);
  return names.flatMap((row, i) =>
    names.map((col, j) => {
      const v = matrix[i][j];
      if (!Number.isNaN(v) && !(v >= -1 - 1e-9 && v <= 1 + 1e-9)) throw new RangeError(`${fn}: correlations are in [-1, 1], got ${v}`);
      return { row, col, value: Number.isNaN(v) ? null : v, text: Number.isNaN(v) ? '–' : v.toFixed(2) };
    }),
  );
}

export function correlationMatrix(input: CorrelationMatrixInput): TopLevelSpec {
  const cells = correlationCells(input);
  const side = (input.cell ?? 44) * input.names.length;
  const axis = { labelLimit: 200 };
  const x = { field: 'col', type: 'nominal' as const, title: null, sort: input.names, axis: { ...axis, labelAngle: -40 } };
  const y = { field: 'row', type: 'nominal' as const, title: null, sort: input.names, axis };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? 'Spearman rank correlation'),
    width: side,
    height: side,
    data: { values: cells },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'value', type: 'quantitative', title: 'Spearman', scale: { scheme: 'blues', domain: [Math.min(0, ...cells.map((c) => c.value ?? 1)), 1] } },
          tooltip: [
            { field: 'row', type: 'nominal' },
            { field: 'col', type: 'nominal' },
            { field: 'value', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      { mark: { type: 'text', fontSize: 10 }, encoding: { x, y, text: { field: 'text' } } },
    ],
  };
}
