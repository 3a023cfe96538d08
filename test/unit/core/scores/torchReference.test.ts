import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { relError } from '../../helpers/tf';
import { repoRoot, tempDir } from '../../helpers/paths';
import { TORCH_PYTHON, torchOrSkip } from '../../helpers/torch';
import { perturbedModel } from '../../helpers/perturbedModel';
import { initBackend, type BackendChoice } from '../../../../src/core/compute/backend';
import { normalSample } from '../../../../src/core/models/layers';
import type { ModelSpec } from '../../../../src/core/models/model';
import { makeRng } from '../../../../src/core/random';
import { el2nFromLogits } from '../../../../src/core/scores/el2n';
import { perExampleGradNormsAsync, type ConvMethod, type NormKind, type ParamSubset } from '../../../../src/core/scores/perExampleGrads';
import { saveCheckpoint, type CheckpointIndex } from '../../../../src/core/store/checkpoint';
import { Sgd } from '../../../../src/core/train/sgd';
import { trainStep } from '../../../../src/core/train/trainLoop';

/**
 * Cross-framework check: our logits, EL2N, exact GraNd (the batched path `datadiet score --score grand` runs),
 * every gradmag variant (norm l1/l2/linf x parameters all/weights/biases/last-layer) and two Nesterov-SGD training
 * steps (trainStep + Sgd, as the trainer runs them) against an independent PyTorch reference
 * (test/reference/torch_reference.py). It rebuilds the same architecture in plain PyTorch modules, loads the weights
 * we saved with our checkpoint code, and recomputes everything with autograd in float64 (per-example gradients
 * twice: a batch-size-1 backward loop and functorch's vmap(grad)). Models: cnn-small on MNIST-shaped inputs and
 * resnet18 x0.25 (batch norm with random affine parameters and running statistics) on 16x16x3 inputs with the CIFAR
 * stem and on 64x64x3 inputs with the ImageNet stem (7x7 stride-2 conv and 3x3 stride-2 max-pool, PyTorch's padding).
 *
 * Relative error, bound 1e-4 for every row:
 *   logits, EL2N, training-mode logits   max_i |ours_i - torch_i| / max_i |torch_i| (helpers/tf relError)
 *   gradient norms                       max_i |ours_i - torch_i| / |torch_i|, each example on its own
 *   SGD loss                             |ours - torch| / |torch|
 *   SGD step k                           per checkpoint tensor, relError of its CHANGE from the common starting
 *                                        weights, p_k - p_0 (much stricter than on p_k itself); the worst tensor
 *                                        of the parameters and of the batch-norm running statistics is reported
 * Its floor is float32 storage: a parameter near 1.5 is stored to 6e-8, against changes of ~2e-3 (2.8e-5).
 *
 * ReLU and max-pool kinks: an input within float32 rounding of a kink can take the other branch in float32, and its
 * gradient then differs from any exact reference (PyTorch's own float32 steps differ from its float64 ones by up to
 * 15% on some random batches). So gradient norms are compared on the examples the reference finds clear of every
 * kink by KINK_MARGIN (relative to the layer's scale), and the reference picks training batches that are.
 *
 * Runs on the wasm backend (what users run; with the native kernels where they are built) unless
 * DATADIET_TORCH_REF_BACKEND names another. Needs PyTorch for /usr/bin/python3 (bash scripts/install-torch.sh) or
 * DATADIET_TORCH_PYTHON: skipped without it, a failure in CI (CI=true or DATADIET_REQUIRE_TORCH=1).
 * DATADIET_TORCH_REF_DTYPE=float32 runs the reference in float32 instead (for looking into a failure).
 */

const PY = TORCH_PYTHON;
const SCRIPT = path.join(repoRoot(), 'test', 'reference', 'torch_reference.py');
const TOLERANCE = 1e-4;
/** Relative distance from a ReLU/max-pool kink below which float32 may take the other branch (see the reference). */
const KINK_MARGIN = 2e-5;
const SGD_OPTIONS = { momentum: 0.9, nesterov: true, weightDecay: 5e-4 };
const NORMS: readonly NormKind[] = ['l1', 'l2', 'linf'];
const SUBSETS: readonly ParamSubset[] = ['all', 'weights', 'biases', 'last-layer'];

