/**
 * One unit at a time with all cores, or units side by side with the cores split between them? Times the same prune
 * sweep both ways (`--parallel 1 --threads C` against `--parallel C`, one thread each), alternating over rounds, and
 * prints the median wall times and their ratio. Run on a quiet machine: npm run bench:parallel [-- --rounds 3].
 */
import * as os from 'node:os';
import { runPruneSweep } from '../src/core/experiments/pruneSweep';
import { runScores } from '../src/core/experiments/scoreRun';
import * as fs from 'node:fs';
import * as path from 'node:path';

const args = process.argv.slice(2);
const arg = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const rounds = Number(arg('rounds', '3'));
const model = arg('model', 'cnn-small') as 'cnn-small' | 'resnet18';
const width = Number(arg('width', '0.5'));
const subset = Number(arg('subset', '2000'));
const cores = os.availableParallelism();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-bench-parallel-'));
  const base = { dataset: 'mnist', model, width, trainSubset: subset, batchSize: 64, backend: 'wasm' as const, epochs: 1 };
  const scores = await runScores({ ...base, threads: cores, runs: 1, scoreEpoch: 1, scores: ['el2n'] }, { root });
  // 2 x (1 + 1 x 2) = 6 retrainings: enough units for every split to stay busy.
  const sweep = { ...base, scoresFrom: scores.id, fractions: [0.5], strategies: ['keep-top' as const, 'random' as const], seeds: 2 };
  const times = { serial: [] as number[], parallel: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? (['serial', 'parallel'] as const) : (['parallel', 'serial'] as const)) {
      const t0 = performance.now();
      const m =
        mode === 'serial'
          ? await runPruneSweep({ ...sweep, threads: cores }, { root })
          : await runPruneSweep({ ...sweep, threads: 1 }, { root }, { execution: { executor: 'local', parallel: cores } });
      if (m.status !== 'done') throw new Error(`${mode}: ${m.status} ${m.error ?? ''}`);
      times[mode].push((performance.now() - t0) / 1000);
    }
  }
  const cpu = os.cpus()[0]?.model ?? '?';
  const s = median(times.serial);
  const p = median(times.parallel);
  process.stdout.write(`CPU ${cpu}, ${cores} cores, load ${os.loadavg()[0].toFixed(2)} at the end; ${model} x${width}, ${subset} examples, 6 retrainings, ${rounds} rounds\n`);
  process.stdout.write(`  --parallel 1, ${cores} threads:  median ${s.toFixed(1)} s  (${times.serial.map((t) => t.toFixed(1)).join(', ')})\n`);
  process.stdout.write(`  --parallel ${cores}, 1 thread each: median ${p.toFixed(1)} s  (${times.parallel.map((t) => t.toFixed(1)).join(', ')})\n`);
  process.stdout.write(`  ratio serial/parallel: ${(s / p).toFixed(2)}\n`);
}

void main().catch((e) => {
  process.stderr.write(`bench:parallel: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
