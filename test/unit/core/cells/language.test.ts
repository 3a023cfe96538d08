import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/paths';
import { COMMANDS, SCORE_DOCS } from '../../../../src/core/cells/commands';
import { completeCell } from '../../../../src/core/cells/complete';
import { defaultValue, diagnoseCell, parseValue } from '../../../../src/core/cells/diagnose';
import { cellLanguageReference, hoverCell } from '../../../../src/core/cells/hover';
import { parseCell } from '../../../../src/core/cells/parse';
import { resolveRun, type RunInfo } from '../../../../src/core/cells/runRef';
import { SCORE_NAMES } from '../../../../src/core/experiments/scoreRun';

const runs: RunInfo[] = [
  { id: '20261201-101500-prune-aaaa', kind: 'prune', status: 'done', dir: '/r/p', scoresRun: '20261201-100000-score-bbbb', results: {} },
  { id: '20261201-100500-score-cccc', kind: 'score', status: 'failed', dir: '/r/f', error: 'boom' },
  { id: '20261201-100000-score-bbbb', kind: 'score', status: 'done', dir: '/r/s', scores: ['el2n', 'grand'], dataset: 'mnist', results: {} },
];

/** The text a diagnostic underlines. */
function underlined(text: string, d: { span: { line: number; start: number; end: number } }): string {
  return text.split('\n')[d.span.line].slice(d.span.start, d.span.end);
}

test('cells: every default in the command table is a valid value of its kind', () => {
  for (const c of COMMANDS) {
    for (const a of c.args) {
      if (a.default === undefined) continue;
      assert.notEqual(defaultValue(a), undefined, `${c.name} ${a.name}=${a.default}`);
    }
    for (const p of c.positional) assert.ok(c.args.some((a) => a.name === p), `${c.name}: positional ${p} is an argument`);
    // Every example in the docs parses without errors.
    assert.deepEqual(diagnoseCell(c.example).diagnostics.filter((d) => d.severity === 'error'), [], c.example);
  }
});

test("cells: score docs cover exactly the scores the score job computes, and an audit's label-quality table", () => {
  assert.deepEqual(Object.keys(SCORE_DOCS).sort(), [...SCORE_NAMES, 'label-quality'].sort());
});

