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
 * The same holds for convolutions: XNNPACK packs (and tfjs first transposes) the filter whenever the filter
 * tensor is new, i.e. on every training step, and the weight gradient had to be phrased as a conv with dy as a
 * huge filter. Direct loops over NHWC data with 4x8 register tiles (convTile, convGradTap) do the same
 * multiply-adds without any packing, at ~30 GFLOP/s per thread here.
 *
 * The module is built here byte by byte (no toolchain needed at build or run time) and instantiated once per
 * wasm backend instance; with the threaded backend (shared memory) `SimdRuntime.parallel` also runs it on
 * worker threads of its own. Everything is float32 with channels innermost ([P, C] with C % 4 == 0 for the
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
  f64: (v: number): Code => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  f32x4Lane: (l: number): Code => simd(31, l),
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
  vAndNot: simd(79),
  vBitselect: simd(82),
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

/**
 * Whether the module being built uses f32x4.relaxed_madd (one fused multiply-add instruction, FMA3 on x64)
 * in the convolution loops instead of a multiply and an add: set by `simdModuleBytes` while it builds.
 */
let useFma = false;

/** acc + a * b on f32x4 values (code producing each); fused when the module is built with FMA. */
function madd(acc: Code, a: Code, b: Code): Code {
  return useFma ? [...a, ...b, ...acc, ...simd(0x105)] : [...acc, ...a, ...b, ...op.f32x4Mul, ...op.f32x4Add];
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
 * colSums(x, P, C, shift, acc32, acc64 [, x, y]) and variants: for a [P, C] array (byte offsets; C % 4 == 0),
 *   acc64[c]      += sum_p g[p, c]
 *   acc64[C + c]  += sum_p (x[p, c] - shift[c])^2             (when `second` is 'square', g = x - shift)
 *   acc64[C + c]  += sum_p g[p, c] * (x[p, c] - shift[c])     (when `second` is 'cross', g = dy,
 *   acc64[2C + c] += sum_p (x[p, c] - shift[c])                 masked by y > 0 when `relu`)
 * acc32 holds as many floats as acc64 doubles (scratch).
 */
function colSums(name: string, second: 'none' | 'square' | 'cross', relu: boolean): FuncDef {
  // params: 0 src (x, or dy for 'cross'), 1 P, 2 C, 3 shift, 4 acc32, 5 acc64, 6 x (cross), 7 y (cross+relu)
  const SRC = 0, P = 1, C = 2, SHIFT = 3, A32 = 4, A64 = 5, X = 6, Y = 7;
  const params = second === 'cross' ? (relu ? 8 : 7) : 6;
  let n = params;
  const p0 = n++, pend = n++, p = n++, c = n++, rowBytes = n++, off = n++, j = n++, nAcc = n++;
  const v = n++, g = n++;
  const locals = [I32, I32, I32, I32, I32, I32, I32, I32, V128, V128];
  const accCount = second === 'none' ? 1 : second === 'square' ? 2 : 3;
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
    // third sum: x - shift
    inner.push(accum([...at(A32, c), ...op.get(2), ...op.i32(3), ...op.i32Shl, ...op.i32Add], op.get(v)));
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

/**
 * Elementwise over nBytes (a multiple of 16): 'addRelu' out = max(a + b, 0); 'reluGrad' out = a masked by b > 0;
 * 'add' out = a + b.
 */
function elementwise(kind: 'addRelu' | 'reluGrad' | 'add'): FuncDef {
  // params: 0 a, 1 b, 2 out, 3 nBytes (multiple of 16)
  const A = 0, B = 1, OUT = 2, NB = 3;
  const off = 4;
  const zero = [...op.f32(0), ...op.f32x4Splat];
  const ab = [...op.get(A), ...op.get(off), ...op.i32Add, ...op.vLoad(), ...op.get(B), ...op.get(off), ...op.i32Add, ...op.vLoad()];
  const value: Code =
    kind === 'add'
      ? [...ab, ...op.f32x4Add]
      : kind === 'addRelu'
      ? [...ab, ...op.f32x4Add, ...zero, ...op.f32x4Max]
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
      step.push([...madd(op.get(a), op.get(xv), op.get(j ? d1 : d0)), ...op.set(a)]);
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

/**
 * convTile: a direct convolution over a block of output rows, NHWC, weights packed as [Co/8, KH, KW, Ci, 8]
 * (each block of 8 output channels contiguous: every cache line of it is used, see convDirect.ts packWeights):
 *   y[e, r, q, co] = sum_{kh, kw, ci} x[e, r, q, kh, kw, ci] * w[co/8, kh, kw, ci, co%8]
 * with x addressed as xBase + e*xEx + r*xRow + q*xCol + kh*xTapRow + kw*Ci*4 + ci*4 (the caller pads x and folds
 * the stride into xRow/xCol) and y as yBase + e*yEx + r*yRow + q*yCol + co*4 (strided outputs write polyphase
 * results in place). Tiles of 4 output columns x 8 channels live in eight f32x4 accumulators; a row's last
 * tile is shifted left to end at owCount (it recomputes some columns: same values). Co % 8 == 0, owCount >= 4.
 * params: x, w, y, nCount, ohCount, owCount, xEx, xRow, xCol, xTapRow, yEx, yRow, yCol, KH, KW, Ci, Co.
 */
function convTile(): FuncDef {
  // (Two input channels per iteration measured 35% slower: V8 spills with the extra live vectors.)
  const unroll = 1;
  const X = 0, W = 1, Y = 2, NC = 3, OHC = 4, OWC = 5, XEX = 6, XROW = 7, XCOL = 8, XTAP = 9, YEX = 10, YROW = 11, YCOL = 12;
  const KH = 13, KW = 14, CI = 15, CO = 16;
  let n = 17;
  const co = n++, e = n++, r = n++, q = n++, qq = n++, kh = n++, kw = n++, ci = n++, xp = n++, wp = n++, xq = n++, wq = n++;
  const wStep = n++, ciBytes = n++, xr = n++, yr = n++, yp = n++, last = n++;
  // the tile's four column addresses, computed once per input channel step
  const xa = [n++, n++, n++, n++];
  const acc = Array.from({ length: 8 }, () => n++);
  const w0 = n++, w1 = n++, xv = n++;
  const locals = [...Array(22).fill(I32), ...Array(11).fill(V128)];
  const zero = [...op.f32(0), ...op.f32x4Splat];
  const inner: Code[] = [];
  for (let i = 1; i < 4; i++) inner.push([...op.get(xa[i - 1]), ...op.get(XCOL), ...op.i32Add, ...op.set(xa[i])]);
  for (let u = 0; u < unroll; u++) {
    inner.push([...op.get(wp), ...op.vLoad(32 * u), ...op.set(w0)]);
    inner.push([...op.get(wp), ...op.vLoad(32 * u + 16), ...op.set(w1)]);
    for (let i = 0; i < 4; i++) {
      inner.push([...op.get(xa[i]), ...op.vLoad32Splat(4 * u), ...op.set(xv)]);
      for (let j = 0; j < 2; j++) {
        const a = acc[2 * i + j];
        inner.push([...madd(op.get(a), op.get(xv), op.get(j ? w1 : w0)), ...op.set(a)]);
      }
    }
  }
  inner.push([...op.get(xa[0]), ...op.i32(4 * unroll), ...op.i32Add, ...op.set(xa[0])]);
  inner.push([...op.get(wp), ...op.i32(32 * unroll), ...op.i32Add, ...op.set(wp)]);
  const store: Code[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      store.push([
        ...op.get(yp), ...(i ? [...op.get(YCOL), ...op.i32(i), ...op.i32Mul, ...op.i32Add] : []), ...op.get(acc[2 * i + j]),
        ...op.vStore(16 * j),
      ]);
    }
  }
  const body: Code = [
    // wStep = 32 (next ci in a packed block), ciBytes = Ci*4; last = owCount - 4
    ...op.i32(32), ...op.set(wStep),
    ...op.get(CI), ...op.i32(2), ...op.i32Shl, ...op.set(ciBytes),
    ...op.get(OWC), ...op.i32(4), ...op.i32Sub, ...op.set(last),
    ...forLoop(co, op.i32(0), op.get(CO), op.i32(8),
      forLoop(e, op.i32(0), op.get(NC), op.i32(1),
        forLoop(r, op.i32(0), op.get(OHC), op.i32(1),
          // xr = x + e*xEx + r*xRow ; yr = y + e*yEx + r*yRow + co*4
          [...op.get(X), ...op.get(e), ...op.get(XEX), ...op.i32Mul, ...op.i32Add, ...op.get(r), ...op.get(XROW), ...op.i32Mul, ...op.i32Add, ...op.set(xr)],
          [...op.get(Y), ...op.get(e), ...op.get(YEX), ...op.i32Mul, ...op.i32Add, ...op.get(r), ...op.get(YROW), ...op.i32Mul, ...op.i32Add,
            ...op.get(co), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(yr)],
          forLoop(q, op.i32(0), op.get(OWC), op.i32(4),
            // qq = min(q, owCount - 4)
            [...op.get(q), ...op.get(last), ...op.get(q), ...op.get(last), ...op.i32LtU, ...op.select, ...op.set(qq)],
            ...acc.map((a) => [...zero, ...op.set(a)]),
            // xq = xr + qq*xCol ; wq = w + (co/8) * KH*KW*Ci*32 = w + co * KH*KW*Ci*4
            [...op.get(xr), ...op.get(qq), ...op.get(XCOL), ...op.i32Mul, ...op.i32Add, ...op.set(xq)],
            [...op.get(W), ...op.get(co), ...op.get(KH), ...op.i32Mul, ...op.get(KW), ...op.i32Mul, ...op.get(ciBytes), ...op.i32Mul,
              ...op.i32Add, ...op.set(wq)],
            forLoop(kh, op.i32(0), op.get(KH), op.i32(1),
              forLoop(kw, op.i32(0), op.get(KW), op.i32(1),
                [...op.get(xq), ...op.get(kw), ...op.get(ciBytes), ...op.i32Mul, ...op.i32Add, ...op.set(xa[0])],
                [...op.get(wq), ...op.set(wp)],
                forLoop(ci, op.i32(0), op.get(CI), op.i32(unroll), ...inner),
                // next kw: the packed weights advance by Ci*32 (wp already did)
                [...op.get(wp), ...op.set(wq)]),
              [...op.get(xq), ...op.get(XTAP), ...op.i32Add, ...op.set(xq)]),
            [...op.get(yr), ...op.get(qq), ...op.get(YCOL), ...op.i32Mul, ...op.i32Add, ...op.set(yp)],
            ...store)))),
  ];
  return { name: 'convTile', params: 17, locals, body };
}

/**
 * sgdStep(p, g, buf, outP, outBuf, nBytes, prm), prm = 5 floats [lr, mb, a, b, wd]:
 *   d = g + wd p;  nb = mb buf + d;  outBuf = nb;  outP = p - lr (a d + b nb)
 * torch.optim.SGD with mb = momentum (0 on the first step), (a, b) = (1, momentum) with Nesterov, else (0, 1).
 */
function sgdStep(): FuncDef {
  const P = 0, G = 1, BUF = 2, OP = 3, OB = 4, NB = 5, PRM = 6;
  let n = 7;
  const off = n++;
  const lr = n++, mb = n++, a = n++, b = n++, wd = n++, pv = n++, d = n++, nb = n++;
  const at = (ptr: number): Code => [...op.get(ptr), ...op.get(off), ...op.i32Add];
  const body: Code = [
    ...[lr, mb, a, b, wd].flatMap((l, i) => [...op.get(PRM), ...op.vLoad32Splat(4 * i), ...op.set(l)]),
    ...forLoop(off, op.i32(0), op.get(NB), op.i32(16),
      [...at(P), ...op.vLoad(), ...op.set(pv)],
      [...at(G), ...op.vLoad(), ...op.get(wd), ...op.get(pv), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(d)],
      [...op.get(mb), ...at(BUF), ...op.vLoad(), ...op.f32x4Mul, ...op.get(d), ...op.f32x4Add, ...op.set(nb)],
      [...at(OB), ...op.get(nb), ...op.vStore()],
      [...at(OP), ...op.get(pv), ...op.get(lr),
        ...op.get(a), ...op.get(d), ...op.f32x4Mul, ...op.get(b), ...op.get(nb), ...op.f32x4Mul, ...op.f32x4Add,
        ...op.f32x4Mul, ...op.f32x4Sub, ...op.vStore()]),
  ];
  return { name: 'sgdStep', params: 7, locals: [I32, V128, V128, V128, V128, V128, V128, V128, V128], body };
}

/**
 * sumSqClear(src, nBytes, out): out (f64) = sum of src[i]^2 over nBytes (a multiple of 16), and src zeroed
 * (scratch that the next example's gradient accumulates into). f32x4 partial sums over blocks of 256 floats,
 * added into an f64 total.
 */
function sumSqClear(): FuncDef {
  const SRC = 0, NB = 1, OUT = 2;
  let n = 3;
  const off = n++, k = n++, end = n++, acc = n++, v = n++, total = n++;
  const zero = [...op.f32(0), ...op.f32x4Splat];
  const lane = (l: number): Code => [...op.get(acc), ...op.f32x4Lane(l), ...op.f64PromoteF32, ...op.get(total), ...op.f64Add, ...op.set(total)];
  const body: Code = [
    ...op.f64(0), ...op.set(total),
    ...forLoop(off, op.i32(0), op.get(NB), op.i32(1024),
      // end = min(off + 1024, nBytes)
      [...op.get(off), ...op.i32(1024), ...op.i32Add, ...op.get(NB),
        ...op.get(off), ...op.i32(1024), ...op.i32Add, ...op.get(NB), ...op.i32LtU, ...op.select, ...op.set(end)],
      [...zero, ...op.set(acc)],
      forLoop(k, op.get(off), op.get(end), op.i32(16),
        [...op.get(SRC), ...op.get(k), ...op.i32Add, ...op.vLoad(), ...op.set(v)],
        [...op.get(acc), ...op.get(v), ...op.get(v), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc)],
        [...op.get(SRC), ...op.get(k), ...op.i32Add, ...zero, ...op.vStore()]),
      lane(0), lane(1), lane(2), lane(3)),
    ...op.get(OUT), ...op.get(total), ...op.f64Store(),
  ];
  return { name: 'sumSqClear', params: 3, locals: [I32, I32, I32, V128, V128, F64], body };
}

/**
 * maxPool2x2Grad(x, dy, out, N, OH, OW, cBytes, xExBytes, xRowBytes): the gradient of an unpadded 2x2 stride-2
 * max pool over NHWC x (C % 4 == 0): within each window dy goes to the first maximum in row-major order (strict
 * comparisons from -Infinity, as the cpu backend), the window's other three inputs get 0. Inputs outside every
 * window (odd trailing rows/columns) are not written.
 */
function maxPool2x2Grad(): FuncDef {
  const X = 0, DY = 1, OUT = 2, N = 3, OH = 4, OW = 5, CB = 6, XEX = 7, XROW = 8;
  let n = 9;
  const b = n++, r = n++, q = n++, k = n++, xb = n++, xq = n++, gp = n++, a = n++, delta = n++;
  const v = [n++, n++, n++, n++];
  const s = [n++, n++, n++, n++];
  const m = n++, g = n++;
  const locals = [...Array(9).fill(I32), ...Array(10).fill(V128)];
  // byte offsets of the window's four inputs from its first
  const offs: Code[] = [[], [...op.get(CB), ...op.i32Add], [...op.get(XROW), ...op.i32Add], [...op.get(XROW), ...op.i32Add, ...op.get(CB), ...op.i32Add]];
  const inner: Code[] = [
    [...op.get(xq), ...op.get(k), ...op.i32Add, ...op.set(a)],
    ...v.map((vi, i) => [...op.get(a), ...offs[i], ...op.vLoad(), ...op.set(vi)]),
    [...op.f32(-Infinity), ...op.f32x4Splat, ...op.set(m)],
  ];
  for (let i = 0; i < 4; i++) {
    inner.push([...op.get(v[i]), ...op.get(m), ...op.f32x4Gt, ...op.set(s[i])]);
    if (i < 3) inner.push([...op.get(v[i]), ...op.get(m), ...op.get(s[i]), ...op.vBitselect, ...op.set(m)]);
  }
  inner.push([...op.get(gp), ...op.vLoad(), ...op.set(g)]);
  // The last selector that fired wins: store g & s3, then g &= ~s3, and so on down to s0.
  for (let i = 3; i >= 0; i--) {
    inner.push([...op.get(a), ...op.get(delta), ...op.i32Add, ...offs[i], ...op.get(g), ...op.get(s[i]), ...op.vAnd, ...op.vStore()]);
    if (i > 0) inner.push([...op.get(g), ...op.get(s[i]), ...op.vAndNot, ...op.set(g)]);
  }
  inner.push([...op.get(gp), ...op.i32(16), ...op.i32Add, ...op.set(gp)]);
  const body: Code = [
    ...op.get(DY), ...op.set(gp),
    ...op.get(OUT), ...op.get(X), ...op.i32Sub, ...op.set(delta),
    ...forLoop(b, op.i32(0), op.get(N), op.i32(1),
      [...op.get(X), ...op.get(b), ...op.get(XEX), ...op.i32Mul, ...op.i32Add, ...op.set(xb)],
      forLoop(r, op.i32(0), op.get(OH), op.i32(1),
        [...op.get(xb), ...op.get(r), ...op.get(XROW), ...op.i32Mul, ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(xq)],
        forLoop(q, op.i32(0), op.get(OW), op.i32(1),
          forLoop(k, op.i32(0), op.get(CB), op.i32(16), ...inner),
          [...op.get(xq), ...op.get(CB), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(xq)]))),
  ];
  return { name: 'maxPool2x2Grad', params: 9, locals, body };
}

const funcs = (): FuncDef[] => [
  sgdStep(),
  convTile(),
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
  elementwise('add'),
  sumSqClear(),
  maxPool2x2Grad(),
];

export interface SimdExports {
  sgdStep(p: number, g: number, buf: number, outP: number, outBuf: number, nBytes: number, prm: number): void;
  convTile(
    x: number, w: number, y: number, nCount: number, ohCount: number, owCount: number, xEx: number, xRow: number,
    xCol: number, xTapRow: number, yEx: number, yRow: number, yCol: number, kh: number, kw: number, ci: number, co: number,
  ): void;
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
  add(a: number, b: number, out: number, nBytes: number): void;
  sumSqClear(src: number, nBytes: number, out: number): void;
  maxPool2x2Grad(x: number, dy: number, out: number, n: number, oh: number, ow: number, cBytes: number, xExBytes: number, xRowBytes: number): void;
}

/**
 * The module's bytes for a shared (threaded build) or ordinary memory, with or without relaxed-SIMD fused
 * multiply-adds (see `relaxedSimdAvailable`); exported for tests.
 */
export function simdModuleBytes(shared: boolean, fma = false): Uint8Array {
  useFma = fma;
  try {
    return moduleBytes(funcs(), shared);
  } finally {
    useFma = false;
  }
}

/** A tiny module using f32x4.relaxed_madd: compiles only where relaxed SIMD is on. */
function relaxedProbe(): Uint8Array {
  const splat = (v: number): number[] => [...op.f32(v), ...op.f32x4Splat];
  const body = [0x00, ...splat(2), ...splat(3), ...splat(4), ...simd(0x105), ...op.f32x4Lane(0), 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0, 1, F32]])),
    ...section(3, vec([u32(0)])),
    ...section(7, vec([[...str('f'), 0x00, 0]])),
    ...section(10, vec([[...u32(body.length), ...body]])),
  ]);
}

