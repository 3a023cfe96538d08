// NHWC float32 convolutions and row-major SGEMM on oneDNN; see dnnlConv.cc.
#pragma once
#include <string>

namespace dd {

enum class ConvKind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// Sizes as tfjs's Conv2DInfo gives them; filter layout [KH, KW, Ci, Co] (hwio).
struct ConvShape {
  int n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, dh, dw;
};

bool DnnlInit(std::string* err);
std::string DnnlVersion();
// The widest instruction set oneDNN's JIT dispatches to on this CPU, e.g. 'avx512_core_bf16'.
std::string DnnlIsa();
// Sets the OpenMP thread count oneDNN computes with; returns the count now in effect.
int DnnlSetThreads(int n);
// forward: a = x, b = filter, out = y; backward data: a = dy, b = filter, out = dx; backward weights: a = x,
// b = dy, out = dw. On failure returns false with *err set (the caller falls back to other code); *impl names
// the oneDNN implementation that ran.
bool DnnlConv(ConvKind kind, const ConvShape& s, float* a, float* b, float* out, std::string* err, std::string* impl);
// Inference: out = act(conv(x, w * scale) + shift [+ residual]), scale and shift per output channel (an eval-mode
// batch norm folded into the convolution, or scale 1 and shift = the conv's bias), act = ReLU or identity. One
// oneDNN primitive (bias and post-ops), instead of a convolution and two passes over its output.
bool DnnlConvFused(const ConvShape& s, bool relu, float* x, const float* w, const float* scale, const float* shift,
                   const float* residual, float* out, std::string* err, std::string* impl);
// out[i] = ||dW_i||^2, each example's filter gradient's squared norm (the conv part of exact GraNd), one oneDNN
// backward-weights pass per example.
bool DnnlConvGradSqNorms(const ConvShape& s, float* x, float* dy, float* out, std::string* err);
// c[m, n] = op(a) op(b) + beta c, row-major, dense.
bool DnnlGemm(bool transA, bool transB, int m, int n, int k, const float* a, const float* b, float beta, float* c,
              std::string* err);

}  // namespace dd