interface Case {
  readonly label: string;
  readonly spec: ModelSpec;
  readonly n: number;
  /** One learning rate per training step. */
  readonly lrs: readonly number[];
  /** Examples per training step (the reference picks which: see KINK_MARGIN). */
  readonly batch: number;
}

interface TorchResult {
  torch: string;
  dtype: string;
  params: number;
  logits: number[];
  el2n: number[];
  gradNorms: Record<string, { loop: number[]; vmap: number[] }>;
  kinkMargin: number;
  evalMargins: number[];
  sgd: { batch: number[]; lr: number; margin: number; rejected: number; loss: number; logits: number[]; weights: string }[];
  seconds: number;
}


function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function readF64(file: string): Float64Array {
  const b = fs.readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

interface Row {
  readonly quantity: string;
  readonly err: number;
  readonly detail?: string;
}

/**
 * Adds a row with the relative error of `ours` against `ref`: max_i |ours_i - ref_i| / max_i |ref_i| (helpers/tf
 * relError), or with `perExample` max_i |ours_i - ref_i| / |ref_i| (each value on its own: for scores, whose ranks
 * matter for every example). `ids` names the values in the message (example indices).
 */
function compare(rows: Row[], quantity: string, ours: ArrayLike<number>, ref: ArrayLike<number>, perExample = false, ids?: readonly number[]): void {
  assert.equal(ours.length, ref.length, `${quantity}: ${ours.length} values, the reference has ${ref.length}`);
  let err = perExample ? 0 : relError(ours, ref);
  let worst = 0;
  let worstErr = -1;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(ours[i] - ref[i]) / (perExample ? Math.max(Math.abs(ref[i]), 1e-12) : 1);
    if (!(e <= worstErr)) [worst, worstErr] = [i, e];
  }
  if (perExample) err = worstErr;
  rows.push({ quantity, err, detail: `worst at ${ids ? `example ${ids[worst]}` : worst}: ours ${ours[worst]}, torch ${ref[worst]}` });
}

