/**
 * Focused speed checks on one model, for kernel work (the full side-by-side table is bench.ts):
 *
 *   node dist/profile.js --model resnet18 --phases train,grand [--batch 128] [--iters 5]
 *       per-kernel profile of each phase (where the time goes)
 *   node dist/profile.js --model resnet18 --phases train --ab spin|direct|grand-single|grand-probe|native [--rounds 6]
 *       A/B of one switch, alternating A and B step by step in the same process, so that load from other
 *       processes on the machine hits both alike; prints each side's median ms per iteration and B/A.
 *
 * Timing lives in benchmarks, never in tests.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend } from '../src/core/compute/backend';
import { loadNative, unloadNative } from '../src/core/compute/native';
import { convDirectTuning } from '../src/core/compute/kernels/convDirect';
import { maxPoolGradTuning } from '../src/core/compute/kernels/maxPoolGrad';
import { channelBroadcastTuning } from '../src/core/compute/kernels/channelBroadcast';
import { simdTuning } from '../src/core/compute/simd';
import { buildModel } from '../src/core/models/registry';
import type { Architecture } from '../src/core/models/model';
import { RandomStream } from '../src/core/randomStreams';
import { Sgd } from '../src/core/train/sgd';
import { trainStep } from '../src/core/train/trainLoop';
import { grandCotangent, perExampleGradNorms, perExampleGradTuning } from '../src/core/scores/perExampleGrads';
import { profileKernels, profileTable } from './kernelProfile';

interface Args {
  model: Architecture;
  width: number;
  input: [number, number, number];
  batch: number;
  threads: number;
  iters: number;
  rounds: number;
  phases: string[];
  ab?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { model: 'resnet18', width: 0.25, input: [32, 32, 3], batch: 128, threads: Math.min(2, os.cpus().length), iters: 3, rounds: 6, phases: ['train', 'grand'] };
  let inputSet = false;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i];
    if (k === '--model') a.model = v as Architecture;
    else if (k === '--width') a.width = Number(v);
    else if (k === '--input') (a.input = v.split(',').map(Number) as [number, number, number]), (inputSet = true);
    else if (k === '--batch') a.batch = Number(v);
    else if (k === '--threads') a.threads = Number(v);
    else if (k === '--iters') a.iters = Number(v);
    else if (k === '--rounds') a.rounds = Number(v);
    else if (k === '--phases') a.phases = v.split(',');
    else if (k === '--ab') a.ab = v;
    else throw new Error(`unknown option ${k}`);
  }
  if (a.model === 'cnn-small') {
    if (!inputSet) a.input = [28, 28, 1];
    if (!argv.includes('--width')) a.width = 1;
  }
  return a;
}

/** The switches --ab flips: set(false) is A (the old way), set(true) is B. */
const SWITCHES: Record<string, (on: boolean) => void> = {
  spin: (on) => (simdTuning.spin = on ? 20000 : 0),
  direct: (on) => (convDirectTuning.enabled = on),
  'grand-single': (on) => (perExampleGradTuning.singleForward = on),
  'grand-probe': (on) => (perExampleGradTuning.probe = on),
  'grand-affine': (on) => (perExampleGradTuning.fusedAffine = on),
  'maxpool-simd': (on) => (maxPoolGradTuning.simd = on),
  'channel-ops': (on) => (channelBroadcastTuning.enabled = on),
  // B: the fused direct kernel for every conv layer (up to 16x more multiply-adds); A: the ghost norm where it needs 4x fewer
  'grand-direct': (on) => (perExampleGradTuning.fusedDirectOverGhost = on ? 16 : 4),
  // B: convolutions, matrix products and GraNd's conv norms on the native kernels (oneDNN); A: the wasm loops
  native: (on) => {
    if (on) loadNative(defaultWasmThreads());
    else unloadNative();
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const backend = await initBackend('wasm', { threads: a.threads });
  process.stdout.write(`${a.model} x${a.width} ${a.input.join('x')}, batch ${a.batch}, ${backend.device}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const model = buildModel({ arch: a.model, width: a.width, inputShape: a.input, numClasses: 10 }, RandomStream.root(0).derive('init').uniform());
  const rng = RandomStream.root(0).derive('data-order').rng();
  const xs = Float32Array.from({ length: a.batch * a.input[0] * a.input[1] * a.input[2] }, () => rng.next() * 2 - 1);
  const labels = Int32Array.from({ length: a.batch }, () => rng.int(10));
  const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const vars = model.params.map((p) => p.variable);
  const phases: Record<string, () => unknown> = {
    train: () => trainStep(model, sgd, vars, xs, labels, 0.01),
    infer: () =>
      tf.tidy(() => {
        model.forward(tf.tensor4d(xs, [a.batch, ...a.input]), { training: false }).dataSync();
      }),
    grand: () =>
      tf.tidy(() => {
        perExampleGradNorms(model, tf.tensor4d(xs, [a.batch, ...a.input]), grandCotangent(labels, 10));
      }),
  };
  for (const name of a.phases) {
    const fn = phases[name];
    if (!fn) throw new Error(`unknown phase ${name}`);
    if (a.ab) {
      const flip = SWITCHES[a.ab];
      if (!flip) throw new Error(`unknown switch ${a.ab} (${Object.keys(SWITCHES).join(', ')})`);
      const times: [number[], number[]] = [[], []];
      // CPU time of the whole process (all threads): less sensitive to other processes than wall time.
      const cpu: [number[], number[]] = [[], []];
      for (const on of [false, true]) {
        flip(on);
        await fn();
        await fn();
      }
      for (let r = 0; r < a.rounds; r++) {
        for (const on of r % 2 ? [true, false] : [false, true]) {
          flip(on);
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          await fn();
          times[on ? 1 : 0].push(performance.now() - t0);
          const c = process.cpuUsage(c0);
          cpu[on ? 1 : 0].push((c.user + c.system) / 1000);
        }
      }
      flip(true);
      const [ma, mb] = times.map(median);
      const [ca, cb] = cpu.map(median);
      process.stdout.write(
        `${name} --ab ${a.ab}: A (off) ${ma.toFixed(1)} ms, B (on) ${mb.toFixed(1)} ms, B/A ${(mb / ma).toFixed(3)}; ` +
          `CPU ms A ${ca.toFixed(0)}, B ${cb.toFixed(0)}  [A ${times[0].map((t) => t.toFixed(0)).join(' ')} | B ${times[1].map((t) => t.toFixed(0)).join(' ')}]\n`,
      );
    } else {
      const p = await profileKernels(a.iters, fn);
      process.stdout.write(profileTable(`${name}, batch ${a.batch}`, p, 15).join('\n') + '\n\n');
    }
  }
  process.stdout.write(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  sgd.dispose();
  model.dispose();
}

main().catch((e) => {
  process.stderr.write(`profile: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
