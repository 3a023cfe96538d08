/**
 * Where the time of one phase goes, per kernel: runs `fn` under tf.profile a few times and adds up each
 * kernel's time (kernelTimeMs, measured around the kernel call by the backend). Entries that are not kernels of
 * the backend (customGrad wrappers, whose time includes the kernels they call) are left out, so the kernel
 * times add up without double counting; what is left of the wall time is JavaScript between kernels (tape
 * bookkeeping, tidy, the gradient functions' own code).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface KernelRow {
  readonly name: string;
  readonly calls: number;
  /** Milliseconds per iteration. */
  readonly ms: number;
}

export interface KernelProfile {
  /** Wall milliseconds per iteration (under the profiler). */
  readonly wallMs: number;
  /** Kernels by time, highest first. */
  readonly rows: KernelRow[];
}

export async function profileKernels(iterations: number, fn: () => unknown): Promise<KernelProfile> {
  await fn(); // warm-up: first-call allocations and compilation stay out of the profile
  const backend = tf.getBackend();
  const known = new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
  const ms = new Map<string, number>();
  const calls = new Map<string, number>();
  let wall = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const info = await tf.profile(fn as () => tf.TensorContainer | Promise<tf.TensorContainer>);
    wall += performance.now() - t0;
    for (const k of info.kernels) {
      if (!known.has(k.name)) continue;
      const t = await k.kernelTimeMs;
      if (typeof t !== 'number') continue;
      ms.set(k.name, (ms.get(k.name) ?? 0) + t);
      calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
    }
  }
  const rows = [...ms.entries()]
    .map(([name, total]) => ({ name, calls: calls.get(name)! / iterations, ms: total / iterations }))
    .sort((a, b) => b.ms - a.ms);
  return { wallMs: wall / iterations, rows };
}

/** Markdown table: the top kernels, the rest summed, and the time outside kernels. */
export function profileTable(title: string, p: KernelProfile, top = 12): string[] {
  const pct = (x: number) => `${((100 * x) / p.wallMs).toFixed(1)}%`;
  const lines = [`**${title}**: ${p.wallMs.toFixed(1)} ms per iteration under the profiler`, '', '| kernel | calls | ms | share |', '|---|---|---|---|'];
  for (const r of p.rows.slice(0, top)) lines.push(`| ${r.name} | ${r.calls} | ${r.ms.toFixed(1)} | ${pct(r.ms)} |`);
  const rest = p.rows.slice(top);
  if (rest.length) {
    const ms = rest.reduce((s, r) => s + r.ms, 0);
    lines.push(`| ${rest.length} other kernels | ${rest.reduce((s, r) => s + r.calls, 0)} | ${ms.toFixed(1)} | ${pct(ms)} |`);
  }
  const inKernels = p.rows.reduce((s, r) => s + r.ms, 0);
  lines.push(`| (outside kernels: JavaScript, tape) | | ${(p.wallMs - inKernels).toFixed(1)} | ${pct(p.wallMs - inKernels)} |`);
  return lines;
}
