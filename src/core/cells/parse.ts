/**
 * Syntax of Data Diet cells: splits each line into a command and its `key=value` / positional arguments, matched
 * against the command table (commands.ts). Value checking lives in diagnose.ts; this file only knows words.
 */
import { argSpec, COMMANDS, commandSpec, type CommandSpec } from './commands';

/** A piece of one line, in UTF-16 columns (what editors count). */
export interface Span {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export interface Word {
  readonly text: string;
  readonly span: Span;
}

export interface ParsedArg {
  readonly key: string;
  readonly value: string;
  /** For a positional word, keySpan === valueSpan === the word. */
  readonly keySpan: Span;
  readonly valueSpan: Span;
  readonly span: Span;
  readonly positional: boolean;
}

export interface ParsedLine {
  readonly line: number;
  readonly command: Word;
  readonly spec?: CommandSpec;
  readonly args: readonly ParsedArg[];
}

export type Severity = 'error' | 'warning' | 'information';

export interface CellDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
}

export interface ParsedCell {
  readonly lines: readonly ParsedLine[];
  readonly diagnostics: readonly CellDiagnostic[];
}

/** Words of one line up to a `#` comment, with their columns. */
export function words(text: string, line: number): Word[] {
  const hash = text.indexOf('#');
  const body = hash >= 0 ? text.slice(0, hash) : text;
  const out: Word[] = [];
  const re = /\S+/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push({ text: m[0], span: { line, start: m.index, end: m.index + m[0].length } });
  return out;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** The closest candidate within a couple of typos, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.min(2, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d <= bestD && (best === undefined || d < editDistance(word.toLowerCase(), best))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

const hint = (word: string, candidates: readonly string[]) => {
  const c = closest(word, candidates);
  return c ? ` Did you mean "${c}"?` : '';
};

export function parseLine(text: string, line: number, diagnostics: CellDiagnostic[]): ParsedLine | undefined {
  const ws = words(text, line);
  if (ws.length === 0) return undefined;
  const [command, ...rest] = ws;
  const spec = commandSpec(command.text);
  if (!spec) {
    diagnostics.push({
      severity: 'error',
      message: `Unknown command "${command.text}".${hint(command.text, COMMANDS.map((c) => c.name))} Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
      span: command.span,
    });
    return { line, command, args: [] };
  }
  const args: ParsedArg[] = [];
  const seen = new Set<string>();
  let nextPositional = 0;
  for (const w of rest) {
    const eq = w.text.indexOf('=');
    let arg: ParsedArg;
    if (eq < 0) {
      // A bare word fills the next positional slot not already given by name.
      while (nextPositional < spec.positional.length && seen.has(spec.positional[nextPositional])) nextPositional++;
      if (nextPositional >= spec.positional.length) {
        diagnostics.push({
          severity: 'error',
          message: spec.positional.length
            ? `Unexpected word "${w.text}": "${spec.name}" takes ${spec.positional.join(', ')} as bare words; give other arguments as key=value.`
            : `Unexpected word "${w.text}": arguments of "${spec.name}" are key=value (e.g. ${spec.example}).`,
          span: w.span,
        });
        continue;
      }
      arg = { key: spec.positional[nextPositional++], value: w.text, keySpan: w.span, valueSpan: w.span, span: w.span, positional: true };
    } else {
      const key = w.text.slice(0, eq);
      const value = w.text.slice(eq + 1);
      const keySpan = { line, start: w.span.start, end: w.span.start + eq };
      const valueSpan = { line, start: w.span.start + eq + 1, end: w.span.end };
      if (!key) {
        diagnostics.push({ severity: 'error', message: `Missing argument name before "=" in "${w.text}".`, span: w.span });
        continue;
      }
      if (!argSpec(spec, key)) {
        diagnostics.push({
          severity: 'error',
          message: `"${spec.name}" has no argument "${key}".${hint(key, spec.args.map((a) => a.name))} Arguments: ${spec.args.map((a) => a.name).join(', ')}.`,
          span: keySpan,
        });
        continue;
      }
      arg = { key, value, keySpan, valueSpan, span: w.span, positional: false };
    }
    if (seen.has(arg.key)) {
      diagnostics.push({ severity: 'error', message: `"${arg.key}" is given twice.`, span: arg.span });
      continue;
    }
    seen.add(arg.key);
    args.push(arg);
  }
  return { line, command, spec, args };
}

/** Parses a whole cell: one command per non-blank, non-comment line. */
export function parseCell(text: string): ParsedCell {
  const diagnostics: CellDiagnostic[] = [];
  const lines: ParsedLine[] = [];
  text.split(/\r?\n/).forEach((t, i) => {
    const p = parseLine(t, i, diagnostics);
    if (p) lines.push(p);
  });
  return { lines, diagnostics };
}
