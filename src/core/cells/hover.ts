/** Hover docs for Data Diet cells, and the markdown reference of the language, both from the command table. */
import { argSpec, COMMANDS, describeKind, SCORE_DOCS, type ArgSpec, type CommandSpec } from './commands';
import { parseLine, type Span } from './parse';
import { resolveRun, type RunInfo } from './runRef';

export interface CellHover {
  /** Markdown. */
  readonly markdown: string;
  readonly span: Span;
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

export function argDoc(spec: CommandSpec, a: ArgSpec): string {
  const pos = spec.positional.indexOf(a.name);
  return [
    `**${a.name}** — ${a.doc}`,
    '',
    `Value: ${describeKind(a.kind)}${a.default !== undefined ? `; default ${code(a.default)}` : ''}${a.required ? '; required' : ''}.`,
    pos >= 0 ? `May be written as a bare word (position ${pos + 1} after ${code(spec.name)}).` : '',
  ]
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
}

export function commandDoc(c: CommandSpec): string {
  const args = c.args.map((a) => `- ${code(a.name)}${c.positional.includes(a.name) ? ' (bare word ok)' : ''}: ${a.doc}${a.default !== undefined ? ` Default ${code(a.default)}.` : ''}`);
  return [`**${c.name}** — ${c.summary}`, '', c.doc, '', `Example: ${code(c.example)}`, '', ...args, ...(c.long ? ['', 'Trains models: needs a trusted workspace; interrupt to stop (finished work is kept).'] : [])].join('\n');
}

function runDoc(r: RunInfo): string {
  const lines = [`**${r.id}** — ${r.kind} run, ${r.status}`];
  if (r.dataset) lines.push(`- dataset: ${r.dataset}`);
  if (r.model) lines.push(`- model: ${r.model}`);
  if (r.createdAt) lines.push(`- created: ${r.createdAt}`);
  if (r.scores?.length) lines.push(`- scores: ${r.scores.join(', ')}`);
  if (r.scoresRun) lines.push(`- scores from: ${r.scoresRun}`);
  if (r.error) lines.push(`- note: ${r.error}`);
  return lines.join('\n');
}

const inside = (s: Span, ch: number) => ch >= s.start && ch <= s.end;

/** Hover at `character` of line `line`: a command, an argument name, a score name or a run. */
export function hoverCell(text: string, line: number, character: number, ctx: { runs?: readonly RunInfo[] } = {}): CellHover | undefined {
  const lineText = text.split(/\r?\n/)[line] ?? '';
  const parsed = parseLine(lineText, line, []);
  if (!parsed?.spec) return undefined;
  const spec = parsed.spec;
  if (inside(parsed.command.span, character)) return { markdown: commandDoc(spec), span: parsed.command.span };
  for (const a of parsed.args) {
    const s = argSpec(spec, a.key)!;
    const onValue = inside(a.valueSpan, character);
    if (onValue && (s.kind.type === 'score' || s.kind.type === 'scoreList')) {
      const name = a.value.split(',').find((_, i, parts) => {
        const from = a.valueSpan.start + parts.slice(0, i).reduce((n, p) => n + p.length + 1, 0);
        return character >= from && character <= from + parts[i].length;
      });
      if (name && SCORE_DOCS[name]) return { markdown: `**${name}** — ${SCORE_DOCS[name]}${a.positional ? `\n\n${argDoc(spec, s)}` : ''}`, span: a.valueSpan };
    }
    if (onValue && s.kind.type === 'run' && ctx.runs) {
      const r = resolveRun(a.value, s.kind.kinds, ctx.runs, s.kind.byId);
      return { markdown: 'run' in r ? runDoc(r.run) : `run: ${r.error}`, span: a.valueSpan };
    }
    if (inside(a.keySpan, character) || onValue) return { markdown: argDoc(spec, s), span: a.span };
  }
  return undefined;
}

/** The language reference (README / docs), generated from the same table. */
export function cellLanguageReference(): string {
  const out = [
    'One command per line; `key=value` arguments; `#` starts a comment. Lists are comma-separated (`fractions=0.3,0.5`).',
    '',
  ];
  for (const c of COMMANDS) {
    out.push(`### \`${c.name}\``, '', c.summary + ' ' + c.doc, '', '```', c.example, '```', '', '| argument | value | default | |', '|---|---|---|---|');
    for (const a of c.args) out.push(`| \`${a.name}\`${c.positional.includes(a.name) ? ' (bare)' : ''} | ${describeKind(a.kind).replace(/\|/g, '\\|')} | ${a.default ?? ''} | ${a.doc.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
