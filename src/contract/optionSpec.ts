/**
 * Metadata of one job parameter: the CLI builds its flags from it (so --help and validation cannot drift), and the
 * wizards, settings and notebook cells read the same help text and ranges.
 */
/**
 * int, number: one number (bounds inclusive unless `exclusive`); numbers: a list of them. choice: one of `choices`;
 * choices: a list of them. auto-boolean: 'auto' or true/false. strings: a list of strings.
 */
export type OptionKind = 'int' | 'number' | 'numbers' | 'string' | 'boolean' | 'auto-boolean' | 'choice' | 'choices' | 'strings';

export interface OptionSpec {
  /** Parameter name in the job's parameters (camelCase). */
  readonly key: string;
  /** CLI flag without dashes (kebab-case); the cell syntax uses `key=value`. */
  readonly flag: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** For 'choice'. */
  readonly choices?: readonly string[];
  /** Bounds for 'int', 'number' and 'numbers': min/max inclusive, gt/lt exclusive. */
  readonly min?: number;
  readonly max?: number;
  readonly gt?: number;
  readonly lt?: number;
  /** Set by the code, never by a user (the CLI and cells do not offer it). */
  readonly internal?: boolean;
  /** Placeholder in --help (`--time <limit>`). */
  readonly value?: string;
  /** One-letter CLI alias (`-d`). */
  readonly short?: string;
  /** 'strings' given once per value (`--slurm-arg a --slurm-arg b`) instead of comma-separated. */
  readonly repeatable?: boolean;
}

function numberProblem(spec: OptionSpec, v: unknown, name: string): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${name} must be a number, got ${JSON.stringify(v)}`;
  if (spec.kind === 'int' && !Number.isInteger(v)) return `${name} must be an integer, got ${v}`;
  if (spec.min !== undefined && v < spec.min) return `${name} must be at least ${spec.min}, got ${v}`;
  if (spec.max !== undefined && v > spec.max) return `${name} must be at most ${spec.max}, got ${v}`;
  if (spec.gt !== undefined && !(v > spec.gt)) return `${name} must be more than ${spec.gt}, got ${v}`;
  if (spec.lt !== undefined && !(v < spec.lt)) return `${name} must be less than ${spec.lt}, got ${v}`;
  return undefined;
}

/** Why a value does not fit its option, or undefined when it does. */
export function optionProblem(spec: OptionSpec, v: unknown): string | undefined {
  const name = `--${spec.flag}`;
  switch (spec.kind) {
    case 'int':
    case 'number':
      return numberProblem(spec, v, name);
    case 'numbers':
      if (!Array.isArray(v) || v.length === 0) return `${name} must be a non-empty list of numbers`;
      return v.map((x) => numberProblem(spec, x, name)).find((p) => p !== undefined);
    case 'string':
      return typeof v === 'string' && v.length > 0 ? undefined : `${name} must be a non-empty string`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${name} must be true or false`;
    case 'auto-boolean':
      return typeof v === 'boolean' || v === 'auto' ? undefined : `${name} must be auto, true or false, got ${JSON.stringify(v)}`;
    case 'choice':
      return typeof v === 'string' && spec.choices?.includes(v) ? undefined : `${name} must be one of ${spec.choices?.join(', ')}, got ${JSON.stringify(v)}`;
    case 'choices': {
      if (!Array.isArray(v) || v.length === 0) return `${name} must be a non-empty list of ${spec.choices?.join(', ')}`;
      const bad = v.filter((x) => typeof x !== 'string' || !spec.choices?.includes(x));
      return bad.length ? `${name}: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}; choose from ${spec.choices?.join(', ')}` : undefined;
    }
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : `${name} must be a list of strings`;
  }
}
