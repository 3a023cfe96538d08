import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Hand-assembled WebAssembly SIMD loops that run on the tfjs wasm heap (they import the backend's own
 * WebAssembly.Memory, so they read and write tensors in place, by their heap offsets).
 *
 * Why: tfjs-backend-wasm has no fused kernels for what a ResNet training step does between its convolutions
 * (batch-norm statistics, normalize + scale + shift + ReLU, the batch-norm backward, residual add + ReLU, ReLU
 * gradients, reductions over the leading axes). Composed from stock kernels each is 3-8 full passes over the
 * activations with fresh intermediates, and JavaScript loops over the heap run at ~2-4 ns per element. These
 * loops are one pass each at memory speed (f32x4, single-threaded).
 *
 * The module is built here byte by byte (no toolchain needed at build or run time) and instantiated once per
 * wasm backend instance. Everything is float32 with channels innermost ([P, C] with C % 4 == 0 for the
 * per-channel kernels); callers fall back to other code when a shape does not fit. Per-channel sums are
 * accumulated in f32 over blocks of at most 64 rows and then added into f64 accumulators, so their error does
 * not grow with the number of rows.
 */

// ------------------------------------------------------------------------------------------- encoding

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...u32(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

type Code = number[];
const simd = (op: number, ...imm: number[]): Code => [0xfd, ...u32(op), ...imm];
const mem = (align: number, offset = 0): number[] => [...u32(align), ...u32(offset)];

/** The instructions used below (WebAssembly 2.0 core + fixed-width SIMD). */
const op = {
  get: (i: number): Code => [0x20, ...u32(i)],
  set: (i: number): Code => [0x21, ...u32(i)],
  tee: (i: number): Code => [0x22, ...u32(i)],
  i32: (v: number): Code => [0x41, ...s32(v)],
  f32: (v: number): Code => {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return [0x43, ...b];
  },
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  select: [0x1b],
  f32Load: (off = 0): Code => [0x2a, ...mem(2, off)],
  f64Load: (off = 0): Code => [0x2b, ...mem(3, off)],
  f64Store: (off = 0): Code => [0x39, ...mem(3, off)],
  f64Add: [0xa0],
  f64PromoteF32: [0xbb],
  block: (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b],
  loop: (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b],
  br: (d: number): Code => [0x0c, ...u32(d)],
  brIf: (d: number): Code => [0x0d, ...u32(d)],
  vLoad: (off = 0): Code => simd(0, ...mem(0, off)),
  vStore: (off = 0): Code => simd(11, ...mem(0, off)),
  vLoad32Splat: (off = 0): Code => simd(9, ...mem(0, off)),
  /** i8x16.shuffle of the two vectors on the stack, by 32-bit lanes (0-3 first operand, 4-7 second). */
  shuffle32: (...lanes: number[]): Code => simd(13, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  f32x4Splat: simd(19),
  f32x4Gt: simd(68),
  vAnd: simd(78),
  f32x4Add: simd(228),
  f32x4Sub: simd(229),
  f32x4Mul: simd(230),
  f32x4Max: simd(233),
};

/** `for (i = from; i < end; i += step) body` over i32 locals; `end` and `step` are code producing an i32. */
function forLoop(i: number, from: Code, end: Code, step: Code, ...body: Code[]): Code {
  return [
    ...from,
    ...op.set(i),
    ...op.block(
      op.loop(
        [...op.get(i), ...end, ...op.i32GeU, ...op.brIf(1)],
        ...body,
        [...op.get(i), ...step, ...op.i32Add, ...op.set(i), ...op.br(0)],
      ),
    ),
  ];
}

interface FuncDef {
  readonly name: string;
  readonly params: number;
  /** Extra locals by type, in order after the i32 params. */
  readonly locals: readonly number[];
  readonly body: Code;
}

function moduleBytes(funcs: readonly FuncDef[], shared: boolean): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0]);
  // (import "env" "memory" (memory 1 [65536] [shared]))
  const limits = shared ? [0x03, ...u32(1), ...u32(65536)] : [0x00, ...u32(1)];
  const imports = vec([[...str('env'), ...str('memory'), 0x02, ...limits]]);
  const functions = vec(funcs.map((_, i) => u32(i)));
  const exports = vec(funcs.map((f, i) => [...str(f.name), 0x00, ...u32(i)]));
  const code = vec(
    funcs.map((f) => {
      const groups: number[][] = [];
      for (const t of f.locals) {
        const last = groups[groups.length - 1];
        if (last && last[1] === t) last[0]++;
        else groups.push([1, t]);
      }
      const body = [...vec(groups.map(([n, t]) => [...u32(n), t])), ...f.body, 0x0b];
      return [...u32(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

// ------------------------------------------------------------------------------------------- kernels

/** Rows per f32 block before the per-channel sums are added into the f64 accumulators. */
const BLOCK_ROWS = 64;

/**
 * colSums(x, P, C, shift, acc32, acc64 [, y]) and variants: for a [P, C] array (byte offsets; C % 4 == 0),
 *   acc64[c]     += sum_p g[p, c]
 *   acc64[C + c] += sum_p g[p, c] * (x[p, c] - shift[c])      (when `second` is 'cross', g = dy)
 *   acc64[C + c] += sum_p (x[p, c] - shift[c])^2              (when `second` is 'square', g = x - shift)
 * where for 'cross' g = dy masked by y > 0 when `relu`. acc32 is 2C floats of scratch.
 */
function colSums(name: string, second: 'none' | 'square' | 'cross', relu: boolean): FuncDef {
  // params: 0 src (x, or dy for 'cross'), 1 P, 2 C, 3 shift, 4 acc32, 5 acc64, 6 x (cross), 7 y (cross+relu)
  const SRC = 0, P = 1, C = 2, SHIFT = 3, A32 = 4, A64 = 5, X = 6, Y = 7;
  const params = second === 'cross' ? (relu ? 8 : 7) : 6;
  let n = params;
  const p0 = n++, pend = n++, p = n++, c = n++, rowBytes = n++, off = n++, j = n++, nAcc = n++;
  const v = n++, g = n++;
  const locals = [I32, I32, I32, I32, I32, I32, I32, I32, V128, V128];
  const accCount = second === 'none' ? 1 : 2;
  const zero = [...op.f32(0), ...op.f32x4Splat];
  // acc32[c] += value on the stack (address computed first)
  const accum = (base: Code, value: Code): Code => [
    ...base,
    ...base,
    ...op.vLoad(),
    ...value,
    ...op.f32x4Add,
    ...op.vStore(),
  ];
  const at = (ptr: number, offLocal: number): Code => [...op.get(ptr), ...op.get(offLocal), ...op.i32Add];
  const inner: Code[] = [];
  if (second === 'cross') {
    // g = dy (masked); v = x - shift
    inner.push([...at(SRC, off), ...op.vLoad(), ...op.set(g)]);
    if (relu) {
      inner.push([...op.get(g), ...at(Y, off), ...op.vLoad(), ...zero, ...op.f32x4Gt, ...op.vAnd, ...op.set(g)]);
    }
    inner.push([...at(X, off), ...op.vLoad(), ...at(SHIFT, c), ...op.vLoad(), ...op.f32x4Sub, ...op.set(v)]);
    inner.push(accum(at(A32, c), op.get(g)));
    inner.push(
      accum([...at(A32, c), ...op.get(2), ...op.i32(2), ...op.i32Shl, ...op.i32Add], [...op.get(g), ...op.get(v), ...op.f32x4Mul]),
    );
  } else {
    inner.push([...at(SRC, off), ...op.vLoad(), ...at(SHIFT, c), ...op.vLoad(), ...op.f32x4Sub, ...op.set(v)]);
    inner.push(accum(at(A32, c), op.get(v)));
    if (second === 'square') {
      inner.push(
        accum([...at(A32, c), ...op.get(2), ...op.i32(2), ...op.i32Shl, ...op.i32Add], [...op.get(v), ...op.get(v), ...op.f32x4Mul]),
      );
    }
  }
  const body: Code = [
    // rowBytes = C * 4; nAcc = accCount * C
    ...op.get(C), ...op.i32(2), ...op.i32Shl, ...op.set(rowBytes),
    ...op.get(C), ...op.i32(accCount), ...op.i32Mul, ...op.set(nAcc),
    ...forLoop(p0, op.i32(0), op.get(P), op.i32(BLOCK_ROWS),
      // pend = min(p0 + BLOCK, P)
      [...op.get(p0), ...op.i32(BLOCK_ROWS), ...op.i32Add, ...op.get(P),
        ...op.get(p0), ...op.i32(BLOCK_ROWS), ...op.i32Add, ...op.get(P), ...op.i32LtU, ...op.select, ...op.set(pend)],
      // zero acc32
      forLoop(j, op.i32(0), [...op.get(nAcc), ...op.i32(2), ...op.i32Shl], op.i32(16),
        [...op.get(A32), ...op.get(j), ...op.i32Add, ...zero, ...op.vStore()]),
      // off = p0 * rowBytes
      [...op.get(p0), ...op.get(rowBytes), ...op.i32Mul, ...op.set(off)],
      forLoop(p, op.get(p0), op.get(pend), op.i32(1),
        forLoop(c, op.i32(0), op.get(rowBytes), op.i32(16),
          ...inner,
          [...op.get(off), ...op.i32(16), ...op.i32Add, ...op.set(off)])),
      // acc64[j] += acc32[j]
      forLoop(j, op.i32(0), op.get(nAcc), op.i32(1),
        [...op.get(A64), ...op.get(j), ...op.i32(3), ...op.i32Shl, ...op.i32Add,
          ...op.get(A64), ...op.get(j), ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.f64Load(),
          ...op.get(A32), ...op.get(j), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.f32Load(), ...op.f64PromoteF32,
          ...op.f64Add, ...op.f64Store()])),
  ];
  return { name, params, locals, body };
}

/**
 * Per-channel affine maps over [P, C] (C % 4 == 0), params = consecutive C-float vectors at `prm`:
 *   'affine':  out = max((x - m) * s + b, lo)                         prm = [m, s, b]
 *   'bnGrad':  out = a * g + k * (x - m) + d,  g = dy (masked by y > 0 when relu)   prm = [m, a, k, d]
 * lo = 0 when `relu` (params: ..., relu flag) else -Infinity.
 */
function affine(): FuncDef {
  // params: 0 x, 1 out, 2 P, 3 C, 4 prm, 5 relu
  const X = 0, OUT = 1, P = 2, C = 3, PRM = 4, RELU = 5;
  let n = 6;
  const p = n++, c = n++, off = n++, cb = n++, lo = n++;
  const rowBytes = [...op.get(C), ...op.i32(2), ...op.i32Shl];
  // the k-th parameter vector at channel byte offset c: prm + k * C * 4 + c
  const paramAt = (k: number): Code => [
    ...op.get(PRM), ...op.get(cb), ...op.i32(k), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add, ...op.vLoad(),
  ];
  const body: Code = [
    ...rowBytes, ...op.set(cb),
    // lo = relu ? 0 : -inf
    ...op.f32(0), ...op.f32(-Infinity), ...op.get(RELU), ...op.select, ...op.f32x4Splat, ...op.set(lo),
    ...op.i32(0), ...op.set(off),
    ...forLoop(p, op.i32(0), op.get(P), op.i32(1),
      forLoop(c, op.i32(0), op.get(cb), op.i32(16),
        [...op.get(OUT), ...op.get(off), ...op.i32Add,
          ...op.get(X), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...paramAt(0), ...op.f32x4Sub,
          ...paramAt(1), ...op.f32x4Mul, ...paramAt(2), ...op.f32x4Add, ...op.get(lo), ...op.f32x4Max,
          ...op.vStore()],
        [...op.get(off), ...op.i32(16), ...op.i32Add, ...op.set(off)])),
  ];
  return { name: 'affine', params: 6, locals: [I32, I32, I32, I32, V128], body };
}

function bnGrad(relu: boolean): FuncDef {
  // params: 0 dy, 1 x, 2 out, 3 P, 4 C, 5 prm, 6 y (relu)
  const DY = 0, X = 1, OUT = 2, P = 3, C = 4, PRM = 5, Y = 6;
  const params = relu ? 7 : 6;
  let n = params;
  const p = n++, c = n++, off = n++, cb = n++, g = n++;
  const paramAt = (k: number): Code => [
    ...op.get(PRM), ...op.get(cb), ...op.i32(k), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add, ...op.vLoad(),
  ];
  const zero = [...op.f32(0), ...op.f32x4Splat];
  const loadG: Code = relu
    ? [...op.get(DY), ...op.get(off), ...op.i32Add, ...op.vLoad(),
      ...op.get(Y), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...zero, ...op.f32x4Gt, ...op.vAnd]
    : [...op.get(DY), ...op.get(off), ...op.i32Add, ...op.vLoad()];
  const body: Code = [
    ...op.get(C), ...op.i32(2), ...op.i32Shl, ...op.set(cb),
    ...op.i32(0), ...op.set(off),
    ...forLoop(p, op.i32(0), op.get(P), op.i32(1),
      forLoop(c, op.i32(0), op.get(cb), op.i32(16),
        [...loadG, ...op.set(g),
          ...op.get(OUT), ...op.get(off), ...op.i32Add,
          ...paramAt(1), ...op.get(g), ...op.f32x4Mul,
          ...op.get(X), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...paramAt(0), ...op.f32x4Sub, ...paramAt(2), ...op.f32x4Mul,
          ...op.f32x4Add, ...paramAt(3), ...op.f32x4Add,
          ...op.vStore()],
        [...op.get(off), ...op.i32(16), ...op.i32Add, ...op.set(off)])),
  ];
  return { name: relu ? 'bnGradRelu' : 'bnGrad', params, locals: [I32, I32, I32, I32, V128], body };
}

/** Elementwise over n4 vectors of 4 floats: 'addRelu' out = max(a + b, 0); 'reluGrad' out = a masked by b > 0. */
function elementwise(kind: 'addRelu' | 'reluGrad'): FuncDef {
  // params: 0 a, 1 b, 2 out, 3 nBytes (multiple of 16)
  const A = 0, B = 1, OUT = 2, NB = 3;
  const off = 4;
  const zero = [...op.f32(0), ...op.f32x4Splat];
  const value: Code =
    kind === 'addRelu'
      ? [...op.get(A), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...op.get(B), ...op.get(off), ...op.i32Add, ...op.vLoad(),
        ...op.f32x4Add, ...zero, ...op.f32x4Max]
      : [...op.get(A), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...op.get(B), ...op.get(off), ...op.i32Add, ...op.vLoad(),
        ...zero, ...op.f32x4Gt, ...op.vAnd];
  const body = forLoop(off, op.i32(0), op.get(NB), op.i32(16), [...op.get(OUT), ...op.get(off), ...op.i32Add, ...value, ...op.vStore()]);
  return { name: kind, params: 4, locals: [I32], body };
}

/**
 * transposeAMB(src, dst, A, M, B): [A, M, B] -> [B, M, A] for A % 4 == 0 and B % 4 == 0 (4x4 register blocks).
 * With M = 1 a plain 2-D transpose; with M = H*W it turns NHWC into CHWN and back.
 */
function transposeAMB(): FuncDef {
  const SRC = 0, DST = 1, A = 2, M = 3, B = 4;
  let n = 5;
  const m = n++, a = n++, b = n++, sRow = n++, dRow = n++, sp = n++, dp = n++;
  const r = [n++, n++, n++, n++];
  const t = [n++, n++, n++, n++];
  const locals = [I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128];
  const loadRow = (i: number): Code => [...op.get(sp), ...(i ? [...op.get(sRow), ...op.i32(i), ...op.i32Mul, ...op.i32Add] : []), ...op.vLoad(), ...op.set(r[i])];
  const storeRow = (j: number, v: Code): Code => [
    ...op.get(dp), ...(j ? [...op.get(dRow), ...op.i32(j), ...op.i32Mul, ...op.i32Add] : []), ...v, ...op.vStore(),
  ];
  const shuf = (x: number, y: number, lanes: number[]): Code => [...op.get(x), ...op.get(y), ...op.shuffle32(...lanes)];
  const body: Code = [
    // sRow = M*B*4 (step between src rows a, a+1); dRow = M*A*4
    ...op.get(M), ...op.get(B), ...op.i32Mul, ...op.i32(2), ...op.i32Shl, ...op.set(sRow),
    ...op.get(M), ...op.get(A), ...op.i32Mul, ...op.i32(2), ...op.i32Shl, ...op.set(dRow),
    ...forLoop(m, op.i32(0), op.get(M), op.i32(1),
      forLoop(a, op.i32(0), op.get(A), op.i32(4),
        forLoop(b, op.i32(0), op.get(B), op.i32(4),
          // sp = src + ((a*M + m)*B + b)*4 ; dp = dst + ((b*M + m)*A + a)*4
          [...op.get(SRC), ...op.get(a), ...op.get(M), ...op.i32Mul, ...op.get(m), ...op.i32Add, ...op.get(B), ...op.i32Mul,
            ...op.get(b), ...op.i32Add, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(sp)],
          [...op.get(DST), ...op.get(b), ...op.get(M), ...op.i32Mul, ...op.get(m), ...op.i32Add, ...op.get(A), ...op.i32Mul,
            ...op.get(a), ...op.i32Add, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(dp)],
          loadRow(0), loadRow(1), loadRow(2), loadRow(3),
          [...shuf(r[0], r[1], [0, 4, 1, 5]), ...op.set(t[0])],
          [...shuf(r[0], r[1], [2, 6, 3, 7]), ...op.set(t[1])],
          [...shuf(r[2], r[3], [0, 4, 1, 5]), ...op.set(t[2])],
          [...shuf(r[2], r[3], [2, 6, 3, 7]), ...op.set(t[3])],
          storeRow(0, shuf(t[0], t[2], [0, 1, 4, 5])),
          storeRow(1, shuf(t[0], t[2], [2, 3, 6, 7])),
          storeRow(2, shuf(t[1], t[3], [0, 1, 4, 5])),
          storeRow(3, shuf(t[1], t[3], [2, 3, 6, 7]))))),
  ];
  return { name: 'transposeAMB', params: 5, locals, body };
}

/** swapABI(src, dst, A, B, Ibytes): [A, B, I] -> [B, A, I], I a multiple of 4 floats (copies of I-float runs). */
function swapABI(): FuncDef {
  const SRC = 0, DST = 1, A = 2, B = 3, IB = 4;
  let n = 5;
  const b = n++, a = n++, k = n++, sp = n++, dp = n++, sStep = n++;
  const body: Code = [
    // sStep = B * Ibytes (src step between a and a+1)
    ...op.get(B), ...op.get(IB), ...op.i32Mul, ...op.set(sStep),
    ...op.get(DST), ...op.set(dp),
    ...forLoop(b, op.i32(0), op.get(B), op.i32(1),
      [...op.get(SRC), ...op.get(b), ...op.get(IB), ...op.i32Mul, ...op.i32Add, ...op.set(sp)],
      forLoop(a, op.i32(0), op.get(A), op.i32(1),
        forLoop(k, op.i32(0), op.get(IB), op.i32(16),
          [...op.get(dp), ...op.get(k), ...op.i32Add, ...op.get(sp), ...op.get(k), ...op.i32Add, ...op.vLoad(), ...op.vStore()]),
        [...op.get(sp), ...op.get(sStep), ...op.i32Add, ...op.set(sp)],
        [...op.get(dp), ...op.get(IB), ...op.i32Add, ...op.set(dp)])),
  ];
  return { name: 'swapABI', params: 5, locals: [I32, I32, I32, I32, I32, I32], body };
}

/**
 * convGradTap: one filter tap of a conv weight gradient over a block of examples,
 *   out[ci, co] += sum_{n, r, q} x[n, r, q, ci] * dy[n, r, q, co]
 * where (r, q) walk an ohCount x owCount window: x rows/columns advance by xRowStride / xColStride bytes (the
 * conv stride), dy ones by dyRowStride / Co*4 bytes. Ci % 4 == 0 and Co % 8 == 0; the 4x8 output block is held
 * in eight f32x4 accumulators over the whole window. params: x, dy, out (byte offsets of the window's first
 * element and of out[0, 0]), nCount, xExStride, dyExStride, ohCount, xRowStride, dyRowStride, owCount,
 * xColStride, Ci, Co.
 */
function convGradTap(): FuncDef {
  const X = 0, DY = 1, OUT = 2, NC = 3, XEX = 4, DYEX = 5, OHC = 6, XROW = 7, DYROW = 8, OWC = 9, XCOL = 10, CI = 11, CO = 12;
  let n = 13;
  const ci = n++, co = n++, e = n++, r = n++, q = n++, xp = n++, dp = n++, xe = n++, de = n++, xr = n++, dr = n++, outRow = n++, dyCol = n++;
  const acc = Array.from({ length: 8 }, () => n++);
  const d0 = n++, d1 = n++, xv = n++;
  const locals = [...Array(13).fill(I32), ...Array(11).fill(V128)];
  // acc[i][j] lives at out + (ci + i) * Co * 4 + (co + 4j) * 4
  const accAddr = (i: number, j: number): Code => [
    ...op.get(OUT), ...op.get(ci), ...op.i32(i), ...op.i32Add, ...op.get(outRow), ...op.i32Mul, ...op.i32Add,
    ...op.get(co), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...(j ? [...op.i32(16), ...op.i32Add] : []),
  ];
  const loadAcc: Code[] = [];
  const storeAcc: Code[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      loadAcc.push([...accAddr(i, j), ...op.vLoad(), ...op.set(acc[2 * i + j])]);
      storeAcc.push([...accAddr(i, j), ...op.get(acc[2 * i + j]), ...op.vStore()]);
    }
  }
  const step: Code[] = [
    [...op.get(dp), ...op.vLoad(0), ...op.set(d0)],
    [...op.get(dp), ...op.vLoad(16), ...op.set(d1)],
  ];
  for (let i = 0; i < 4; i++) {
    step.push([...op.get(xp), ...op.vLoad32Splat(4 * i), ...op.set(xv)]);
    for (let j = 0; j < 2; j++) {
      const a = acc[2 * i + j];
      step.push([...op.get(a), ...op.get(xv), ...op.get(j ? d1 : d0), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a)]);
    }
  }
  step.push([...op.get(xp), ...op.get(XCOL), ...op.i32Add, ...op.set(xp)]);
  step.push([...op.get(dp), ...op.get(dyCol), ...op.i32Add, ...op.set(dp)]);
  const body: Code = [
    ...op.get(CO), ...op.i32(2), ...op.i32Shl, ...op.set(outRow),
    ...op.get(CO), ...op.i32(2), ...op.i32Shl, ...op.set(dyCol),
    ...forLoop(ci, op.i32(0), op.get(CI), op.i32(4),
      forLoop(co, op.i32(0), op.get(CO), op.i32(8),
        ...loadAcc,
        // xe / de: the current example's window start (ci / co offsets folded in)
        [...op.get(X), ...op.get(ci), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(xe)],
        [...op.get(DY), ...op.get(co), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(de)],
        forLoop(e, op.i32(0), op.get(NC), op.i32(1),
          [...op.get(xe), ...op.set(xr)],
          [...op.get(de), ...op.set(dr)],
          forLoop(r, op.i32(0), op.get(OHC), op.i32(1),
            [...op.get(xr), ...op.set(xp)],
            [...op.get(dr), ...op.set(dp)],
            forLoop(q, op.i32(0), op.get(OWC), op.i32(1), ...step),
            [...op.get(xr), ...op.get(XROW), ...op.i32Add, ...op.set(xr)],
            [...op.get(dr), ...op.get(DYROW), ...op.i32Add, ...op.set(dr)]),
          [...op.get(xe), ...op.get(XEX), ...op.i32Add, ...op.set(xe)],
          [...op.get(de), ...op.get(DYEX), ...op.i32Add, ...op.set(de)]),
        ...storeAcc)),
  ];
  return { name: 'convGradTap', params: 13, locals, body };
}

const FUNCS: readonly FuncDef[] = [
  convGradTap(),
  transposeAMB(),
  swapABI(),
  colSums('colSum', 'none', false),
  colSums('colSumSq', 'square', false),
  colSums('colCross', 'cross', false),
  colSums('colCrossRelu', 'cross', true),
  affine(),
  bnGrad(false),
  bnGrad(true),
  elementwise('addRelu'),
  elementwise('reluGrad'),
];

export interface SimdExports {
  convGradTap(
    x: number, dy: number, out: number, nCount: number, xExStride: number, dyExStride: number, ohCount: number,
    xRowStride: number, dyRowStride: number, owCount: number, xColStride: number, ci: number, co: number,
  ): void;
  transposeAMB(src: number, dst: number, a: number, m: number, b: number): void;
  swapABI(src: number, dst: number, a: number, b: number, iBytes: number): void;
  colSum(x: number, p: number, c: number, shift: number, acc32: number, acc64: number): void;
  colSumSq(x: number, p: number, c: number, shift: number, acc32: number, acc64: number): void;
  colCross(dy: number, p: number, c: number, shift: number, acc32: number, acc64: number, x: number): void;
  colCrossRelu(dy: number, p: number, c: number, shift: number, acc32: number, acc64: number, x: number, y: number): void;
  affine(x: number, out: number, p: number, c: number, prm: number, relu: number): void;
  bnGrad(dy: number, x: number, out: number, p: number, c: number, prm: number): void;
  bnGradRelu(dy: number, x: number, out: number, p: number, c: number, prm: number, y: number): void;
  addRelu(a: number, b: number, out: number, nBytes: number): void;
  reluGrad(dy: number, y: number, out: number, nBytes: number): void;
}

/** The module's bytes for a shared (threaded build) or ordinary memory; exported for tests. */
export function simdModuleBytes(shared: boolean): Uint8Array {
  return moduleBytes(FUNCS, shared);
}

interface WasmModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBufferLike };
}
const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** One instance per wasm backend, with its scratch memory in the backend's heap. */
export class SimdRuntime {
  private scratch = 0;
  private scratchBytes = 0;

  constructor(
    readonly backend: BackendWasm,
    readonly fn: SimdExports,
  ) {}

  private get module(): WasmModuleLike {
    return this.backend.wasm as unknown as WasmModuleLike;
  }

  /** A 16-byte aligned scratch region of at least `bytes` in the heap (reused; valid until the next call). */
  scratchAt(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratch) this.module._free(this.scratch);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes, 4096);
      this.scratch = this.module._malloc(this.scratchBytes + 16);
    }
    return (this.scratch + 15) & ~15;
  }

  /** The heap (fresh view: allocations may have grown it). */
  get buffer(): ArrayBufferLike {
    return this.module.HEAPU8.buffer;
  }

  /** Heap byte offset of a tensor's data. */
  offset(dataId: object): number {
    const d = (this.backend as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap.get(
      dataId,
    );
    if (!d) throw new Error('simd: tensor data not found in the wasm backend');
    return d.memoryOffset;
  }
}

const runtimes = new WeakMap<object, SimdRuntime | null>();

/** The SIMD loops bound to `backend`'s heap, or null where they cannot run (no SIMD, no memory handle). */
export function simdRuntime(backend: BackendWasm): SimdRuntime | null {
  const cached = runtimes.get(backend);
  if (cached !== undefined) return cached;
  let rt: SimdRuntime | null = null;
  try {
    const m = backend.wasm as unknown as WasmModuleLike;
    const memory = m.wasmMemory ?? m.asm?.memory;
    if (memory && typeof m._malloc === 'function') {
      const shared = typeof SharedArrayBuffer !== 'undefined' && m.HEAPU8.buffer instanceof SharedArrayBuffer;
      const mod = new WA.Module(simdModuleBytes(shared));
      const inst = new WA.Instance(mod, { env: { memory } });
      rt = new SimdRuntime(backend, inst.exports as unknown as SimdExports);
    }
  } catch {
    rt = null;
  }
  runtimes.set(backend, rt);
  return rt;
}
