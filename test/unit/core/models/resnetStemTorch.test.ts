import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { relError, useCpu } from '../../helpers/tf';
import { repoRoot, tempDir } from '../../helpers/paths';
import { TORCH_PYTHON, torchOrSkip } from '../../helpers/torch';
import { perturbedModel } from '../../helpers/perturbedModel';
import { initBackend, type BackendChoice } from '../../../../src/core/compute/backend';
import { normalSample } from '../../../../src/core/models/layers';
import type { ModelSpec } from '../../../../src/core/models/model';
import { buildModel } from '../../../../src/core/models/registry';
import { makeRng } from '../../../../src/core/random';
import { saveCheckpoint } from '../../../../src/core/store/checkpoint';

/**
 * The ImageNet stem against PyTorch (test/reference/torch_resnet_stem.py): torchvision's resnet18/resnet50 rebuilt
 * from plain torch.nn modules give the parameter counts and feature-map sides we build; and a resnet18 x0.25 with
 * the stem, on weights saved by our checkpoint code (batch norm with random affine parameters and running
 * statistics), gives in eval mode the same stem output (conv 7x7 stride 2 padding 3 + batch norm + ReLU + max-pool
 * 3x3 stride 2 padding 1, PyTorch's own modules there), logits, and per-example gradients w.r.t. the stem conv's
 * weight, relative error within 1e-4 (reference in float64). Gradients are compared on the examples clear of ReLU and
 * max-pool kinks (torchReference.test.ts says why). Training-mode gradients, GraNd and SGD steps with this stem are
 * in torchReference.test.ts. Runs on wasm (with the native kernels where built) unless DATADIET_TORCH_REF_BACKEND
 * names another; skipped without PyTorch, a failure in CI.
 */
const SCRIPT = path.join(repoRoot(), 'test', 'reference', 'torch_resnet_stem.py');
const TOLERANCE = 1e-4;
const KINK_MARGIN = 2e-5;

interface StemResult {
  torch: string;
  torchvision: { resnet18: number; resnet50: number; sides: Record<string, { stem: number[]; lastStage: number[]; logits: number[] }> };
  stem?: number[];
  stemShape?: number[];
  logits?: number[];
  stemGrad?: number[][];
  margins?: number[];
}

