/**
 * Per-class counts of the kept sets of a prune or window sweep, as a compact table, and a warning for every class a
 * kept set lost entirely: keeping the "hardest" examples can drop an easy class, and the model then never sees it.
 */
import { textTable } from './textTable';

export interface KeptSet {
  /** e.g. "keep-top 50% pruned" or "window at 20%". */
  readonly label: string;
  /** Kept examples per class, one array per repeat. */
  readonly perClass: readonly (readonly number[])[];
}

/** Up to this many classes get a column each; more are summarized (min, median, max). */
export const MAX_CLASS_COLUMNS = 12;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function meanCounts(set: KeptSet): number[] {
  return set.perClass[0].map((_, k) => Math.round(mean(set.perClass.map((r) => r[k]))));
}

export function keptClassTable(sets: readonly KeptSet[], classNames: readonly string[]): { lines: string[]; warnings: string[] } {
  const usable = sets.filter((s) => s.perClass.length > 0);
  if (usable.length === 0) return { lines: [], warnings: [] };
  const k = usable[0].perClass[0].length;
  const name = (c: number) => classNames[c] ?? String(c);
  let lines: string[];
  if (k <= MAX_CLASS_COLUMNS) {
    lines = textTable(['KEPT SET', ...Array.from({ length: k }, (_, c) => name(c))], usable.map((s) => [s.label, ...meanCounts(s).map(String)]));
  } else {
    lines = textTable(
      ['KEPT SET', 'FEWEST', 'MEDIAN', 'MOST'],
      usable.map((s) => {
        const counts = meanCounts(s);
        const order = counts.map((v, c) => ({ v, c })).sort((a, b) => a.v - b.v);
        const at = (i: number) => `${order[i].v} (${name(order[i].c)})`;
        return [s.label, at(0), String(order[Math.floor(order.length / 2)].v), at(order.length - 1)];
      }),
    );
  }
  const warnings: string[] = [];
  for (const s of usable) {
    const gone = Array.from({ length: k }, (_, c) => c).filter((c) => s.perClass.some((r) => r[c] === 0));
    for (const c of gone) {
      const repeats = s.perClass.filter((r) => r[c] === 0).length;
      warnings.push(`${s.label}: class "${name(c)}" has no example left in the kept set${s.perClass.length > 1 ? ` (in ${repeats} of ${s.perClass.length} repeats)` : ''}`);
    }
  }
  return { lines, warnings };
}