test('cells: positional words, key=value args, comments and defaults become a typed query', () => {
  const text = '# look at the hardest examples\ngallery el2n lowest per-class=4 run=latest  # per class\n\nhistogram grand by=noise bins=50';
  const { queries, diagnostics } = diagnoseCell(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(queries.length, 2);
  assert.equal(queries[0].command, 'gallery');
  assert.equal(queries[0].line, 1);
  assert.deepEqual(
    { score: queries[0].args.score, order: queries[0].args.order, perClass: queries[0].args['per-class'], run: queries[0].args.run, limit: queries[0].args.limit },
    { score: 'el2n', order: 'lowest', perClass: 4, run: 'latest', limit: 1000 },
  );
  assert.deepEqual([...queries[0].given].sort(), ['order', 'per-class', 'run', 'score']);
  assert.deepEqual({ score: queries[1].args.score, by: queries[1].args.by, bins: queries[1].args.bins }, { score: 'grand', by: 'noise', bins: 50 });
});

test('cells: lists, bands and ranges parse to values', () => {
  const q = diagnoseCell('prune fractions=0.3,0.5,0.7 strategy=keep-top,random seeds=2').queries[0];
  assert.deepEqual(q.args.fractions, [0.3, 0.5, 0.7]);
  assert.deepEqual(q.args.strategy, ['keep-top', 'random']);
  assert.deepEqual(diagnoseCell('gallery el2n band=90-100').queries[0].args.band, { lo: 90, hi: 100 });
  assert.deepEqual(diagnoseCell('gallery el2n range=0.8..1.2').queries[0].args.range, { min: 0.8, max: 1.2 });
  assert.deepEqual(diagnoseCell('gallery el2n range=1..').queries[0].args.range, { min: 1, max: undefined });
  assert.deepEqual(diagnoseCell('compare el2n grand').queries[0].args, { x: 'el2n', y: 'grand', run: 'latest' });
});

test('cells: errors name the problem and underline the offending text', () => {
  const cases: [string, string, RegExp][] = [
    ['histgram el2n', 'histgram', /Unknown command "histgram".*Did you mean "histogram"/],
    ['histogram el2n bins=1', '1', /bins: 1 is out of range \(integer 2\.\.500\)/],
    ['histogram el2n bins=ten', 'ten', /"ten" is not an integer/],
    ['histogram el2n bin=10', 'bin', /no argument "bin".*Did you mean "bins"/],
    ['histogram el2n by=clas', 'clas', /not one of none, class, noise.*Did you mean "class"/],
    ['gallery el2n band=90-80', '90-80', /0 <= lo < hi <= 100/],
    ['gallery el2n range=2..1', '2..1', /empty/],
    ['gallery el2n lowest band=90-100', 'band=90-100', /only one of order, band, range/],
    ['prune fractions=0.3,1.5', '0.3,1.5', /1.5 is out of range/],
    ['prune strategy=keep-top,best', 'keep-top,best', /"best" is not one of/],
    ['histogram el2n bins=10 bins=20', 'bins=20', /given twice/],
    ['runs score extra', 'extra', /Unexpected word "extra"/],
    ['compare el2n', 'compare', /needs y/],
    ['histogram el2n bins=', 'bins=', /missing value/],
  ];
  for (const [text, under, message] of cases) {
    const { diagnostics, queries } = diagnoseCell(text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, `${text}: ${JSON.stringify(diagnostics)}`);
    assert.match(errors[0].message, message, text);
    assert.equal(underlined(text, errors[0]), under, text);
    assert.equal(queries.length, 0, text);
  }
});

test('cells: run ids and score names are checked against the known runs', () => {
  const bad = diagnoseCell('histogram forgetting run=20261201-100000-score-bbbb', { runs });
  assert.equal(bad.diagnostics.length, 1);
  assert.match(bad.diagnostics[0].message, /has no score "forgetting" \(it has el2n, grand\)/);
  assert.equal(underlined('histogram forgetting run=20261201-100000-score-bbbb', bad.diagnostics[0]), 'forgetting');

  const wrongKind = diagnoseCell('histogram el2n run=20261201-101500-prune-aaaa', { runs });
  assert.match(wrongKind.diagnostics[0].message, /is a prune run; this needs a score or audit run/);
  const failed = diagnoseCell('histogram el2n run=20261201-100500', { runs });
  assert.match(failed.diagnostics[0].message, /is failed \(boom\)/);
  const missing = diagnoseCell('histogram el2n run=nope', { runs });
  assert.match(missing.diagnostics[0].message, /no run "nope"/);

  // latest skips the failed run; a unique prefix works.
  assert.deepEqual(diagnoseCell('histogram el2n\ngallery grand band=0-10 run=20261201-1000', { runs }).diagnostics, []);
  // Nothing recorded yet: only a warning, the query still stands.
  const none = diagnoseCell('histogram el2n', { runs: [] });
  assert.equal(none.diagnostics[0].severity, 'warning');
  assert.match(none.diagnostics[0].message, /no finished score run yet/);
  assert.equal(none.queries.length, 1);
  // A prune run's scores come from its score run.
  assert.match(diagnoseCell('prune score=aum', { runs }).diagnostics[0].message, /has no score "aum"/);
});

test('cells: run=latest takes the newest usable run of the accepted kinds', () => {
  assert.equal((resolveRun('latest', ['score'], runs) as { run: RunInfo }).run.id, '20261201-100000-score-bbbb');
  assert.equal((resolveRun('latest', ['prune', 'score'], runs) as { run: RunInfo }).run.id, '20261201-101500-prune-aaaa');
  assert.match((resolveRun('2026', ['score'], runs) as { error: string }).error, /matches 3 runs/);
});

test('cells: values parse by kind', () => {
  assert.deepEqual(parseValue({ type: 'number', min: 0, max: 1, exclusive: true }, '1'), { error: '1 is out of range (number > 0 and < 1)' });
  assert.deepEqual(parseValue({ type: 'bool' }, 'true'), { value: true });
  assert.deepEqual(parseValue({ type: 'scoreList' }, 'el2n,aum'), { value: ['el2n', 'aum'] });
  assert.match((parseValue({ type: 'scoreList' }, 'el2m') as { error: string }).error, /Did you mean "el2n"/);
  assert.deepEqual(parseValue({ type: 'int', min: 0, max: 9 }, '1e1'), { error: '10 is out of range (integer 0..9)' });
});

test('cells: completions offer commands, unused arguments, values, runs and score names', () => {
  const labels = (text: string, line: number, ch: number) => completeCell(text, line, ch, { runs }).map((c) => c.label);
  assert.deepEqual(labels('', 0, 0), COMMANDS.map((c) => c.name));
  assert.deepEqual(labels('  his', 0, 5).includes('histogram'), true);
  const c = completeCell('his', 0, 3, { runs })[1];
  assert.deepEqual(c.span, { line: 0, start: 0, end: 3 });

  // After the command: the positional score names of the latest score run, then argument names.
  const afterCmd = labels('histogram ', 0, 10);
  assert.deepEqual(afterCmd.slice(0, 2), ['el2n', 'grand']);
  assert.ok(afterCmd.includes('bins=') && afterCmd.includes('run=') && afterCmd.includes('score='));
  // Positional filled and bins used: neither score nor bins offered again.
  const later = labels('histogram el2n bins=5 ', 0, 22);
  assert.ok(!later.includes('bins=') && !later.includes('score=') && !later.includes('el2n') && later.includes('by='));

  assert.deepEqual(labels('histogram el2n by=', 0, 18), ['none', 'class', 'noise']);
  assert.deepEqual(labels('histogram el2n run=', 0, 19), ['latest', '20261201-100000-score-bbbb']);
  assert.deepEqual(labels('prune run=', 0, 10), ['latest', '20261201-101500-prune-aaaa', '20261201-100000-score-bbbb']);
  // List values: after a comma, the rest of the list, replacing only the last item.
  const list = completeCell('prune strategy=keep-top,r', 0, 25, { runs });
  assert.ok(!list.some((x) => x.label === 'keep-top'));
  assert.deepEqual(list.find((x) => x.label === 'random')?.span, { line: 0, start: 24, end: 25 });
  // Score names follow the chosen run; a prune cell reads its score run's tables.
  assert.deepEqual(labels('prune score=', 0, 12), ['el2n', 'grand']);
  assert.deepEqual(labels('gallery el2n ', 0, 13).slice(0, 2), ['lowest', 'highest']);
  assert.deepEqual(labels('runs # kind=', 0, 12), []);
  assert.deepEqual(labels('nonsense ', 0, 9), []);
});

test('cells: hovers explain commands, arguments, scores and runs', () => {
  const text = 'histogram el2n run=20261201-100000-score-bbbb bins=50';
  assert.match(hoverCell(text, 0, 3)!.markdown, /\*\*histogram\*\* — Histogram of a score/);
  assert.match(hoverCell(text, 0, 12)!.markdown, /EL2N: L2 norm/);
  assert.match(hoverCell(text, 0, 30, { runs })!.markdown, /score run, done\n- dataset: mnist/);
  const bins = hoverCell(text, 0, 48)!;
  assert.match(bins.markdown, /\*\*bins\*\* — Number of bins\.\n\nValue: integer 2\.\.500; default `40`/);
  assert.deepEqual(bins.span, { line: 0, start: 46, end: 53 });
  assert.equal(hoverCell('# histogram', 0, 4), undefined);
  assert.equal(hoverCell(text, 0, 60), undefined);
});

test('cells: the generated reference lists every command and argument', () => {
  const ref = cellLanguageReference();
  for (const c of COMMANDS) {
    assert.ok(ref.includes(`### \`${c.name}\``), c.name);
    for (const a of c.args) assert.ok(ref.includes(`| \`${a.name}\``), `${c.name} ${a.name}`);
  }
});

test('cells: parse keeps columns exact with tabs and CRLF', () => {
  const p = parseCell('runs\r\n\thistogram  el2n\tbins=3');
  assert.equal(p.lines.length, 2);
  assert.deepEqual(p.lines[1].command.span, { line: 1, start: 1, end: 10 });
  assert.deepEqual(p.lines[1].args[1].valueSpan, { line: 1, start: 22, end: 23 });
});

test('cells: docs/notebook-cells.md is the generated reference (DATADIET_UPDATE_DOCS=1 rewrites it)', () => {
  const file = path.join(repoRoot(), 'docs', 'notebook-cells.md');
  const want = `# Data Diet notebook cells\n\n<!-- Generated from src/core/cells/commands.ts by test/unit/core/cells/language.test.ts (DATADIET_UPDATE_DOCS=1). -->\n\n${cellLanguageReference()}`;
  if (process.env.DATADIET_UPDATE_DOCS) fs.writeFileSync(file, want);
  assert.equal(fs.readFileSync(file, 'utf8'), want, 'docs/notebook-cells.md is stale: rerun this test with DATADIET_UPDATE_DOCS=1');
});
