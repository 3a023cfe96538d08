/**
 * `npm run bench`: our engine and PyTorch CPU side by side, in one run, on identical models and batch sizes.
 * Prints a table with ratios (ours / PyTorch) and writes it as markdown (bench/results.md by default).
 * Timing lives here, never in tests.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../src/core/compute/backend';
import { nativeImpls } from '../src/core/compute/kernels/nativeConv';
import { loadNative, nativeKernels, unloadNative } from '../src/core/compute/native';
import { buildModel } from '../src/core/models/registry';
import type { Architecture, Model } from '../src/core/models/model';
import { RandomStream } from '../src/core/randomStreams';
import { Sgd } from '../src/core/train/sgd';
import { trainStep } from '../src/core/train/trainLoop';
import { el2nFromLogits } from '../src/core/scores/el2n';
import { grandCotangent, perExampleGradNormsAsync } from '../src/core/scores/perExampleGrads';
import { profileKernels, profileTable } from './kernelProfile';

interface Case {
  readonly name: string;
  readonly arch: Architecture;
  readonly width: number;
  readonly input: [number, number, number];
}

const CASES: Case[] = [
  { name: 'cnn-small, 28x28x1 (MNIST)', arch: 'cnn-small', width: 1, input: [28, 28, 1] },
  { name: 'resnet18 x0.25, 32x32x3 (CIFAR)', arch: 'resnet18', width: 0.25, input: [32, 32, 3] },
];

interface Args {
  seconds: number;
  batch: number;
  threads: number;
  backend: BackendChoice;
  out: string;
  torch: boolean;
  only?: string;
  /** Per-kernel profile of train and grand per model, appended to the table (0: none). */
  profileIters: number;
  /**
   * Rounds, each running ours and then PyTorch on every phase; the table gives medians and ranges. PyTorch's
   * throughput here swings by up to 2.5x between identical runs (its OpenMP threads on 2 cores), so one round
   * is not a measurement.
   */
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 4, batch: 128, threads: Math.min(2, os.cpus().length), backend: 'auto', out: 'bench/results.md', torch: true, profileIters: 2, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--seconds') (a.seconds = Number(v)), i++;
    else if (k === '--batch') (a.batch = Number(v)), i++;
    else if (k === '--threads') (a.threads = Number(v)), i++;
    else if (k === '--backend') (a.backend = v as BackendChoice), i++;
    else if (k === '--out') (a.out = v), i++;
    else if (k === '--only') (a.only = v), i++;
    else if (k === '--no-torch') a.torch = false;
    else if (k === '--profile') (a.profileIters = Number(v)), i++;
    else if (k === '--rounds') (a.rounds = Math.max(1, Math.floor(Number(v)))), i++;
    else if (k === '--help') {
      process.stdout.write('usage: npm run bench -- [--seconds 4 (per phase and round)] [--rounds 3] [--batch 128] [--threads 2] [--backend auto|wasm|...] [--only cnn-small|resnet18] [--no-torch] [--profile 2 (iterations; 0: none)] [--out bench/results.md]\n');
      process.exit(0);
    } else throw new Error(`unknown bench option ${k}`);
  }
  return a;
}

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

/** Warm up twice, then repeat until `seconds` have passed (at least 3 times): examples per second. */
async function measure(seconds: number, examplesPerIter: number, fn: () => unknown): Promise<number> {
  await fn();
  await fn();
  let iters = 0;
  const t0 = performance.now();
  while (iters < 3 || performance.now() - t0 < seconds * 1000) {
    await fn();
    sampleRss();
    iters++;
  }
  return (iters * examplesPerIter) / ((performance.now() - t0) / 1000);
}

function randomBatch(c: Case, n: number, classes: number): { xs: Float32Array; labels: Int32Array } {
  const rng = RandomStream.root(0).derive('data-order').rng();
  const xs = Float32Array.from({ length: n * c.input[0] * c.input[1] * c.input[2] }, () => rng.next() * 2 - 1);
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  return { xs, labels };
}

