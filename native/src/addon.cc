// N-API glue for the native CPU kernels (dnnlConv.cc): argument checks and Float32Array views, nothing else.
// Every function works in place on the caller's Float32Arrays (the tfjs wasm heap included) on the calling thread;
// oneDNN runs its own OpenMP threads inside each call.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "dnnlConv.h"

namespace {

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return false;
}

bool Args(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return Throw(env, "bad call");
  if (argc < want) return Throw(env, "expected " + std::to_string(want) + " arguments, got " + std::to_string(argc));
  return true;
}

template <typename T>
bool Typed(napi_env env, napi_value v, napi_typedarray_type want, T** data, size_t* length, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_value buf;
  size_t off = 0;
  if (!is || napi_get_typedarray_info(env, v, &type, length, &ptr, &buf, &off) != napi_ok || type != want) {
    return Throw(env, std::string(what) + (want == napi_float32_array ? ": expected a Float32Array" : ": expected an Int32Array"));
  }
  *data = static_cast<T*>(ptr);
  return true;
}

bool Int(napi_env env, napi_value v, int* out, const char* what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) return Throw(env, std::string(what) + ": expected an integer");
  return true;
}

napi_value Str(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), NAPI_AUTO_LENGTH, &v);
  return v;
}

// dims = [N, H, W, Ci, KH, KW, Co, OH, OW, strideH, strideW, padTop, padLeft, dilH, dilW]
bool Dims(napi_env env, napi_value v, dd::ConvShape* s) {
  int32_t* d;
  size_t nd;
  if (!Typed(env, v, napi_int32_array, &d, &nd, "dims")) return false;
  if (nd != 15) return Throw(env, "dims: expected 15 values");
  // N and the paddings may be 0; every other size, stride and dilation is at least 1.
  for (int i = 0; i < 15; i++) {
    if (d[i] < ((i == 0 || i == 11 || i == 12) ? 0 : 1)) {
      return Throw(env, "dims: value " + std::to_string(d[i]) + " at index " + std::to_string(i) + " is out of range");
    }
  }
  *s = dd::ConvShape{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]};
  return true;
}

// init(): the oneDNN version; throws when no CPU engine can be created.
napi_value Init(napi_env env, napi_callback_info) {
  std::string err;
  if (!dd::DnnlInit(&err)) {
    Throw(env, err);
    return nullptr;
  }
  return Str(env, dd::DnnlVersion());
}

// isa(): the widest instruction set oneDNN dispatches to here.
napi_value Isa(napi_env env, napi_callback_info) { return Str(env, dd::DnnlIsa()); }

// setThreads(n): sets and returns oneDNN's thread count (n <= 0 only reads it).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int n = 0;
  if (!Args(env, info, 1, argv) || !Int(env, argv[0], &n, "threads")) return nullptr;
  napi_value v;
  napi_create_int32(env, dd::DnnlSetThreads(n), &v);
  return v;
}

