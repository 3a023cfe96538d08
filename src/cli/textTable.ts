/** Plain-text tables for the terminal: a header row and columns padded to their widest cell (the last one unpadded). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
      .join(gap)
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