function reference(args: string[]): StemResult {
  const dir = tempDir('stemref');
  const out = path.join(dir, 'result.json');
  const py = spawnSync(TORCH_PYTHON, [SCRIPT, ...args, '--out', out], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(py.status, 0, `${TORCH_PYTHON} ${SCRIPT} ${args.join(' ')} failed (status ${py.status}):\n${py.stderr}`);
  const r = JSON.parse(fs.readFileSync(out, 'utf8')) as StemResult;
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

test("torchvision's resnet18 and resnet50, rebuilt in plain PyTorch, have our parameter counts and feature-map sides", async (t) => {
  if (!torchOrSkip(t)) return;
  const sides = [64, 65, 96, 224];
  const ref = reference(['--sides', sides.join(',')]).torchvision;
  await useCpu();
  const count = (spec: ModelSpec) => {
    const m = buildModel(spec, makeRng(0).next);
    const n = m.numParams();
    m.dispose();
    return n;
  };
  assert.equal(count({ arch: 'resnet18', width: 1, inputShape: [224, 224, 3], numClasses: 10, stem: 'imagenet' }), ref.resnet18);
  assert.equal(count({ arch: 'resnet50', width: 1, inputShape: [224, 224, 3], numClasses: 1000, stem: 'imagenet' }), ref.resnet50);
  for (const side of sides) {
    const m = buildModel({ arch: 'resnet18', width: 0.125, inputShape: [side, side, 3], numClasses: 10, stem: 'imagenet' }, makeRng(0).next);
    const got = tf.tidy(() => {
      const at = new Map<string, number[]>();
      const logits = m.forward(tf.zeros([1, side, side, 3]) as tf.Tensor4D, {
        training: false,
        onLinear: (info, input, output) => {
          at.set(`${info.name}:in`, input.shape.slice(1, 3));
          at.set(`${info.name}:out`, output.shape.slice(1, 3));
          return output;
        },
      });
      return { stem: at.get('stage1.block0.conv1:in'), lastStage: at.get('stage4.block1.conv2:out'), logits: logits.shape };
    });
    m.dispose();
    assert.deepEqual(got, ref.sides[String(side)], `${side} px`);
  }
});


test('resnet18 x0.25 with the ImageNet stem (64x64x3) matches PyTorch on the same weights: stem output, logits, stem weight gradients', async (t) => {
  if (!torchOrSkip(t)) return;
  const backend = await initBackend((process.env.DATADIET_TORCH_REF_BACKEND ?? 'wasm') as BackendChoice, { threads: 1 });
  const spec: ModelSpec = { arch: 'resnet18', width: 0.25, inputShape: [64, 64, 3], numClasses: 10, stem: 'imagenet' };
  const n = 16;
  const size = 64 * 64 * 3;
  const dir = tempDir('stem');
  // resnet18 x0.25 with the stem, batch norm away from its initial values.
  const model = perturbedModel(spec, 3, 4);
  try {
    const rng = makeRng(11);
    const xs = normalSample(n * size, 1, rng.next);
    const cot = normalSample(n * spec.numClasses, 1, rng.next);
    fs.writeFileSync(path.join(dir, 'x.f32'), new Uint8Array(xs.buffer));
    fs.writeFileSync(path.join(dir, 'c.f32'), new Uint8Array(cot.buffer));
    await saveCheckpoint(model, dir, 'weights');

    // Ours: the stem's output is the input of the first block's first conv.
    const stemW = model.params[0];
    assert.equal(stemW.name, 'stem/weight');
    const x = tf.tensor4d(xs, [n, 64, 64, 3]);
    let stemOut: tf.Tensor | undefined;
    const logitsT = model.forward(x, {
      training: false,
      onLinear: (info, input, output) => {
        if (info.name === 'stage1.block0.conv1') stemOut = tf.keep(tf.clone(input));
        return output;
      },
    });
    const [stem, logits] = [(await stemOut!.data()) as Float32Array, (await logitsT.data()) as Float32Array];
    const stemShape = stemOut!.shape;
    tf.dispose([stemOut!, logitsT]);
    const grads: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const g = tf.tidy(() => {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, 64, 64, 3]);
        const ci = tf.tensor2d(cot.subarray(i * 10, (i + 1) * 10), [1, 10]);
        const { value, grads: gs } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(xi, { training: false }), ci)) as tf.Scalar, [stemW.variable]);
        value.dispose();
        return gs[stemW.variable.name];
      });
      grads.push((await g.data()) as Float32Array);
      g.dispose();
    }
    x.dispose();

    const ref = reference(['--sides', '64', '--width', String(spec.width), '--input', '64,64,3', '--classes', '10', '--weights', path.join(dir, 'weights'), '--x', path.join(dir, 'x.f32'), '--cotangent', path.join(dir, 'c.f32')]);
    assert.deepEqual(stemShape, ref.stemShape, 'stem output shape');
    const rows: [string, number][] = [
      ['stem output (eval mode)', relError(stem, ref.stem!)],
      ['logits (eval mode)', relError(logits, ref.logits!)],
    ];
    const kept = ref.margins!.flatMap((m, i) => (m >= KINK_MARGIN ? [i] : []));
    assert.ok(kept.length >= 4, `only ${kept.length} of ${n} examples are clear of ReLU/max-pool kinks (margins ${ref.margins!.map((m) => m.toExponential(1)).join(' ')}): change the data seed`);
    for (const i of kept) rows.push([`stem weight gradient, example ${i}`, relError(grads[i], ref.stemGrad![i])]);
    t.diagnostic(`on ${backend.device}; reference torch ${ref.torch} float64; gradients of the ${kept.length}/${n} examples clear of kinks`);
    for (const [what, err] of rows) t.diagnostic(`${err.toExponential(2).padStart(9)}  ${what}`);
    const bad = rows.filter(([, err]) => !(err <= TOLERANCE));
    assert.deepEqual(bad, [], `relative errors above ${TOLERANCE} (inputs kept in ${dir})`);
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    model.dispose();
  }
});