// conv(kind, a, b, out, dims): kind 0 forward (x, filter, y), 1 backward data (dy, filter, dx), 2 backward
// weights (x, dy, dw); dims = [N, H, W, Ci, KH, KW, Co, OH, OW, strideH, strideW, padTop, padLeft, dilH, dilW].
// Returns the name of the oneDNN implementation that ran; throws when oneDNN cannot run this convolution.
napi_value Conv(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int kind = 0;
  if (!Args(env, info, 5, argv) || !Int(env, argv[0], &kind, "kind")) return nullptr;
  if (kind < 0 || kind > 2) {
    Throw(env, "kind: expected 0, 1 or 2");
    return nullptr;
  }
  dd::ConvShape s;
  if (!Dims(env, argv[4], &s)) return nullptr;
  float *a, *b, *o;
  size_t la, lb, lo;
  if (!Typed(env, argv[1], napi_float32_array, &a, &la, "a") || !Typed(env, argv[2], napi_float32_array, &b, &lb, "b") ||
      !Typed(env, argv[3], napi_float32_array, &o, &lo, "out")) {
    return nullptr;
  }
  const size_t xs = size_t(s.n) * s.h * s.w * s.ci, ys = size_t(s.n) * s.oh * s.ow * s.co,
               ws = size_t(s.kh) * s.kw * s.ci * s.co;
  const size_t need[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (la < need[kind][0] || lb < need[kind][1] || lo < need[kind][2]) {
    Throw(env, "conv: an array is shorter than dims require");
    return nullptr;
  }
  if (s.n == 0) return Str(env, "empty");
  std::string err, impl;
  if (!dd::DnnlConv(dd::ConvKind(kind), s, a, b, o, &err, &impl)) {
    Throw(env, "oneDNN: " + err);
    return nullptr;
  }
  return Str(env, impl);
}

// convFused(x, filter, scale, shift, residual | null, out, dims, relu): out = act(conv(x, filter * scale) + shift
// [+ residual]) for inference (scale and shift per output channel). Returns the oneDNN implementation that ran.
napi_value ConvFused(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  dd::ConvShape s;
  if (!Args(env, info, 8, argv) || !Dims(env, argv[6], &s)) return nullptr;
  float *x, *w, *scale, *shift, *res = nullptr, *o;
  size_t lx, lw, ls, lsh, lr = 0, lo;
  napi_valuetype resType;
  napi_typeof(env, argv[4], &resType);
  if (!Typed(env, argv[0], napi_float32_array, &x, &lx, "x") || !Typed(env, argv[1], napi_float32_array, &w, &lw, "filter") ||
      !Typed(env, argv[2], napi_float32_array, &scale, &ls, "scale") ||
      !Typed(env, argv[3], napi_float32_array, &shift, &lsh, "shift") ||
      (resType != napi_null && !Typed(env, argv[4], napi_float32_array, &res, &lr, "residual")) ||
      !Typed(env, argv[5], napi_float32_array, &o, &lo, "out")) {
    return nullptr;
  }
  bool relu = false;
  napi_get_value_bool(env, argv[7], &relu);
  const size_t xs = size_t(s.n) * s.h * s.w * s.ci, ys = size_t(s.n) * s.oh * s.ow * s.co,
               ws = size_t(s.kh) * s.kw * s.ci * s.co;
  if (lx < xs || lw < ws || ls < size_t(s.co) || lsh < size_t(s.co) || (res && lr < ys) || lo < ys) {
    Throw(env, "convFused: an array is shorter than dims require");
    return nullptr;
  }
  if (s.n == 0) return Str(env, "empty");
  std::string err, impl;
  if (!dd::DnnlConvFused(s, relu, x, w, scale, shift, res, o, &err, &impl)) {
    Throw(env, "oneDNN: " + err);
    return nullptr;
  }
  return Str(env, impl);
}

// convGradSqNorms(x, dy, out, dims): out[i] = squared norm of example i's filter gradient (out: Float32Array [N]).
napi_value ConvGradSqNorms(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  dd::ConvShape s;
  if (!Args(env, info, 4, argv) || !Dims(env, argv[3], &s)) return nullptr;
  float *x, *dy, *o;
  size_t lx, ly, lo;
  if (!Typed(env, argv[0], napi_float32_array, &x, &lx, "x") || !Typed(env, argv[1], napi_float32_array, &dy, &ly, "dy") ||
      !Typed(env, argv[2], napi_float32_array, &o, &lo, "out")) {
    return nullptr;
  }
  if (lx < size_t(s.n) * s.h * s.w * s.ci || ly < size_t(s.n) * s.oh * s.ow * s.co || lo < size_t(s.n)) {
    Throw(env, "convGradSqNorms: an array is shorter than dims require");
    return nullptr;
  }
  std::string err;
  if (s.n > 0 && !dd::DnnlConvGradSqNorms(s, x, dy, o, &err)) Throw(env, "oneDNN: " + err);
  return nullptr;
}

// gemm(transA, transB, m, n, k, a, b, c, beta): c[m, n] = op(a) op(b) + beta c, row-major, dense.
napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!Args(env, info, 9, argv)) return nullptr;
  bool ta = false, tb = false;
  napi_get_value_bool(env, argv[0], &ta);
  napi_get_value_bool(env, argv[1], &tb);
  int m, n, k;
  if (!Int(env, argv[2], &m, "m") || !Int(env, argv[3], &n, "n") || !Int(env, argv[4], &k, "k")) return nullptr;
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!Typed(env, argv[5], napi_float32_array, &a, &la, "a") || !Typed(env, argv[6], napi_float32_array, &b, &lb, "b") ||
      !Typed(env, argv[7], napi_float32_array, &c, &lc, "c")) {
    return nullptr;
  }
  double beta = 0;
  napi_get_value_double(env, argv[8], &beta);
  if (m < 0 || n < 0 || k < 0 || la < size_t(m) * k || lb < size_t(k) * n || lc < size_t(m) * n) {
    Throw(env, "gemm: an array is shorter than m, n, k require");
    return nullptr;
  }
  if (m == 0 || n == 0) return nullptr;
  if (k == 0) {
    if (beta == 0) std::fill(c, c + size_t(m) * n, 0.f);
    return nullptr;
  }
  std::string err;
  if (!dd::DnnlGemm(ta, tb, m, n, k, a, b, float(beta), c, &err)) Throw(env, "oneDNN: " + err);
  return nullptr;
}

napi_value Module(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convFused", nullptr, ConvFused, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convGradSqNorms", nullptr, ConvGradSqNorms, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Module)
