import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXECUTION_OPTIONS, executionRequest, type ExecutionInput } from '../contract/executionOptions';
import type { ExecutionRequest } from '../contract/execution';
import { JOB_OPTIONS, REQUIRED } from '../contract/jobOptions';
import type { JobName } from '../contract/jobNames';
import { optionProblem, type OptionSpec } from '../contract/optionSpec';

/** A value from the command line, parsed to the kind of its option and checked against its range. */
function parse(spec: OptionSpec, raw: string): unknown {
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  let v: unknown;
  switch (spec.kind) {
    case 'int':
    case 'number':
      v = num(raw);
      break;
    case 'numbers':
      v = list(raw).map(num);
      break;
    case 'choices':
    case 'strings':
      v = list(raw);
      break;
    case 'auto-boolean':
      v = raw === 'on' ? true : raw === 'off' ? false : raw;
      if (v !== true && v !== false && v !== 'auto') throw new InvalidArgumentError(`--${spec.flag} must be auto, on or off, got "${raw}"`);
      return v;
    default:
      v = raw;
  }
  const problem = optionProblem(spec, v);
  if (problem) throw new InvalidArgumentError(`${problem.replace(/, got .*$/, '')}, got "${raw}"`);
  return v;
}

const shown = (v: unknown): unknown => (v === true ? 'on' : v === false ? 'off' : v);

/** A commander option from the contract's metadata: flag, help, parsing and range check from one place. */
export function optionFromSpec(spec: OptionSpec, fallback?: unknown, required = false): Option {
  const short = spec.short ? `-${spec.short}, ` : '';
  if (spec.kind === 'boolean') {
    // A switch that is on by default is offered as its negation (--no-nesterov).
    return fallback === true ? new Option(`--no-${spec.flag}`, spec.help) : new Option(`${short}--${spec.flag}`, spec.help);
  }
  const opt = new Option(`${short}--${spec.flag} <${spec.value ?? 'value'}>`, spec.help);
  if (required) opt.makeOptionMandatory(true);
  if (spec.kind === 'choice' && spec.choices) opt.choices([...spec.choices]);
  else if (spec.kind === 'auto-boolean') opt.choices(['auto', 'on', 'off']).argParser((raw: string) => parse(spec, raw));
  else if (spec.repeatable) opt.argParser((raw: string, prev: string[] | undefined) => [...(prev ?? []), raw]);
  else if (spec.kind !== 'string') opt.argParser((raw: string) => parse(spec, raw));
  if (fallback !== undefined) opt.default(Array.isArray(fallback) ? [...fallback] : fallback, Array.isArray(fallback) ? fallback.join(',') : String(shown(fallback)));
  return opt;
}

/** Where a flag's value lands in commander's parsed options (`--batch-size` -> batchSize). */
const attribute = (spec: OptionSpec) => new Option(`--${spec.flag}`).attributeName();

/**
 * A job command's options, generated from the job's option metadata (contract/jobOptions.ts) with the defaults
 * shown in --help; jobs that train also get the execution options (--executor, --parallel, --slurm-*, --wait).
 */
export function addJobOptions(cmd: Command, job: JobName, defaults: Readonly<Record<string, unknown>>): Command {
  const required = new Set<string>(REQUIRED[job] ?? []);
  for (const spec of JOB_OPTIONS[job]) {
    if (spec.internal) continue;
    const fallback = defaults[spec.key];
    cmd.addOption(optionFromSpec(spec, fallback, required.has(spec.key) && fallback === undefined));
  }
  if (JOB_OPTIONS[job].some((s) => s.key === 'backend')) addExecutionOptions(cmd);
  return cmd.option('--root <dir>', 'where .datadiet/runs lives', process.cwd()).option('--json', 'print the final run manifest as JSON');
}

/** The job's parameters from a command's parsed flags, named as the job names them (`--subset` -> trainSubset). */
export function paramsFromFlags(job: JobName, flags: object): Record<string, unknown> {
  const parsed = flags as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const spec of JOB_OPTIONS[job]) {
    const v = parsed[attribute(spec)];
    if (v !== undefined && !spec.internal) out[spec.key] = v;
  }
  return out;
}

/** --executor, --parallel, --slurm-* and --wait on a job command. */
export function addExecutionOptions(cmd: Command): Command {
  for (const spec of EXECUTION_OPTIONS) cmd.addOption(optionFromSpec(spec));
  return cmd.option('--wait', 'slurm: wait until the submitted run has finished, then print its results');
}

/** Whether a command was given any execution option (--executor, --parallel, --slurm-*). */
export function executionOptionsGiven(flags: object): boolean {
  return EXECUTION_OPTIONS.some((spec) => (flags as Readonly<Record<string, unknown>>)[attribute(spec)] !== undefined);
}

/** The execution request from a command's parsed flags. */
export function executionFromFlags(flags: object): ExecutionRequest {
  const parsed = flags as Readonly<Record<string, unknown>>;
  const input: Record<string, unknown> = {};
  for (const spec of EXECUTION_OPTIONS) {
    if (parsed[attribute(spec)] !== undefined) input[spec.key] = parsed[attribute(spec)];
  }
  return executionRequest(input as ExecutionInput);
}
