/** Completions for Data Diet cells: commands, argument names, and values (enums, run ids, score names). */
import { argSpec, COMMANDS, commandSpec, describeKind, SCORE_DOCS, type ArgSpec, type CommandSpec } from './commands';
import { words, type Span } from './parse';
import { resolveRun, usable, type RunInfo } from './runRef';
import { commandDoc, argDoc } from './hover';

export type CompletionKind = 'command' | 'argument' | 'value' | 'run' | 'score';

export interface CellCompletion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly insertText: string;
  /** Text this completion replaces. */
  readonly span: Span;
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Ask the editor for the next suggestions right away (after inserting `key=`). */
  readonly retrigger?: boolean;
  /** Order among equals (lower first). */
  readonly sortText?: string;
}

export interface CompletionContext {
  readonly runs?: readonly RunInfo[];
}

/** Completions at `character` of line `line` of the cell text. */
export function completeCell(text: string, line: number, character: number, ctx: CompletionContext = {}): CellCompletion[] {
  const lineText = text.split(/\r?\n/)[line] ?? '';
  const before = lineText.slice(0, character);
  if (before.includes('#')) return [];
  // The word under the cursor: back to the last space, forward to the next.
  const start = before.search(/\S*$/);
  const endMatch = /^\S*/.exec(lineText.slice(character));
  const end = character + (endMatch ? endMatch[0].length : 0);
  const current = lineText.slice(start, character);
  const earlier = words(lineText.slice(0, start), line);
  if (earlier.length === 0) {
    return COMMANDS.map((c, i) => ({
      label: c.name,
      kind: 'command' as const,
      insertText: c.name,
      span: { line, start, end },
      detail: c.summary,
      documentation: commandDoc(c),
      sortText: String(i).padStart(2, '0'),
    }));
  }
  const spec = commandSpec(earlier[0].text);
  if (!spec) return [];
  const eq = current.indexOf('=');
  if (eq >= 0) {
    const arg = argSpec(spec, current.slice(0, eq));
    if (!arg) return [];
    const valueText = current.slice(eq + 1);
    const listStart = arg.kind.type === 'enumList' || arg.kind.type === 'scoreList' || arg.kind.type === 'numberList' ? valueText.lastIndexOf(',') + 1 : 0;
    const span = { line, start: start + eq + 1 + listStart, end };
    const already = valueText.slice(0, listStart).split(',').filter(Boolean);
    return valueCompletions(spec, arg, earlier.map((w) => w.text), ctx, span).filter((c) => !already.includes(c.label));
  }
  const used = new Set(
    earlier.slice(1).map((w) => {
      const i = w.text.indexOf('=');
      return i >= 0 ? w.text.slice(0, i) : '';
    }),
  );
  // Bare words already written fill positional slots in order.
  let slot = 0;
  for (const w of earlier.slice(1)) {
    if (w.text.includes('=')) continue;
    while (slot < spec.positional.length && used.has(spec.positional[slot])) slot++;
    used.add(spec.positional[slot++]);
  }
  while (slot < spec.positional.length && used.has(spec.positional[slot])) slot++;
  const span = { line, start, end };
  const out: CellCompletion[] = [];
  if (slot < spec.positional.length) out.push(...valueCompletions(spec, argSpec(spec, spec.positional[slot])!, earlier.map((w) => w.text), ctx, span));
  spec.args.forEach((a, i) => {
    if (used.has(a.name)) return;
    out.push({
      label: `${a.name}=`,
      kind: 'argument',
      insertText: `${a.name}=`,
      span,
      detail: describeKind(a.kind) + (a.default !== undefined ? ` (default ${a.default})` : ''),
      documentation: argDoc(spec, a),
      retrigger: true,
      sortText: `1${String(i).padStart(2, '0')}`,
    });
  });
  return out;
}

function valueCompletions(spec: CommandSpec, arg: ArgSpec, lineWords: readonly string[], ctx: CompletionContext, span: Span): CellCompletion[] {
  const simple = (values: readonly string[], kind: CompletionKind = 'value', doc?: (v: string) => string | undefined): CellCompletion[] =>
    values.map((v, i) => ({ label: v, kind, insertText: v, span, documentation: doc?.(v), detail: v === arg.default ? 'default' : undefined, sortText: `0${String(i).padStart(3, '0')}` }));
  const k = arg.kind;
  switch (k.type) {
    case 'enum':
    case 'enumList':
      return simple(k.values);
    case 'bool':
      return simple(['true', 'false']);
    case 'run': {
      const runs = (ctx.runs ?? []).filter((r) => k.kinds.includes(r.kind) && usable(r));
      return [
        { label: 'latest', kind: 'run', insertText: 'latest', span, detail: `newest finished ${k.kinds.join(' or ')} run`, sortText: '0000' },
        ...runs.map((r, i) => ({
          label: r.id,
          kind: 'run' as const,
          insertText: r.id,
          span,
          detail: [r.kind, r.status, r.dataset, r.model].filter(Boolean).join(' · '),
          documentation: r.scores?.length ? `Scores: ${r.scores.join(', ')}` : undefined,
          sortText: `1${String(i).padStart(4, '0')}`,
        })),
      ];
    }
    case 'score':
    case 'scoreList': {
      // Score names the chosen run actually has, else every score Data Diet computes.
      const runArg = lineWords.find((w) => w.startsWith('run='))?.slice(4) ?? 'latest';
      const runKind = argSpec(spec, 'run')?.kind;
      let names: readonly string[] = Object.keys(SCORE_DOCS);
      if (k.type === 'score' && runKind?.type === 'run' && ctx.runs) {
        const r = resolveRun(runArg, runKind.kinds, ctx.runs, runKind.byId);
        const run = 'run' in r ? (r.run.kind === 'score' || r.run.kind === 'audit' ? r.run : ctx.runs.find((x) => x.id === r.run.scoresRun)) : undefined;
        if (run?.scores?.length) names = run.scores;
      }
      return simple(names, 'score', (v) => SCORE_DOCS[v]);
    }
    case 'band':
      return simple(['90-100', '0-10', '45-55']);
    case 'int':
    case 'number':
    case 'numberList':
      return arg.default !== undefined ? simple([arg.default]) : [];
    case 'range':
    case 'text':
      return arg.default !== undefined ? simple([arg.default]) : [];
  }
}
