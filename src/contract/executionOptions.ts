import { EXECUTOR_NAMES, SLURM_DEFAULTS, type ExecutionRequest, type SlurmOptions } from './execution';
import { optionProblem, type OptionSpec } from './optionSpec';

/** How any job's units are run: the same options on the CLI, in notebook cells and (as settings) in VS Code. */
export const EXECUTION_OPTIONS: readonly OptionSpec[] = [
  { key: 'executor', flag: 'executor', kind: 'choice', choices: EXECUTOR_NAMES, value: 'name', help: 'who runs the work units: local (this machine) or slurm (an sbatch array job; run from a login node)' },
  { key: 'parallel', flag: 'parallel', kind: 'int', min: 1, max: 256, value: 'n', help: 'local: units at once, each a child process with the cores split between them (1 = in this process)' },
  { key: 'partition', flag: 'slurm-partition', kind: 'string', value: 'name', help: 'slurm: partition (queue) to submit to' },
  { key: 'time', flag: 'slurm-time', kind: 'string', value: 'limit', help: 'slurm: time limit per unit, e.g. 2:00:00' },
  { key: 'cpusPerUnit', flag: 'slurm-cpus', kind: 'int', min: 1, max: 1024, value: 'n', help: 'slurm: CPUs per unit (the unit uses that many threads)' },
  { key: 'memPerUnit', flag: 'slurm-mem', kind: 'string', value: 'size', help: 'slurm: memory per unit, e.g. 8G' },
  { key: 'gpusPerUnit', flag: 'slurm-gpus', kind: 'int', min: 0, max: 64, value: 'n', help: 'slurm: GPUs per unit (--gres=gpu:N)' },
  { key: 'maxConcurrent', flag: 'slurm-max-concurrent', kind: 'int', min: 1, value: 'n', help: 'slurm: at most this many units at once (--array=...%N)' },
  { key: 'extraArgs', flag: 'slurm-arg', kind: 'strings', repeatable: true, value: 'arg', help: 'slurm: one more sbatch argument, as given (repeat it), e.g. --slurm-arg=--account=proj' },
  { key: 'allowLocalRunDir', flag: 'slurm-allow-local-dir', kind: 'boolean', help: 'slurm: submit although the run folder is local to this machine (/tmp, tmpfs): single-node clusters only' },
];

export type ExecutionInput = Partial<{ executor: string; parallel: number } & Omit<SlurmOptions, 'extraArgs'> & { extraArgs: readonly string[] }>;

/** Checks the execution options and builds the request; every problem named by its flag. */
export function executionRequest(input: ExecutionInput): ExecutionRequest {
  for (const spec of EXECUTION_OPTIONS) {
    const v = (input as Record<string, unknown>)[spec.key];
    if (v === undefined) continue;
    const problem = optionProblem(spec, v);
    if (problem) throw new Error(problem);
  }
  const executor = input.executor ?? 'local';
  const slurmKeys = EXECUTION_OPTIONS.filter((s) => s.flag.startsWith('slurm-')).map((s) => s.key);
  if (executor === 'local') {
    const given = slurmKeys.filter((k) => (input as Record<string, unknown>)[k] !== undefined && k !== 'allowLocalRunDir');
    if (given.length) throw new Error(`${given.map((k) => `--${EXECUTION_OPTIONS.find((s) => s.key === k)!.flag}`).join(', ')} only apply with --executor slurm`);
    return { executor: 'local', parallel: input.parallel ?? 1 };
  }
  if (input.parallel !== undefined) throw new Error('--parallel applies to --executor local; on Slurm, --slurm-max-concurrent limits units at once');
  return {
    executor: 'slurm',
    slurm: {
      ...SLURM_DEFAULTS,
      ...Object.fromEntries(slurmKeys.map((k) => [k, (input as Record<string, unknown>)[k]]).filter(([, v]) => v !== undefined)),
    } as SlurmOptions,
  };
}