let relaxed: boolean | undefined;
/**
 * Whether this process can run relaxed SIMD (fused multiply-add): on by default from V8 11.4 (Node 22);
 * Node 20's V8 has it behind --experimental-wasm-relaxed-simd, which is switched on here (process-wide, before
 * any module using it is compiled; the worker threads share the flag). `simdTuning.fma` false skips it.
 */
export function relaxedSimdAvailable(): boolean {
  if (!simdTuning.fma) return false;
  if (relaxed !== undefined) return relaxed;
  const works = () => {
    try {
      const inst = new WA.Instance(new WA.Module(relaxedProbe()), {});
      return (inst.exports.f as () => number)() === 10;
    } catch {
      return false;
    }
  };
  relaxed = works();
  if (!relaxed) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('node:v8') as { setFlagsFromString(f: string): void }).setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxed = works();
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

interface WasmModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
  tfjs?: { getThreadsCount?: () => number };
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

export type SimdFn = keyof SimdExports;
/** One call of a SIMD loop: its name and its (i32) arguments. */
export type SimdCall = readonly [SimdFn, ...number[]];

const FN_NAMES: readonly string[] = funcs().map((f) => f.name);
/** Int32 slots per call record: function index, argument count, up to 22 arguments. */
const REC = 24;
/**
 * Control block (Int32 slots in the heap): 0 job sequence number, 1 next task (atomic counter), 2 task count,
 * 3 record list offset, 4 task table offset, 5 workers done with the job, 6 error flag, 7 spin polls; from slot 16 on, 16
 * slots per worker (slot 0: ready).
 */