interface Row {
  readonly phase: string;
  readonly ours: number;
  /** PyTorch phases this row is compared with, one table row each (default: the phase of the same name). */
  readonly torchPhases?: readonly string[];
}

async function benchOurs(c: Case, a: Args): Promise<{ rows: Row[]; params: number; ownTrain: number; profile: string[] }> {
  const model: Model = buildModel({ arch: c.arch, width: c.width, inputShape: c.input, numClasses: 10 }, RandomStream.root(0).derive('init').uniform());
  const { xs, labels } = randomBatch(c, a.batch, 10);
  const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const vars = model.params.map((p) => p.variable);
  const train = await measure(a.seconds, a.batch, () => trainStep(model, sgd, vars, xs, labels, 0.01));
  // Reads are asynchronous, as in the product (the only kind the webgpu backend has in Node).
  const logitsNow = async (): Promise<Float32Array> => {
    const t = tf.tidy(() => model.forward(tf.tensor4d(xs, [a.batch, ...c.input]), { training: false }));
    try {
      return (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
  };
  const infer = await measure(a.seconds, a.batch, logitsNow);
  const el2n = await measure(a.seconds, a.batch, async () => el2nFromLogits(await logitsNow(), labels, 10));
  // Exact GraNd: one forward and one backward pass give every example's gradient norm over all parameters.
  const grandStep = async () => {
    const x = tf.tensor4d(xs, [a.batch, ...c.input]);
    try {
      await perExampleGradNormsAsync(model, x, grandCotangent(labels, 10));
    } finally {
      x.dispose();
    }
  };
  const grand = await measure(a.seconds, a.batch, grandStep);
  const profile: string[] = [];
  if (a.profileIters > 0) {
    const trainP = await profileKernels(a.profileIters, () => trainStep(model, sgd, vars, xs, labels, 0.01));
    const inferP = await profileKernels(a.profileIters, logitsNow);
    const grandP = await profileKernels(a.profileIters, grandStep);
    for (const [what, p] of [['train', trainP], ['inference', inferP], ['exact GraNd', grandP]] as const) {
      profile.push(...profileTable(`${c.name}, ${what}`, p), '');
    }
  }
  const params = model.numParams();
  sgd.dispose();
  model.dispose();
  return {
    rows: [
      { phase: 'train', ours: train },
      { phase: 'infer', ours: infer },
      { phase: 'el2n', ours: el2n },
      // PyTorch's ways: functorch's vmap (what its users run) and the batch-size-1 loop (the obviously correct way),
      // on 1 thread, its fastest setting.
      { phase: 'grand', ours: grand, torchPhases: ['grand_vmap', 'grand_loop'] },
    ],
    params,
    ownTrain: train,
    profile,
  };
}

interface TorchResult {
  torch: string;
  threads: number;
  params: number;
  results: Record<string, number>;
  peak_rss_mb: number;
}

function torchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/**
 * One torch_bench.py run of `phases`. The vmap phase runs in a process of its own: its per-example gradients
 * take far more memory than the other phases, and the memory line compares ours with PyTorch's usual phases.
 */
function benchTorch(py: string, c: Case, a: Args, phases: string): TorchResult | string {
  const script = path.join(__dirname, '..', 'bench', 'torch_bench.py');
  const r = spawnSync(
    py,
    [script, '--model', c.arch, '--input', c.input.join(','), '--classes', '10', '--width', String(c.width), '--batch', String(a.batch),
      '--seconds', String(a.seconds), '--threads', String(a.threads), '--grand-loop-threads', '1', '--what', phases, '--json-only'],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) return `torch_bench.py failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

/** The CPU as the kernel reports it (vendor, model, family/model numbers) and its vector extensions. */
function cpuDescription(): string {
  let info = '';
  try {
    info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return `${os.cpus()[0]?.model ?? 'cpu'} (${os.arch()})`;
  }
  const field = (k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  const flags = new Set(field('flags').split(/\s+/));
  const isa = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx512_bf16', 'amx_tile', 'amx_bf16'].filter((f) => flags.has(f));
  return `${field('vendor_id')} ${field('model name')} (family ${field('cpu family')}, model ${field('model')}; ${isa.join(', ') || 'no AVX2'})`;
}

const fmt = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

function median(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** '1234 (1100–1300)' for several rounds, '1234' for one, '—' for none. */
function cell(xs: readonly number[]): string {
  if (!xs.length) return '—';
  if (xs.length === 1) return fmt(xs[0]);
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
}

/** Our engine as measured: with the native kernels, or on the wasm kernels alone (what the .vsix runs). */
interface Variant {
  readonly native: boolean;
  readonly title: string;
}

interface Measured {
  readonly rows: Row[];
  readonly params: number;
  readonly byPhase: Map<string, number[]>;
  readonly ratios: number[];
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const backend = await initBackend(a.backend, { threads: a.threads });
  const py = a.torch ? torchPython() : undefined;
  const native = nativeKernels();
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    process.stdout.write(l + '\n');
  };
  const variants: Variant[] = native
    ? [
        { native: true, title: 'ours with the native kernels (oneDNN; `npm install` builds them where libdnnl-dev is installed)' },
        { native: false, title: 'ours on the wasm kernels alone (no libdnnl-dev: what the .vsix runs on macOS and Windows)' },
      ]
    : [{ native: false, title: 'ours on the wasm kernels alone (the native kernels are not built here)' }];
  say(`# Data Diet benchmark, ${new Date().toISOString()}`);
  say('');
  say(`- machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.versions.node}`);
  say(`- CPU: ${cpuDescription()}`);
  say(`- load average (1/5/15 min) at the start: ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} (other processes slow both sides; PyTorch's OpenMP threads most)`);
  say(`- ours: tfjs ${tf.version_core}, backend ${backend.device} (${backend.reason})`);
  say(`- PyTorch: ${py ? 'see rows' : 'not installed (run scripts/install-torch.sh for the side-by-side numbers)'}`);
  say(`- batch ${a.batch}, ${a.seconds} s per phase after 2 warm-up iterations, random data, examples/s (higher is better)`);
  say(`- ${a.rounds} round${a.rounds === 1 ? '' : 's'}, each: ours (${variants.map((v) => (v.native ? 'native' : 'wasm only')).join(', then ')}), then PyTorch; cells are the median (min–max) over rounds; the ratio divides the medians, "vs best" divides our median by PyTorch's best round`);
  say('- exact GraNd is compared with two PyTorch ways: functorch `vmap(grad(loss))` over the batch (2 threads), and the batch-size-1 loop (1 thread, its fastest setting)');
  let torchRss = 0;
  let vmapRss = 0;
  const profiles: string[] = [];
  const tables = variants.map(() => [] as string[]);
  for (const c of CASES.filter((x) => !a.only || x.arch === a.only)) {
    const ours = variants.map((): Measured => ({ rows: [], params: 0, byPhase: new Map(), ratios: [] }));
    const torchByPhase = new Map<string, number[]>();
    for (let round = 0; round < a.rounds; round++) {
      for (const [vi, v] of variants.entries()) {
        if (v.native) loadNative(a.threads);
        else unloadNative();
        const profile = v.native && round === a.rounds - 1 ? a.profileIters : 0;
        const r = await benchOurs(c, { ...a, profileIters: profile });
        profiles.push(...r.profile);
        const m = ours[vi];
        Object.assign(m, { rows: r.rows, params: r.params });
        for (const row of r.rows) m.byPhase.set(row.phase, [...(m.byPhase.get(row.phase) ?? []), row.ours]);
        m.ratios.push(r.rows.find((x) => x.phase === 'grand')!.ours / r.ownTrain);
      }
      if (native) loadNative(a.threads);
      if (!py) continue;
      for (const phases of ['train,infer,el2n,grand_loop', 'grand_vmap']) {
        const t = benchTorch(py, c, a, phases);
        if (typeof t === 'string') {
          process.stderr.write(`${c.name}: ${t}\n`);
          continue;
        }
        if (phases === 'grand_vmap') vmapRss = Math.max(vmapRss, t.peak_rss_mb);
        else torchRss = Math.max(torchRss, t.peak_rss_mb);
        if (t.params !== ours[0].params) process.stderr.write(`warning: parameter counts differ (ours ${ours[0].params}, torch ${t.params})\n`);
        for (const [k, v] of Object.entries(t.results)) torchByPhase.set(k, [...(torchByPhase.get(k) ?? []), v]);
      }
    }
    for (const [vi, m] of ours.entries()) {
      for (const r of m.rows) {
        const ov = m.byPhase.get(r.phase) ?? [];
        for (const tp of r.torchPhases ?? [r.phase]) {
          const tv = torchByPhase.get(tp) ?? [];
          const label = r.torchPhases ? `${r.phase} (PyTorch: ${TORCH_PHASE_LABEL[tp] ?? tp})` : r.phase;
          const ratio = tv.length ? `${(median(ov) / median(tv)).toFixed(2)}x` : '—';
          const best = tv.length ? `${(median(ov) / Math.max(...tv)).toFixed(2)}x` : '—';
          tables[vi].push(`| ${c.name} | ${m.params.toLocaleString('en-US')} | ${label} | ${cell(ov)} | ${cell(tv)} | ${ratio} | ${best} |`);
        }
      }
      tables[vi].push(`| ${c.name} | | exact GraNd / our own training (median of rounds) | | | ${median(m.ratios).toFixed(2)}x | |`);
    }
  }
  const impls = [...new Set(nativeImpls.values())].filter((i) => i !== 'empty').sort();
  if (native) say(`- oneDNN dispatched: ${native.isa()}; implementations that ran: ${impls.join(', ') || 'none'}`);
  const cap = process.env.ONEDNN_MAX_CPU_ISA ?? process.env.DNNL_MAX_CPU_ISA;
  if (cap) say(`- oneDNN capped with ONEDNN_MAX_CPU_ISA=${cap} for both sides (PyTorch runs the same libdnnl): a CPU without the wider instructions, emulated`);
  for (const [vi, v] of variants.entries()) {
    say('');
    say(`## ${v.title[0].toUpperCase()}${v.title.slice(1)}`);
    say('');
    say('| model | params | phase | ours ex/s | PyTorch CPU ex/s | ours / PyTorch | vs PyTorch best |');
    say('|---|---|---|---|---|---|---|');
    for (const l of tables[vi]) say(l);
  }
  say('');
  say(
    `Peak resident memory: ours ${(peakRss / 2 ** 20).toFixed(0)} MiB (one process for every model, phase and variant)` +
      (torchRss ? `, PyTorch ${torchRss.toFixed(0)} MiB (its largest process: one model, train/infer/el2n/loop)` : '') +
      (torchRss ? `: ${((peakRss / 2 ** 20) / torchRss).toFixed(2)}x` : '') +
      (vmapRss ? `; PyTorch's functorch vmap process ${vmapRss.toFixed(0)} MiB` : '') +
      '.',
  );
  say(`Load average (1/5/15 min) at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${os.cpus().length} cores.`);
  if (profiles.length) {
    say('');
    say('## Where our time goes (per kernel, tf.profile, native kernels)');
    say('');
    for (const l of profiles) say(l);
  }
  fs.mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
  fs.writeFileSync(a.out, lines.join('\n') + '\n');
  process.stdout.write(`\nwritten to ${a.out}\n`);
}

/** How a PyTorch phase is named in the table. */
const TORCH_PHASE_LABEL: Record<string, string> = {
  grand_vmap: 'functorch vmap(grad), 2 threads',
  grand_loop: 'batch-size-1 loop, 1 thread',
};

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
