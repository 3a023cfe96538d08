import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXECUTION_OPTIONS, executionRequest, type ExecutionInput } from '../contract/executionOptions';
import type { ExecutionRequest } from '../contract/execution';
import { optionProblem, type OptionSpec } from '../contract/optionSpec';

/** A commander option from the contract's metadata: flag, help, parsing and range check from one place. */
export function optionFromSpec(spec: OptionSpec): Option {
  const flags = spec.kind === 'boolean' ? `--${spec.flag}` : `--${spec.flag} <${spec.value ?? 'value'}>`;
  const opt = new Option(flags, spec.help);
  if (spec.kind === 'choice' && spec.choices) return opt.choices([...spec.choices]);
  if (spec.kind === 'int' || spec.kind === 'number') {
    return opt.argParser((raw: string) => {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const problem = optionProblem(spec, n);
      if (problem) throw new InvalidArgumentError(`${problem.replace(/, got .*$/, '')}, got "${raw}"`);
      return n;
    });
  }
  if (spec.kind === 'strings') return opt.argParser((raw: string, prev: string[] | undefined) => [...(prev ?? []), raw]);
  return opt;
}

/** --executor, --parallel, --slurm-* and --wait on a job command. */
export function addExecutionOptions(cmd: Command): Command {
  for (const spec of EXECUTION_OPTIONS) cmd.addOption(optionFromSpec(spec));
  return cmd.option('--wait', 'slurm: wait until the submitted run has finished, then print its results');
}

/** The execution request from a command's parsed flags. */
export function executionFromFlags(flags: Record<string, unknown>): ExecutionRequest {
  const input: Record<string, unknown> = {};
  for (const spec of EXECUTION_OPTIONS) {
    const attr = new Option(`--${spec.flag}`).attributeName();
    if (flags[attr] !== undefined) input[spec.key] = flags[attr];
  }
  return executionRequest(input as ExecutionInput);
}