const CTRL_SLOTS = 16;
/**
 * Atomics.load polls (~0.2 ms at 20000) a thread makes before it sleeps on a futex: jobs come in bursts with a
 * little JavaScript between them, and waking a sleeping worker costs more than that. Read by the workers from
 * control slot 7 at every job, so benchmarks can switch it in place (bench/profile.ts --ab spin).
 */
export const simdTuning = {
  spin: 20000,
  /** Use relaxed-SIMD fused multiply-adds in the conv loops where the engine has them (read when a runtime starts). */
  fma: typeof process === 'undefined' || process.env.DATADIET_NO_FMA !== '1',
};

/**
 * The worker: instantiates the same module on the same (shared) memory, flags itself ready, then for every
 * job takes tasks (ranges of call records) off the shared counter until none are left, and reports done.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, ctrl, index, names } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
let i32 = new Int32Array(memory.buffer);
const c = ctrl >> 2;
let seen = Atomics.load(i32, c);
Atomics.store(i32, c + ${CTRL_SLOTS} + index * ${CTRL_SLOTS}, 1);
for (;;) {
  // Jobs come in bursts (a layer's kernels): poll briefly before sleeping.
  for (let k = 0, spin = i32[c + 7]; k < spin && Atomics.load(i32, c) === seen; k++);
  Atomics.wait(i32, c, seen);
  const seq = Atomics.load(i32, c);
  if (seq === seen) continue;
  seen = seq;
  if (i32.length * 4 !== memory.buffer.byteLength) i32 = new Int32Array(memory.buffer);
  const count = i32[c + 2];
  if (count < 0) break;
  const recs = i32[c + 3] >> 2;
  const tasks = i32[c + 4] >> 2;
  try {
    for (;;) {
      const t = Atomics.add(i32, c + 1, 1);
      if (t >= count) break;
      for (let k = i32[tasks + 2 * t]; k < i32[tasks + 2 * t + 1]; k++) {
        const r = recs + k * ${REC};
        fns[i32[r]](...i32.subarray(r + 2, r + 2 + i32[r + 1]));
      }
    }
  } catch (e) {
    Atomics.store(i32, c + 6, 1);
  }
  Atomics.add(i32, c + 5, 1);
  Atomics.notify(i32, c + 5);
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): unknown;
  on(ev: string, f: (...a: unknown[]) => void): unknown;
}

interface PoolWorker {
  readonly worker: WorkerLike;
  /** Int32 index of this worker's ready slot. */
  readonly ready: number;
  dead: boolean;
}