async function crossCheck(t: TestContext, c: Case): Promise<void> {
  if (!torchOrSkip(t)) return;
  const backend = await initBackend((process.env.DATADIET_TORCH_REF_BACKEND ?? 'wasm') as BackendChoice, { threads: 1 });
  const dir = tempDir('torchref');
  const { spec, n } = c;
  const [h, w, ch] = spec.inputShape;
  const size = h * w * ch;
  const k = spec.numClasses;
  const model = perturbedModel(spec, 5, 6);
  try {
    // Examples (standard normal, as normalized inputs) and labels, seeded.
    const rng = makeRng(17);
    const xs = normalSample(n * size, 1, rng.next);
    const labels = Int32Array.from({ length: n }, () => rng.int(k));
    fs.writeFileSync(path.join(dir, 'x.f32'), new Uint8Array(xs.buffer));
    fs.writeFileSync(path.join(dir, 'labels.i32'), new Uint8Array(labels.buffer));
    await saveCheckpoint(model, dir, 'weights');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8')) as CheckpointIndex;

    // Ours, as the score run computes them (src/core/experiments/scoreRun.ts chunkedPointwise): inference-mode
    // logits, EL2N from them, the GraNd cotangent softmax(logits) - onehot(y) from the downloaded logits.
    const t0 = performance.now();
    const x = tf.tensor4d(xs, [n, h, w, ch]);
    const logitsT = model.forward(x, { training: false });
    const logits = (await logitsT.data()) as Float32Array;
    logitsT.dispose();
    const el2n = el2nFromLogits(logits, labels, k);
    const cot = tf.tidy(() => tf.sub(tf.softmax(tf.tensor2d(logits, [n, k])), tf.oneHot(tf.tensor1d(labels, 'int32'), k)) as tf.Tensor2D);
    const norms = new Map<string, Float32Array>();
    for (const norm of NORMS) {
      for (const subset of SUBSETS) {
        norms.set(`${norm}/${subset}`, await perExampleGradNormsAsync(model, x, cot, { norm, subset, convMethod: 'auto' }));
      }
    }
    const grandBy = new Map<ConvMethod, Float32Array>();
    for (const method of ['direct', 'ghost'] as ConvMethod[]) {
      grandBy.set(method, await perExampleGradNormsAsync(model, x, cot, { norm: 'l2', subset: 'all', convMethod: method }));
    }
    cot.dispose();
    x.dispose();
    let oursSeconds = (performance.now() - t0) / 1000;

    // The reference (it also picks the training batches, away from ReLU/max-pool kinks).
    const outDir = path.join(dir, 'torch');
    const args = [
      SCRIPT,
      ...['--model', spec.arch, '--width', String(spec.width), '--input', spec.inputShape.join(','), '--classes', String(k)],
      ...(spec.stem ? ['--stem', spec.stem] : []),
      ...['--weights', path.join(dir, 'weights'), '--x', path.join(dir, 'x.f32'), '--labels', path.join(dir, 'labels.i32')],
      ...['--sgd-lr', c.lrs.join(','), '--sgd-batch', String(c.batch), '--kink-margin', String(KINK_MARGIN)],
      ...['--momentum', String(SGD_OPTIONS.momentum), '--weight-decay', String(SGD_OPTIONS.weightDecay), '--out', outDir],
      ...(process.env.DATADIET_TORCH_REF_DTYPE ? ['--dtype', process.env.DATADIET_TORCH_REF_DTYPE] : []),
    ];
    const py = spawnSync(PY, args, { encoding: 'utf8', timeout: 300_000 });
    assert.equal(py.status, 0, `${PY} ${args.join(' ')} failed (status ${py.status}, ${py.error?.message ?? py.signal ?? ''}):\n${py.stderr}`);
    const ref = JSON.parse(fs.readFileSync(path.join(outDir, 'result.json'), 'utf8')) as TorchResult;
    assert.equal(ref.sgd.length, c.lrs.length, 'one reference training step per learning rate');

    // The same training steps with the trainer's own step function and optimizer (the second one uses the momentum
    // buffer), on the batches the reference picked.
    const t1 = performance.now();
    const sgd = new Sgd(SGD_OPTIONS);
    const vars = model.params.map((p) => p.variable);
    const ourSteps: { loss: number; logits: Float32Array; weights: Float32Array }[] = [];
    try {
      for (const [i, s] of ref.sgd.entries()) {
        const bx = new Float32Array(s.batch.length * size);
        s.batch.forEach((e, j) => bx.set(xs.subarray(e * size, (e + 1) * size), j * size));
        const r = await trainStep(model, sgd, vars, bx, Int32Array.from(s.batch, (e) => labels[e]), s.lr);
        await saveCheckpoint(model, dir, `ours-step-${i + 1}`);
        ourSteps.push({ loss: r.loss, logits: r.logits, weights: readF32(path.join(dir, `ours-step-${i + 1}.bin`)) });
      }
    } finally {
      sgd.dispose();
    }
    oursSeconds += (performance.now() - t1) / 1000;

    const rows: Row[] = [];
    compare(rows, 'logits (eval mode)', logits, ref.logits);
    compare(rows, 'EL2N', el2n, ref.el2n);
    // Gradient norms: only examples whose every ReLU/max-pool input is clear of its kink (see the reference's
    // kink_margins: closer ones may legitimately take the other branch in float32).
    const kept = ref.evalMargins.flatMap((m, i) => (m >= ref.kinkMargin ? [i] : []));
    assert.ok(
      kept.length >= Math.min(8, n),
      `only ${kept.length} of ${n} examples are clear of ReLU/max-pool kinks by ${ref.kinkMargin} (margins ${ref.evalMargins.map((m) => m.toExponential(1)).join(' ')}): use more examples or another data seed`,
    );
    const at = (v: ArrayLike<number>) => kept.map((i) => v[i]);
    const tag = `${kept.length}/${n} examples`;
    for (const [variant, ours] of norms) {
      const what = variant === 'l2/all' ? 'GraNd l2/all (auto)' : `gradmag ${variant}`;
      compare(rows, `${what} vs torch loop, ${tag}`, at(ours), at(ref.gradNorms[variant].loop), true, kept);
      compare(rows, `${what} vs torch vmap, ${tag}`, at(ours), at(ref.gradNorms[variant].vmap), true, kept);
      assert.ok(ref.gradNorms[variant].loop.every((v) => v > 0), `${variant}: reference norms are non-trivial`);
    }
    for (const [method, ours] of grandBy) compare(rows, `GraNd l2/all (${method}) vs torch loop, ${tag}`, at(ours), at(ref.gradNorms['l2/all'].loop), true, kept);
    // The two reference methods must agree with each other far below the tolerance.
    const selfBound = ref.dtype === 'float64' ? 1e-9 : 1e-5;
    for (const v of Object.keys(ref.gradNorms)) {
      const e = relError(at(ref.gradNorms[v].vmap), at(ref.gradNorms[v].loop));
      assert.ok(e < selfBound, `reference self-check: vmap vs loop ${v} (${ref.dtype}) differ by ${e}`);
    }

    const start = readF32(path.join(dir, 'weights.bin'));
    for (const [i, theirs] of ref.sgd.entries()) {
      const ours = ourSteps[i];
      const step = `SGD step ${i + 1} (lr ${theirs.lr}, batch ${theirs.batch.join(',')})`;
      rows.push({ quantity: `${step} loss`, err: Math.abs(ours.loss - theirs.loss) / Math.abs(theirs.loss), detail: `ours ${ours.loss}, torch ${theirs.loss}` });
      compare(rows, `${step} training-mode logits`, ours.logits, theirs.logits);
      const after = readF64(path.join(outDir, theirs.weights));
      let worst: Row | undefined;
      let worstState: Row | undefined;
      for (const e of index.tensors) {
        const change = (a: ArrayLike<number>) => Float64Array.from({ length: e.size }, (_, j) => a[e.offset + j] - start[e.offset + j]);
        const row = { quantity: e.name, err: relError(change(ours.weights), change(after)) };
        if (e.name.includes('/running_')) {
          if (!worstState || !(row.err <= worstState.err)) worstState = row;
        } else if (!worst || !(row.err <= worst.err)) worst = row;
      }
      rows.push({ quantity: `${step} change of every parameter, worst tensor`, err: worst!.err, detail: worst!.quantity });
      if (worstState) rows.push({ quantity: `${step} change of the batch-norm running statistics, worst tensor`, err: worstState.err, detail: worstState.quantity });
    }

    t.diagnostic(
      `${c.label} on ${backend.device}; reference torch ${ref.torch} ${ref.dtype}, ${ref.params} params, ${n} examples ` +
        `(gradient norms over the ${kept.length} clear of kinks by ${ref.kinkMargin}); ours ${oursSeconds.toFixed(1)} s, torch ${ref.seconds.toFixed(1)} s`,
    );
    for (const r of rows) t.diagnostic(`${r.err.toExponential(2).padStart(9)}  ${r.quantity}${r.detail ? `  (${r.detail})` : ''}`);
    const bad = rows.filter((r) => !(r.err <= TOLERANCE));
    assert.ok(
      bad.length === 0,
      `${c.label}: ${bad.length} of ${rows.length} quantities differ from the PyTorch reference by more than ${TOLERANCE} (relative; inputs kept in ${dir}):\n` +
        bad.map((r) => `  ${r.err.toExponential(2)}  ${r.quantity}${r.detail ? `  (${r.detail})` : ''}`).join('\n'),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    model.dispose();
  }
}

test('cnn-small (28x28x1): logits, EL2N, GraNd, gradmag and two Nesterov SGD steps match PyTorch', async (t) => {
  await crossCheck(t, {
    label: 'cnn-small x1',
    spec: { arch: 'cnn-small', width: 1, inputShape: [28, 28, 1], numClasses: 10 },
    n: 64,
    lrs: [0.01, 0.002],
    batch: 4,
  });
});

test('resnet18 x0.25 with batch norm (16x16x3): logits, EL2N, GraNd, gradmag and two Nesterov SGD steps match PyTorch', async (t) => {
  await crossCheck(t, {
    label: 'resnet18 x0.25',
    spec: { arch: 'resnet18', width: 0.25, inputShape: [16, 16, 3], numClasses: 10 },
    n: 48,
    lrs: [0.05, 0.01],
    batch: 4,
  });
});

test('resnet18 x0.25 with the ImageNet stem (64x64x3): logits, EL2N, GraNd, gradmag and two Nesterov SGD steps match PyTorch', async (t) => {
  await crossCheck(t, {
    label: 'resnet18 x0.25 imagenet stem',
    spec: { arch: 'resnet18', width: 0.25, inputShape: [64, 64, 3], numClasses: 10, stem: 'imagenet' },
    n: 48,
    lrs: [0.05, 0.01],
    batch: 4,
  });
});
