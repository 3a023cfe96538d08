/**
 * Checks a parsed cell against the command table and what is known about the runs, and turns each line into a typed
 * query for the executor. The same function gives the editor its squiggles and the executor its input, so a cell
 * that shows no error is one the executor accepts.
 */
import { argSpec, describeKind, SCORE_DOCS, type ArgSpec, type CommandSpec, type ValueKind } from './commands';
import { closest, parseCell, type CellDiagnostic, type ParsedArg, type Span } from './parse';
import { resolveRun, type RunInfo } from './runRef';

export type ArgValue = number | string | boolean | readonly number[] | readonly string[] | { readonly lo: number; readonly hi: number } | { readonly min?: number; readonly max?: number };

export interface CellQuery {
  readonly command: string;
  readonly spec: CommandSpec;
  readonly line: number;
  /** Every argument: given ones, then defaults. */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** Names of the arguments the user wrote. */
  readonly given: ReadonlySet<string>;
}

export interface CellContext {
  /** Known runs, newest first; without it, run ids and score names are not checked. */
  readonly runs?: readonly RunInfo[];
}

export type ParsedValue = { readonly value: ArgValue } | { readonly error: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

function inRange(x: number, min: number, max: number, exclusive?: boolean): boolean {
  return exclusive ? x > min && x < max : x >= min && x <= max;
}

/** Converts one value text to its kind, or says what is wrong with it. */
export function parseValue(kind: ValueKind, text: string): ParsedValue {
  if (text === '') return { error: `missing value (expected ${describeKind(kind)})` };
  switch (kind.type) {
    case 'int': {
      const x = parseNumber(text);
      if (x === undefined || !Number.isInteger(x)) return { error: `"${text}" is not an integer` };
      if (x < kind.min || x > kind.max) return { error: `${x} is out of range (${describeKind(kind)})` };
      return { value: x };
    }
    case 'number': {
      const x = parseNumber(text);
      if (x === undefined) return { error: `"${text}" is not a number` };
      if (!inRange(x, kind.min, kind.max, kind.exclusive)) return { error: `${x} is out of range (${describeKind(kind)})` };
      return { value: x };
    }
    case 'numberList': {
      const parts = text.split(',');
      const out: number[] = [];
      for (const p of parts) {
        const x = parseNumber(p);
        if (x === undefined) return { error: `"${p}" is not a number (expected ${describeKind(kind)})` };
        if (!inRange(x, kind.min, kind.max, kind.exclusive)) return { error: `${x} is out of range (${describeKind(kind)})` };
        out.push(x);
      }
      if (new Set(out).size !== out.length) return { error: `"${text}" repeats a value` };
      return { value: out };
    }
    case 'enum':
      if (!kind.values.includes(text)) return { error: `"${text}" is not one of ${kind.values.join(', ')}${hintFor(text, kind.values)}` };
      return { value: text };
    case 'enumList': {
      const parts = text.split(',');
      for (const p of parts) if (!kind.values.includes(p)) return { error: `"${p}" is not one of ${kind.values.join(', ')}${hintFor(p, kind.values)}` };
      if (new Set(parts).size !== parts.length) return { error: `"${text}" repeats a value` };
      return { value: parts };
    }
    case 'bool':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `"${text}" is not true or false` };
    case 'run':
    case 'text':
      return { value: text };
    case 'score':
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(text)) return { error: `"${text}" is not a score name` };
      return { value: text };
    case 'scoreList': {
      const parts = text.split(',');
      for (const p of parts) if (!(p in SCORE_DOCS)) return { error: `"${p}" is not a score Data Diet computes (${Object.keys(SCORE_DOCS).join(', ')})${hintFor(p, Object.keys(SCORE_DOCS))}` };
      return { value: parts };
    }
    case 'band': {
      const m = /^([^-]+)-([^-]+)$/.exec(text);
      const lo = m ? parseNumber(m[1]) : undefined;
      const hi = m ? parseNumber(m[2]) : undefined;
      if (lo === undefined || hi === undefined) return { error: `"${text}" is not a percentile band like 90-100` };
      if (!(lo >= 0 && hi <= 100 && lo < hi)) return { error: `band ${lo}-${hi} must satisfy 0 <= lo < hi <= 100` };
      return { value: { lo, hi } };
    }
    case 'range': {
      const m = /^(.*)\.\.(.*)$/.exec(text);
      if (!m) return { error: `"${text}" is not a score range like 0.8..1.2` };
      const min = m[1] === '' ? undefined : parseNumber(m[1]);
      const max = m[2] === '' ? undefined : parseNumber(m[2]);
      if ((m[1] !== '' && min === undefined) || (m[2] !== '' && max === undefined)) return { error: `"${text}" is not a score range like 0.8..1.2` };
      if (min === undefined && max === undefined) return { error: 'a range needs at least one end, e.g. 1.0..' };
      if (min !== undefined && max !== undefined && !(min < max)) return { error: `range ${min}..${max} is empty: the first end must be smaller` };
      return { value: { min, max } };
    }
  }
}

function hintFor(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? `. Did you mean "${c}"?` : '';
}

/** The default of an argument as a typed value (the table's defaults are checked by a unit test). */
export function defaultValue(arg: ArgSpec): ArgValue | undefined {
  if (arg.default === undefined) return undefined;
  const v = parseValue(arg.kind, arg.default);
  return 'value' in v ? v.value : undefined;
}