/** One instance per wasm backend, with its scratch memory in the backend's heap and its worker threads. */
export class SimdRuntime {
  private scratch = 0;
  private scratchBytes = 0;
  private readonly pool: PoolWorker[] = [];
  /** Int32 index of the control block; job buffer (records + task table) and its size. */
  private ctrl = 0;
  private seq = 0;
  private jobBuf = 0;
  private jobBytes = 0;
  /** Whether the conv loops run fused multiply-adds (relaxed SIMD). */
  fma = false;

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

  /** Starts `count` worker threads on the (shared) memory; they join `parallel` once they have started. */
  startWorkers(memory: unknown, bytes: Uint8Array, count: number): void {
    if (count <= 0) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as { Worker: new (src: string, o: object) => WorkerLike };
    const raw = this.module._malloc(4 * CTRL_SLOTS * (count + 1) + 64);
    const aligned = (raw + 63) & ~63;
    new Int32Array(this.buffer, aligned, CTRL_SLOTS * (count + 1)).fill(0);
    this.ctrl = aligned >> 2;
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, bytes, ctrl: aligned, index: i, names: FN_NAMES } });
      const w: PoolWorker = { worker, ready: this.ctrl + CTRL_SLOTS * (i + 1), dead: false };
      worker.on('error', () => (w.dead = true));
      worker.on('exit', () => (w.dead = true));
      worker.unref();
      this.pool.push(w);
    }
  }

  private ready(): PoolWorker[] {
    if (this.pool.length === 0) return [];
    const i32 = new Int32Array(this.buffer);
    return this.pool.filter((w) => !w.dead && Atomics.load(i32, w.ready) === 1);
  }

  /** Most threads `parallel` may ever use (this one and every worker started). */
  get maxThreads(): number {
    return 1 + this.pool.length;
  }

  /** Threads that `parallel` runs on right now (this one and the started workers). */
  get threads(): number {
    return 1 + this.ready().length;
  }

  /**
   * Runs the tasks (each a list of calls, run in order) on this thread and the ready workers: every thread takes
   * the next task off a shared counter until none are left, so a thread that is held up (another process on
   * the core) just takes fewer. Returns when all are done. Calls of different tasks must not write the same
   * memory.
   */
  parallel(tasks: readonly (readonly SimdCall[])[]): void {
    const run = (calls: readonly SimdCall[]) => {
      for (const c of calls) (this.fn[c[0]] as (...a: number[]) => void)(...(c.slice(1) as number[]));
    };
    const workers = tasks.length > 1 ? this.ready() : [];
    if (workers.length === 0) {
      for (const t of tasks) run(t);
      return;
    }
    // Records and the task table into the heap (allocation first: views are taken after it).
    const records = tasks.reduce((s, t) => s + t.length, 0);
    const need = records * REC * 4 + tasks.length * 8;
    if (need > this.jobBytes) {
      if (this.jobBuf) this.module._free(this.jobBuf);
      this.jobBytes = Math.max(need, 2 * this.jobBytes, 4096);
      this.jobBuf = this.module._malloc(this.jobBytes);
    }
    let i32 = new Int32Array(this.buffer);
    const recBase = this.jobBuf >> 2;
    const taskBase = recBase + records * REC;
    let k = 0;
    tasks.forEach((calls, t) => {
      i32[taskBase + 2 * t] = k;
      for (const c of calls) {
        const r = recBase + k * REC;
        i32[r] = FN_NAMES.indexOf(c[0]);
        i32[r + 1] = c.length - 1;
        for (let a = 1; a < c.length; a++) i32[r + 1 + a] = c[a] as number;
        k++;
      }
      i32[taskBase + 2 * t + 1] = k;
    });
    const c = this.ctrl;
    Atomics.store(i32, c + 1, 0);
    i32[c + 2] = tasks.length;
    i32[c + 3] = this.jobBuf;
    i32[c + 4] = taskBase * 4;
    Atomics.store(i32, c + 5, 0);
    i32[c + 7] = simdTuning.spin;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(i32, c, this.seq);
    Atomics.notify(i32, c);
    let failure: unknown;
    try {
      for (;;) {
        const t = Atomics.add(i32, c + 1, 1);
        if (t >= tasks.length) break;
        run(tasks[t]);
      }
    } catch (e) {
      failure = e;
      Atomics.store(i32, c + 1, tasks.length); // let the workers stop early
    }
    // Wait for every ready worker to have finished with this job (it may still be reading its records).
    i32 = new Int32Array(this.buffer);
    const t0 = Date.now();
    for (let k = 0; k < simdTuning.spin && Atomics.load(i32, c + 5) < workers.length; k++);
    for (;;) {
      const done = Atomics.load(i32, c + 5);
      if (done >= workers.length) break;
      Atomics.wait(i32, c + 5, done, 100);
      if (Date.now() - t0 > 60000) {
        for (const w of workers) w.dead = true;
        failure ??= new Error('simd: worker threads did not finish in 60 s');
        break;
      }
    }
    if (Atomics.load(i32, c + 6) !== 0) {
      Atomics.store(i32, c + 6, 0);
      failure ??= new Error('simd: a worker thread failed');
    }
    if (failure) throw failure;
  }

  /**
   * [start, end) parts of [0, n) for `parallel` tasks: at most `maxParts` (default: four per possible thread),
   * multiples of `align`, none smaller than `minPart` (so small jobs stay on one thread).
   */
  split(n: number, minPart: number, align = 1, maxParts = 4 * this.maxThreads): [number, number][] {
    const parts = this.maxThreads === 1 ? 1 : Math.max(1, Math.min(maxParts, Math.floor(n / Math.max(1, minPart))));
    const out: [number, number][] = [];
    let start = 0;
    for (let i = 0; i < parts; i++) {
      let end = i === parts - 1 ? n : Math.round(((i + 1) * n) / parts / align) * align;
      end = Math.min(n, Math.max(start, end));
      out.push([start, end]);
      start = end;
    }
    return out.filter(([a, b]) => b > a);
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
      const fma = relaxedSimdAvailable();
      const bytes = simdModuleBytes(shared, fma);
      const inst = new WA.Instance(new WA.Module(bytes), { env: { memory } });
      rt = new SimdRuntime(backend, inst.exports as unknown as SimdExports);
      rt.fma = fma;
      // As many threads as the backend's own thread pool (the threaded build has a shared memory).
      const threads = shared ? (m.tfjs?.getThreadsCount?.() ?? 1) : 1;
      if (threads > 1 && simdWorkersEnabled) {
        try {
          rt.startWorkers(memory, bytes, threads - 1);
        } catch {
          // no workers: everything runs on the calling thread
        }
      }
    }
  } catch {
    rt = null;
  }
  runtimes.set(backend, rt);
  return rt;
}

let simdWorkersEnabled = true;
/** Whether runtimes created from now on start worker threads (tests compare both). */
export function setSimdWorkers(enabled: boolean): void {
  simdWorkersEnabled = enabled;
}
