// Helpers to read Vega's SVG output: every mark is a <g class="mark-TYPE role-ROLE NAME"> holding one element per
// item (<path> for area, line, rect, rule and symbol items; <line> for rules; <text> for text).
import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec, renderSvg } from '../../../../src/core/charts/render';

/** The data marks ("role-mark" groups) of an SVG, as a list of their mark types (mark-line -> "line"). */
export function dataMarks(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-(\w+) role-mark\b/g)].map((m) => m[1]);
}

/** Items drawn by the data marks of one type (the element count inside each such group, summed). */
export function itemCount(svg: string, type: string): number {
  let n = 0;
  for (const m of svg.matchAll(new RegExp(`<g class="mark-${type} role-mark\\b[^>]*>`, 'g'))) {
    const start = m.index! + m[0].length;
    const end = svg.indexOf('</g>', start);
    n += (svg.slice(start, end).match(/<(path|line|text)\b/g) ?? []).length;
  }
  return n;
}

/** The text content of every <text> element, unescaped. */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** Compile (asserting the Vega-Lite compiler has nothing to warn about) and render. */
export async function render(spec: TopLevelSpec): Promise<string> {
  const { warnings } = await compileSpec(spec);
  assert.deepEqual(warnings, [], 'Vega-Lite compile warnings');
  const svg = await renderSvg(spec);
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  return svg;
}

/** Names that would become markup or break out of an attribute or expression string if not escaped. */
export const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '"><script>globalThis.__pwned = 1</script>',
  `'+(globalThis.__pwned=1)+'`,
  '"+(globalThis.__pwned=1)+"',
  'a\\"];globalThis.__pwned=1;//',
  '${globalThis.__pwned=1} & {{datum}}',
];

/** The SVG contains none of the hostile strings' markup and no expression ran. */
export function assertInert(svg: string): void {
  assert.ok(!/<img|<script/i.test(svg), 'raw markup from data in the SVG');
  assert.equal((globalThis as { __pwned?: unknown }).__pwned, undefined, 'a data string was evaluated as code');
}

/** A <text> shows `label` in full, or its beginning cut with an ellipsis (Vega's label limits). */
export function hasLabel(svg: string, label: string): boolean {
  return texts(svg).some((t) => t === label || (t.endsWith('…') && t.length > 4 && label.startsWith(t.slice(0, -1))));
}

/** Heights in pixels of the rect items (Vega writes each as d="Mx,yhWvHh-WZ"), in drawing order. */
export function rectHeights(svg: string): number[] {
  const out: number[] = [];
  for (const m of svg.matchAll(/<g class="mark-rect role-mark\b[^>]*>/g)) {
    const start = m.index! + m[0].length;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    for (const d of body.matchAll(/ d="M[-\d.e]+,[-\d.e]+h[-\d.e]+v([-\d.e]+)h/g)) out.push(Number(d[1]));
  }
  return out;
}