/** The run a query's `run` argument picks from the known runs, when it can be resolved. */
function runOf(spec: CommandSpec, args: readonly ParsedArg[], runs: readonly RunInfo[]): RunInfo | undefined {
  const kind = argSpec(spec, 'run')?.kind;
  if (kind?.type !== 'run') return undefined;
  const ref = args.find((a) => a.key === 'run')?.value ?? 'latest';
  const r = resolveRun(ref, kind.kinds, runs, kind.byId);
  return 'run' in r ? r.run : undefined;
}

/** The score-run holding the score tables a query reads (prune/window runs name theirs). */
function scoreRunOf(run: RunInfo | undefined, runs: readonly RunInfo[]): RunInfo | undefined {
  if (!run || run.kind === 'score' || run.kind === 'audit') return run;
  return runs.find((r) => r.id === run.scoresRun);
}

export interface Diagnosis {
  readonly queries: readonly CellQuery[];
  readonly diagnostics: readonly CellDiagnostic[];
}

/** Parses and checks a cell; lines with errors give no query. */
export function diagnoseCell(text: string, ctx: CellContext = {}): Diagnosis {
  const parsed = parseCell(text);
  const diagnostics: CellDiagnostic[] = [...parsed.diagnostics];
  const queries: CellQuery[] = [];
  for (const line of parsed.lines) {
    const spec = line.spec;
    if (!spec) continue;
    const lineSpan: Span = { line: line.line, start: line.command.span.start, end: line.command.span.end };
    const args: Record<string, ArgValue> = {};
    for (const a of line.args) {
      const s = argSpec(spec, a.key)!;
      const v = parseValue(s.kind, a.value);
      if ('error' in v) diagnostics.push({ severity: 'error', message: `${a.key}: ${v.error}.`, span: a.value === '' ? a.span : a.valueSpan });
      else args[a.key] = v.value;
    }
    const given = new Set(line.args.map((a) => a.key));
    for (const s of spec.args) {
      if (s.required && !given.has(s.name)) diagnostics.push({ severity: 'error', message: `"${spec.name}" needs ${s.name} (${s.doc}) Example: ${spec.example}`, span: lineSpan });
    }
    for (const group of spec.exclusive ?? []) {
      const present = line.args.filter((a) => group.includes(a.key));
      for (const extra of present.slice(1)) {
        diagnostics.push({ severity: 'error', message: `Give only one of ${group.join(', ')} ("${present[0].key}" is already given).`, span: extra.span });
      }
    }
    if (ctx.runs) checkAgainstRuns(spec, line.args, ctx.runs, lineSpan, diagnostics);
    if (diagnostics.some((d) => d.severity === 'error' && d.span.line === line.line)) continue;
    for (const s of spec.args) {
      if (args[s.name] !== undefined) continue;
      const d = defaultValue(s);
      if (d !== undefined) args[s.name] = d;
    }
    queries.push({ command: spec.name, spec, line: line.line, args, given });
  }
  return { queries, diagnostics };
}

/** Run ids that do not exist or have the wrong kind, score names the run does not have. */
function checkAgainstRuns(spec: CommandSpec, args: readonly ParsedArg[], runs: readonly RunInfo[], commandSpan: Span, diagnostics: CellDiagnostic[]): void {
  const runArg = args.find((a) => a.key === 'run');
  const runKind = argSpec(spec, 'run')?.kind;
  if (runKind?.type === 'run') {
    const r = resolveRun(runArg?.value ?? 'latest', runKind.kinds, runs, runKind.byId);
    // A missing `latest` is only a warning: the cell may be meant for after a run finishes.
    if ('error' in r) diagnostics.push({ severity: runArg && runArg.value !== 'latest' ? 'error' : 'warning', message: `run: ${r.error}.`, span: runArg?.valueSpan ?? commandSpan });
  }
  const scoreRun = scoreRunOf(runOf(spec, args, runs), runs);
  for (const a of args) {
    const s = argSpec(spec, a.key);
    if (s?.kind.type === 'scoreList' && scoreRun?.scores) {
      // Analyses of a score run read the tables it has (a `score` cell has no run and computes its own).
      const missing = a.value.split(',').filter((v) => v !== '' && !scoreRun.scores!.includes(v));
      if (missing.length) diagnostics.push({ severity: 'error', message: `Run ${scoreRun.id} has no score "${missing[0]}" (it has ${scoreRun.scores.join(', ') || 'none'}).`, span: a.valueSpan });
      continue;
    }
    if (s?.kind.type !== 'score' || a.value === '') continue;
    if (scoreRun?.scores && !scoreRun.scores.includes(a.value)) {
      // Sweeps of a score run train with whichever table they name: a missing one is an error only where it is read.
      diagnostics.push({
        severity: 'error',
        message: `Run ${scoreRun.id} has no score "${a.value}"${scoreRun.scores.length ? ` (it has ${scoreRun.scores.join(', ')})` : ' (no score tables)'}.${hintFor(a.value, scoreRun.scores) ? hintFor(a.value, scoreRun.scores).slice(1) : ''}`,
        span: a.valueSpan,
      });
    } else if (!scoreRun && !(a.value in SCORE_DOCS)) {
      diagnostics.push({ severity: 'warning', message: `"${a.value}" is not a score Data Diet computes${hintFor(a.value, Object.keys(SCORE_DOCS))}`, span: a.valueSpan });
    }
  }
}
