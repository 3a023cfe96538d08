/**
 * Metadata of one job parameter: the CLI builds its flags from it (so --help and validation cannot drift), and the
 * wizards, settings and notebook cells read the same help text and ranges.
 */
export type OptionKind = 'int' | 'number' | 'string' | 'boolean' | 'choice' | 'strings';

export interface OptionSpec {
  /** Parameter name in the job's parameters (camelCase). */
  readonly key: string;
  /** CLI flag without dashes (kebab-case); the cell syntax uses `key=value`. */
  readonly flag: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** For 'choice'. */
  readonly choices?: readonly string[];
  /** Inclusive bounds for 'int' and 'number'. */
  readonly min?: number;
  readonly max?: number;
  /** Placeholder in --help (`--time <limit>`). */
  readonly value?: string;
}

/** Why a value does not fit its option, or undefined when it does. */
export function optionProblem(spec: OptionSpec, v: unknown): string | undefined {
  const name = `--${spec.flag}`;
  switch (spec.kind) {
    case 'int':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${name} must be a number, got ${JSON.stringify(v)}`;
      if (spec.kind === 'int' && !Number.isInteger(v)) return `${name} must be an integer, got ${v}`;
      if (spec.min !== undefined && v < spec.min) return `${name} must be at least ${spec.min}, got ${v}`;
      if (spec.max !== undefined && v > spec.max) return `${name} must be at most ${spec.max}, got ${v}`;
      return undefined;
    }
    case 'string':
      return typeof v === 'string' && v.length > 0 ? undefined : `${name} must be a non-empty string`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${name} must be true or false`;
    case 'choice':
      return typeof v === 'string' && spec.choices?.includes(v) ? undefined : `${name} must be one of ${spec.choices?.join(', ')}, got ${JSON.stringify(v)}`;
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : `${name} must be a list of strings`;
  }
}
