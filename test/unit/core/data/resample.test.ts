import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fitSquare, resizeBilinear, scaledSize } from '../../../../src/core/data/resample';
import { repoRoot } from '../../helpers/paths';
import { torchOrSkip, TORCH_PYTHON } from '../../helpers/torch';

/** Deterministic pixels with edges and gradients (a smooth image would hide filter differences). */
function pixels(h: number, w: number, c: number, salt: number): number[] {
  return Array.from({ length: h * w * c }, (_, i) => (i * 37 + salt * 101 + ((i * i) % 53) * 3) % 256);
}

type Case = { h: number; w: number; c: number; pixels: number[] } & ({ out_h: number; out_w: number } | { crop: number });

function torchOutputs(cases: Case[]): number[][] {
  const r = spawnSync(TORCH_PYTHON, [path.join(repoRoot(), 'test/reference/torch_resize.py')], { input: JSON.stringify({ cases }), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { outputs: number[][] }).outputs;
}

test('bilinear antialiased resize and Resize + CenterCrop equal PyTorch (interpolate antialias=True, torchvision rounding) within 1 level', (t) => {
  if (!torchOrSkip(t)) return;
  const cases: Case[] = [
    { h: 28, w: 28, c: 1, pixels: pixels(28, 28, 1, 1), out_h: 64, out_w: 64 }, // MNIST up to 64
    { h: 28, w: 28, c: 1, pixels: pixels(28, 28, 1, 2), out_h: 16, out_w: 16 }, // down, antialiased
    { h: 32, w: 32, c: 3, pixels: pixels(32, 32, 3, 3), out_h: 24, out_w: 40 }, // CIFAR, non-integer factors
    { h: 50, w: 60, c: 3, pixels: pixels(50, 60, 3, 4), out_h: 7, out_w: 9 }, // strong downscale
    { h: 48, w: 64, c: 3, pixels: pixels(48, 64, 3, 5), crop: 32 }, // landscape
    { h: 61, w: 45, c: 1, pixels: pixels(61, 45, 1, 6), crop: 24 }, // portrait, odd sizes
    { h: 20, w: 33, c: 3, pixels: pixels(20, 33, 3, 7), crop: 48 }, // upscale then crop
  ];
  const want = torchOutputs(cases);
  cases.forEach((c, k) => {
    const src = Uint8Array.from(c.pixels);
    const got =
      'crop' in c
        ? fitSquare({ width: c.w, height: c.h, channels: c.c as 1 | 3, data: src }, c.crop, 'crop').data
        : resizeBilinear(src, c.w, c.h, c.c, c.out_w, c.out_h);
    assert.equal(got.length, want[k].length, `case ${k}: size`);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[k][i]));
    assert.ok(worst <= 1, `case ${k}: differs from PyTorch by up to ${worst} levels`);
  });
});

test('Resize(S) sizes follow torchvision: the shorter side becomes S, the longer truncated; pad fits the longer side', () => {
  assert.deepEqual(scaledSize(64, 48, 32, 'crop'), [42, 32]);
  assert.deepEqual(scaledSize(45, 61, 24, 'crop'), [24, 32]);
  assert.deepEqual(scaledSize(64, 48, 32, 'pad'), [32, 24]);
  assert.deepEqual(scaledSize(45, 61, 24, 'pad'), [18, 24]);
  assert.deepEqual(scaledSize(10, 10, 16, 'crop'), [16, 16]);
});

test('pad keeps the whole image centred on black; crop of a square is a plain resize', () => {
  const white = { width: 8, height: 4, channels: 1 as const, data: new Uint8Array(32).fill(255) };
  const padded = fitSquare(white, 8, 'pad');
  const rows = Array.from({ length: 8 }, (_, y) => padded.data[y * 8 + 3]);
  assert.deepEqual(rows, [0, 0, 255, 255, 255, 255, 0, 0]);
  const sq = { width: 6, height: 6, channels: 3 as const, data: Uint8Array.from(pixels(6, 6, 3, 9)) };
  assert.deepEqual(fitSquare(sq, 12, 'crop').data, resizeBilinear(sq.data, 6, 6, 3, 12, 12));
  assert.deepEqual(fitSquare(sq, 6, 'crop').data, sq.data);
});
