import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/**
 * The PyTorch reference scripts (test/reference/) need torch and functorch for /usr/bin/python3 (Debian's
 * python3-torch: bash scripts/install-torch.sh) or the interpreter DATADIET_TORCH_PYTHON names.
 */
export const TORCH_PYTHON = process.env.DATADIET_TORCH_PYTHON ?? '/usr/bin/python3';

let torchProbe: string | undefined | null = null;
/** Why the reference cannot run here, or undefined when it can. */
export function torchMissing(): string | undefined {
  if (torchProbe !== null) return torchProbe;
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch, functorch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) torchProbe = `${TORCH_PYTHON} cannot run (${r.error.message})`;
  else if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').pop();
    torchProbe = `torch/functorch not importable by ${TORCH_PYTHON} (${last}); install with: bash scripts/install-torch.sh`;
  } else torchProbe = undefined;
  return torchProbe;
}

/** True when the reference can run; otherwise skips the test, or fails it in CI (a skip in CI is a failure). */
export function torchOrSkip(t: TestContext): boolean {
  const why = torchMissing();
  if (!why) return true;
  if (process.env.CI === 'true' || process.env.DATADIET_REQUIRE_TORCH === '1') {
    assert.fail(`the PyTorch reference is required in CI (CI=true or DATADIET_REQUIRE_TORCH=1) but ${why}`);
  }
  t.skip(why);
  return false;
}
