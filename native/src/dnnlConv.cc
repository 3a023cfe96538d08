// Convolutions and matrix products on oneDNN (the library PyTorch CPU runs its convolutions on), for NHWC float32
// tensors in caller-owned memory. Primitives are created once per shape and kept: creating one JIT-compiles it.
#include "dnnlConv.h"

#include <omp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "oneapi/dnnl/dnnl.h"

namespace dd {
namespace {

dnnl_engine_t engine = nullptr;
dnnl_stream_t stream = nullptr;

std::string Status(const char* what, dnnl_status_t s) {
  return std::string(what) + " failed (oneDNN status " + std::to_string(int(s)) + ")";
}

#define DD_CHECK(call, what)                   \
  do {                                         \
    dnnl_status_t s_ = (call);                 \
    if (s_ != dnnl_success) {                  \
      if (err) *err = Status(what, s_);        \
      return false;                            \
    }                                          \
  } while (0)

// What a fused inference forward adds to the convolution (DnnlConvFused).
struct Fusion {
  bool on = false;        // forward inference with a bias (the shift) and the folded scale
  bool residual = false;  // + residual: oneDNN's sum post-op, the residual copied into the output first
  bool relu = false;      // then max(., 0): an eltwise post-op
};

// One primitive for one (kind, shape): the conv itself, plus a weights reorder when oneDNN wants its own layout.
struct Entry {
  dnnl_stream_t stream = nullptr;      // the calling thread's (slot's) stream
  dnnl_primitive_t conv = nullptr;
  dnnl_primitive_t reorder = nullptr;  // fwd, bwd data: hwio -> impl; bwd weights: impl -> hwio
  dnnl_memory_t act = nullptr;         // x (fwd, bwd weights) or dy (bwd data)
  dnnl_memory_t other = nullptr;       // dy (bwd weights), or y / dx
  dnnl_memory_t userW = nullptr;       // weights in hwio (the caller's)
  dnnl_memory_t implW = nullptr;       // weights in oneDNN's layout (== userW when no reorder)
  std::vector<float> implBuf;
  bool implPlain = false;  // oneDNN's weights layout holds exactly the KH*KW*Ci*Co values (no padding)
  dnnl_memory_t bias = nullptr;  // fused forward: the shift
  std::vector<float> foldBuf;    // fused forward: the weights times the scale, hwio
  std::string impl;
  // Input rows/columns past the last window (tfjs's floor drops them): the convolution runs on a dense copy of
  // the cropped view of x (dx), made (scattered back) by a reorder. oneDNN has no JIT kernel for a strided view,
  // and its reference kernel is 10-100x slower. Backward data also zeroes the dropped rows in dx itself.
  int n = 0, h = 0, w = 0, ci = 0, hView = 0, wView = 0;
  dnnl_primitive_t crop = nullptr;  // view -> dense (forward, backward weights) or dense -> view (backward data)
  dnnl_memory_t view = nullptr;     // the caller's x / dx, seen through the cropping strides
  dnnl_memory_t dense = nullptr;    // the slot's crop scratch (Entry::cropBuf())
  size_t cropFloats = 0;
  int slot = 0;
  float* cropBuf();
  bool ok = false;
  std::string error;
};

std::map<std::vector<int>, std::unique_ptr<Entry>> cache;

void Md(dnnl_memory_desc_t* md, int64_t a, int64_t b, int64_t c, int64_t d, dnnl_format_tag_t tag) {
  const dnnl_dims_t dims = {a, b, c, d};
  dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32, tag);
}

bool Build(ConvKind kind, const ConvShape& s, const Fusion& f, Entry* e, std::string* err) {
  // The bottom/right padding that gives exactly OH x OW. Where tfjs's floor drops input rows it would be negative,
  // and oneDNN's backward-weights kernels gave wrong filter gradients with negative padding now and then (1x1
  // stride 2 on an even size, the ResNet shortcut). Instead, the unread rows and columns are cropped off (a
  // dense copy of a strided view of the NHWC tensor, see Entry::crop), and the padding is zero.
  const int64_t padB = int64_t(s.oh - 1) * s.sh + int64_t(s.kh - 1) * s.dh + 1 - s.h - s.pt;
  const int64_t padRt = int64_t(s.ow - 1) * s.sw + int64_t(s.kw - 1) * s.dw + 1 - s.w - s.pl;
  e->n = s.n, e->h = s.h, e->w = s.w, e->ci = s.ci;
  e->hView = int(s.h + std::min<int64_t>(padB, 0));
  e->wView = int(s.w + std::min<int64_t>(padRt, 0));
  dnnl_memory_desc_t src, dst, wUser, wAny;
  Md(&src, s.n, s.ci, e->hView, e->wView, dnnl_nhwc);
  if (e->hView != s.h || e->wView != s.w) {
    dnnl_memory_desc_t view;
    const dnnl_dims_t viewDims = {s.n, s.ci, e->hView, e->wView};
    const dnnl_dims_t viewStrides = {int64_t(s.h) * s.w * s.ci, 1, int64_t(s.w) * s.ci, s.ci};
    dnnl_memory_desc_init_by_strides(&view, 4, viewDims, dnnl_f32, viewStrides);
    e->cropFloats = size_t(s.n) * e->hView * e->wView * s.ci;
    DD_CHECK(dnnl_memory_create(&e->view, &view, engine, DNNL_MEMORY_NONE), "memory");
    DD_CHECK(dnnl_memory_create(&e->dense, &src, engine, DNNL_MEMORY_NONE), "memory");
    const bool toView = kind == ConvKind::kBackwardData;
    dnnl_primitive_desc_t rpd = nullptr;
    DD_CHECK(dnnl_reorder_primitive_desc_create(&rpd, toView ? &src : &view, engine, toView ? &view : &src, engine, nullptr),
             "crop reorder");
    const dnnl_status_t st = dnnl_primitive_create(&e->crop, rpd);
    dnnl_primitive_desc_destroy(rpd);
    DD_CHECK(st, "crop reorder primitive");
  }
  Md(&dst, s.n, s.co, s.oh, s.ow, dnnl_nhwc);
  Md(&wUser, s.co, s.ci, s.kh, s.kw, dnnl_hwio);
  Md(&wAny, s.co, s.ci, s.kh, s.kw, dnnl_format_tag_any);
  const dnnl_dims_t strides = {s.sh, s.sw};
  const dnnl_dims_t dilates = {s.dh - 1, s.dw - 1};
  const dnnl_dims_t padL = {s.pt, s.pl};
  const dnnl_dims_t padR = {std::max<int64_t>(padB, 0), std::max<int64_t>(padRt, 0)};

  dnnl_memory_desc_t bias;
  const dnnl_dims_t biasDims = {s.co};
  dnnl_memory_desc_init_by_tag(&bias, 1, biasDims, dnnl_f32, dnnl_a);
  dnnl_convolution_desc_t fwdDesc;
  DD_CHECK(dnnl_dilated_convolution_forward_desc_init(&fwdDesc, f.on ? dnnl_forward_inference : dnnl_forward_training,
                                                      dnnl_convolution_direct, &src, &wAny, f.on ? &bias : nullptr,
                                                      &dst, strides, dilates, padL, padR),
           "forward descriptor");
  dnnl_primitive_attr_t attr = nullptr;
  std::unique_ptr<dnnl_primitive_attr, dnnl_status_t (*)(dnnl_primitive_attr_t)> attrHold(nullptr, dnnl_primitive_attr_destroy);
  if (f.residual || f.relu) {
    DD_CHECK(dnnl_primitive_attr_create(&attr), "attributes");
    attrHold.reset(attr);
    dnnl_post_ops_t ops = nullptr;
    DD_CHECK(dnnl_post_ops_create(&ops), "post-ops");
    dnnl_status_t st = dnnl_success;
    if (f.residual) st = dnnl_post_ops_append_sum(ops, 1.f);
    if (st == dnnl_success && f.relu) st = dnnl_post_ops_append_eltwise(ops, 1.f, dnnl_eltwise_relu, 0.f, 0.f);
    if (st == dnnl_success) st = dnnl_primitive_attr_set_post_ops(attr, ops);
    dnnl_post_ops_destroy(ops);
    DD_CHECK(st, "post-ops");
  }
  dnnl_primitive_desc_t fwd = nullptr;
  DD_CHECK(dnnl_primitive_desc_create(&fwd, &fwdDesc, attr, engine, nullptr), "forward primitive descriptor");
  std::unique_ptr<dnnl_primitive_desc, dnnl_status_t (*)(dnnl_primitive_desc_t)> fwdHold(fwd, dnnl_primitive_desc_destroy);

  dnnl_primitive_desc_t pd = fwd;
  dnnl_primitive_desc_t own = nullptr;
  if (kind == ConvKind::kBackwardData) {
    dnnl_convolution_desc_t d;
    DD_CHECK(dnnl_dilated_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &src, &wAny, &dst, strides,
                                                              dilates, padL, padR),
             "backward-data descriptor");
    DD_CHECK(dnnl_primitive_desc_create(&own, &d, nullptr, engine, fwd), "backward-data primitive descriptor");
    pd = own;
  } else if (kind == ConvKind::kBackwardWeights) {
    dnnl_convolution_desc_t d;
    DD_CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &src, &wAny, nullptr,
                                                                 &dst, strides, dilates, padL, padR),
             "backward-weights descriptor");
    DD_CHECK(dnnl_primitive_desc_create(&own, &d, nullptr, engine, fwd), "backward-weights primitive descriptor");
    pd = own;
  }
  std::unique_ptr<dnnl_primitive_desc, dnnl_status_t (*)(dnnl_primitive_desc_t)> ownHold(own, dnnl_primitive_desc_destroy);

  const dnnl_memory_desc_t* implMd =
      dnnl_primitive_desc_query_md(pd, kind == ConvKind::kBackwardWeights ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
  if (!implMd) {
    if (err) *err = "no weights descriptor";
    return false;
  }
  const char* name = nullptr;
  if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success && name) e->impl = name;

  DD_CHECK(dnnl_primitive_create(&e->conv, pd), "primitive");
  DD_CHECK(dnnl_memory_create(&e->act, kind == ConvKind::kBackwardData ? &dst : &src, engine, DNNL_MEMORY_NONE), "memory");
  DD_CHECK(dnnl_memory_create(&e->other, kind == ConvKind::kBackwardData ? &src : &dst, engine, DNNL_MEMORY_NONE), "memory");
  DD_CHECK(dnnl_memory_create(&e->userW, &wUser, engine, DNNL_MEMORY_NONE), "memory");
  if (f.on) {
    DD_CHECK(dnnl_memory_create(&e->bias, &bias, engine, DNNL_MEMORY_NONE), "memory");
    e->foldBuf.resize(size_t(s.kh) * s.kw * s.ci * s.co);
  }
  if (dnnl_memory_desc_equal(implMd, &wUser)) {
    e->implW = e->userW;
  } else {
    e->implBuf.resize(dnnl_memory_desc_get_size(implMd) / sizeof(float) + 16);
    e->implPlain = dnnl_memory_desc_get_size(implMd) == size_t(s.kh) * s.kw * s.ci * s.co * sizeof(float);
    DD_CHECK(dnnl_memory_create(&e->implW, implMd, engine, e->implBuf.data()), "memory");
    dnnl_primitive_desc_t rpd = nullptr;
    if (kind == ConvKind::kBackwardWeights) {
      DD_CHECK(dnnl_reorder_primitive_desc_create(&rpd, implMd, engine, &wUser, engine, nullptr), "weights reorder");
    } else {
      DD_CHECK(dnnl_reorder_primitive_desc_create(&rpd, &wUser, engine, implMd, engine, nullptr), "weights reorder");
    }
    const dnnl_status_t st = dnnl_primitive_create(&e->reorder, rpd);
    dnnl_primitive_desc_destroy(rpd);
    DD_CHECK(st, "weights reorder primitive");
  }
  return true;
}

bool Run(dnnl_stream_t st, dnnl_primitive_t p, const dnnl_exec_arg_t* args, int count, std::string* err) {
  DD_CHECK(dnnl_primitive_execute(p, st, count, args), "execute");
  DD_CHECK(dnnl_stream_wait(st), "stream wait");
  return true;
}

bool Run(dnnl_stream_t st, dnnl_primitive_t p, std::initializer_list<dnnl_exec_arg_t> args, std::string* err) {
  return Run(st, p, args.begin(), int(args.size()), err);
}

// One crop scratch per slot, shared by that slot's entries (they run one after another), grown to the largest.
std::vector<std::vector<float>> cropScratch;

// The slot's crop scratch, at least this entry's size, set as the dense memory's handle.
float* Entry::cropBuf() {
  std::vector<float>& buf = cropScratch[slot];
  if (buf.size() < cropFloats) buf.resize(cropFloats);
  dnnl_memory_set_data_handle(dense, buf.data());
  return buf.data();
}

// Streams of the worker slots of DnnlConvGradSqNorms (slot 0 is the caller's: `stream`).
std::vector<dnnl_stream_t> slotStreams;

// The cached primitive for (kind, shape, slot); slot > 0 gives a worker thread its own primitive, memory objects
// and stream, since those may not be shared between threads running at the same time. Not thread-safe itself:
// call it from one thread.
Entry* Find(ConvKind kind, const ConvShape& s, int slot, std::string* err, const Fusion& f = Fusion()) {
  const std::vector<int> key = {int(kind), s.n,  s.h,  s.w,  s.ci, s.kh, s.kw,        s.co,          s.oh,      s.ow,
                                s.sh,      s.sw, s.pt, s.pl, s.dh, s.dw, slot, int(f.on), int(f.residual), int(f.relu)};
  auto it = cache.find(key);
  if (it == cache.end()) {
    auto e = std::make_unique<Entry>();
    // A worker slot's primitive runs inside a parallel region: plan it for one thread (oneDNN sizes its work
    // split and reduction buffers by the thread count at creation; planned for more, it would do only part of
    // the work when run nested).
    const int threads = omp_get_max_threads();
    e->slot = slot;
    if (cropScratch.size() <= size_t(slot)) cropScratch.resize(slot + 1);
    if (slot > 0) omp_set_num_threads(1);
    e->ok = Build(kind, s, f, e.get(), &e->error);
    if (slot > 0) omp_set_num_threads(threads);
    if (slot == 0) {
      e->stream = stream;
    } else {
      if (slotStreams.size() <= size_t(slot)) slotStreams.resize(slot + 1, nullptr);
      if (!slotStreams[slot] && dnnl_stream_create(&slotStreams[slot], engine, dnnl_stream_default_flags) != dnnl_success) {
        e->ok = false;
        e->error = "stream creation failed";
      }
      e->stream = slotStreams[slot];
    }
    it = cache.emplace(key, std::move(e)).first;
  }
  if (!it->second->ok) {
    if (err) *err = it->second->error;
    return nullptr;
  }
  return it->second.get();
}

// Zeroes the rows and columns of an NHWC tensor outside the entry's cropped view (dx there is zero: never read).
void ZeroOutsideView(const Entry& e, float* t) {
  if (e.hView == e.h && e.wView == e.w) return;
  const size_t row = size_t(e.w) * e.ci;
  for (int i = 0; i < e.n; i++) {
    float* img = t + size_t(i) * e.h * row;
    for (int y = 0; y < e.hView; y++) std::fill(img + y * row + size_t(e.wView) * e.ci, img + (y + 1) * row, 0.f);
    std::fill(img + size_t(e.hView) * row, img + size_t(e.h) * row, 0.f);
  }
}

// Copies the cropped view of x into the entry's dense buffer.
bool CropIn(Entry& e, float* x, std::string* err) {
  dnnl_memory_set_data_handle(e.view, x);
  return Run(e.stream, e.crop, {{DNNL_ARG_FROM, e.view}, {DNNL_ARG_TO, e.dense}}, err);
}

// Runs a found primitive (thread-safe across different entries).
// toUser = false (backward weights only): leave dW in oneDNN's layout (implBuf) when it has one.
bool Exec(Entry& e, ConvKind kind, float* a, float* b, float* out, std::string* err, bool toUser = true) {
  switch (kind) {
    case ConvKind::kForward:        // a = x, b = w, out = y
    case ConvKind::kBackwardData: {  // a = dy, b = w, out = dx
      const bool fwd = kind == ConvKind::kForward;
      float* crop = e.crop ? e.cropBuf() : nullptr;
      if (fwd && crop && !CropIn(e, a, err)) return false;
      dnnl_memory_set_data_handle(e.act, fwd && crop ? crop : a);
      dnnl_memory_set_data_handle(e.userW, b);
      dnnl_memory_set_data_handle(e.other, !fwd && crop ? crop : out);
      if (e.reorder && !Run(e.stream, e.reorder, {{DNNL_ARG_FROM, e.userW}, {DNNL_ARG_TO, e.implW}}, err)) return false;
      // A fused forward also reads its bias (the shift; DnnlConvFused sets its handle).
      const dnnl_exec_arg_t args[] = {{fwd ? DNNL_ARG_SRC : DNNL_ARG_DIFF_DST, e.act},
                                      {DNNL_ARG_WEIGHTS, e.implW},
                                      {fwd ? DNNL_ARG_DST : DNNL_ARG_DIFF_SRC, e.other},
                                      {DNNL_ARG_BIAS, e.bias}};
      if (!Run(e.stream, e.conv, args, e.bias ? 4 : 3, err)) return false;
      if (!fwd && e.crop) {
        dnnl_memory_set_data_handle(e.view, out);
        if (!Run(e.stream, e.crop, {{DNNL_ARG_FROM, e.dense}, {DNNL_ARG_TO, e.view}}, err)) return false;
        ZeroOutsideView(e, out);
      }
      return true;
    }
    case ConvKind::kBackwardWeights:  // a = x, b = dy, out = dw
      float* crop = e.crop ? e.cropBuf() : nullptr;
      if (crop && !CropIn(e, a, err)) return false;
      dnnl_memory_set_data_handle(e.act, crop ? crop : a);
      dnnl_memory_set_data_handle(e.other, b);
      dnnl_memory_set_data_handle(e.userW, out);
      if (!Run(e.stream, e.conv, {{DNNL_ARG_SRC, e.act}, {DNNL_ARG_DIFF_DST, e.other}, {DNNL_ARG_DIFF_WEIGHTS, e.implW}}, err)) {
        return false;
      }
      return !e.reorder || !toUser || Run(e.stream, e.reorder, {{DNNL_ARG_FROM, e.implW}, {DNNL_ARG_TO, e.userW}}, err);
  }
  return false;
}

}  // namespace

bool DnnlInit(std::string* err) {
  if (engine) return true;
  DD_CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0), "CPU engine");
  DD_CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags), "stream");
  return true;
}

std::string DnnlVersion() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         (v->cpu_runtime == DNNL_RUNTIME_OMP ? " OpenMP" : "");
}

std::string DnnlIsa() {
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown (" + std::to_string(int(dnnl_get_effective_cpu_isa())) + ")";
  }
}

int DnnlSetThreads(int n) {
  if (n > 0) omp_set_num_threads(n);
  return omp_get_max_threads();
}

bool DnnlConv(ConvKind kind, const ConvShape& s, float* a, float* b, float* out, std::string* err, std::string* impl) {
  if (!engine && !DnnlInit(err)) return false;
  Entry* e = Find(kind, s, 0, err);
  if (!e) return false;
  if (impl) *impl = e->impl;
  return Exec(*e, kind, a, b, out, err);
}

bool DnnlConvFused(const ConvShape& s, bool relu, float* x, const float* w, const float* scale, const float* shift,
                   const float* residual, float* out, std::string* err, std::string* impl) {
  if (!engine && !DnnlInit(err)) return false;
  Fusion f;
  f.on = true, f.residual = residual != nullptr, f.relu = relu;
  Entry* e = Find(ConvKind::kForward, s, 0, err, f);
  if (!e) return false;
  if (impl) *impl = e->impl;
  // hwio: the output channel is innermost, so each row of Co weights is scaled by the same vector.
  const size_t rows = size_t(s.kh) * s.kw * s.ci;
  float* folded = e->foldBuf.data();
  for (size_t r = 0; r < rows; r++) {
    for (int o = 0; o < s.co; o++) folded[r * s.co + o] = w[r * s.co + o] * scale[o];
  }
  if (residual && residual != out) std::copy(residual, residual + size_t(s.n) * s.oh * s.ow * s.co, out);
  dnnl_memory_set_data_handle(e->bias, const_cast<float*>(shift));
  return Exec(*e, ConvKind::kForward, x, folded, out, err);
}

// sum of g[j]^2. A plain double accumulation is one long dependency chain the compiler may not reorder (no
// -ffast-math), so it ran scalar and cost as much as the gradients themselves; here 16 independent float lanes
// vectorize at any ISA (cloned for AVX-512 and AVX2), folded into a double every block to keep the precision.
__attribute__((target_clones("avx512f", "avx2", "default"))) double SumOfSquares(const float* g, size_t n) {
  constexpr size_t kLanes = 16, kBlock = 4096;
  double total = 0;
  size_t j = 0;
  while (j < n) {
    const size_t end = std::min(n, j + kBlock);
    float acc[kLanes] = {};
    for (; j + kLanes <= end; j += kLanes) {
      for (size_t l = 0; l < kLanes; l++) acc[l] += g[j + l] * g[j + l];
    }
    for (; j < end; j++) acc[0] += g[j] * g[j];
    for (size_t l = 0; l < kLanes; l++) total += acc[l];
  }
  return total;
}

// One example at a time is too small for oneDNN's threads, so the examples are split across the OpenMP threads,
// each running single-threaded primitives of its own (oneDNN runs sequentially inside a parallel region).
bool DnnlConvGradSqNorms(const ConvShape& s, float* x, float* dy, float* out, std::string* err) {
  if (!engine && !DnnlInit(err)) return false;
  ConvShape one = s;
  one.n = 1;
  const size_t xs = size_t(s.h) * s.w * s.ci, ys = size_t(s.oh) * s.ow * s.co, ws = size_t(s.kh) * s.kw * s.ci * s.co;
  const int threads = std::max(1, std::min(omp_get_max_threads(), s.n));
  std::vector<Entry*> entries(threads);
  for (int t = 0; t < threads; t++) {
    entries[t] = Find(ConvKind::kBackwardWeights, one, t + 1, err);
    if (!entries[t]) return false;
  }
  static std::vector<std::vector<float>> grads;
  if (grads.size() < size_t(threads)) grads.resize(threads);
  for (int t = 0; t < threads; t++) {
    if (grads[t].size() < ws) grads[t].resize(ws);
  }
  std::vector<std::string> errors(threads);
  std::vector<char> failed(threads, 0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    float* g = grads[t].data();
    for (int i = t; i < s.n; i += threads) {
      // A sum of squares needs no particular order: read dW in oneDNN's own layout when it is a permutation
      // of the values (no padding), saving a reorder per example.
      Entry& e = *entries[t];
      const bool inPlace = e.reorder && e.implPlain;
      if (!Exec(e, ConvKind::kBackwardWeights, x + i * xs, dy + i * ys, g, &errors[t], !inPlace)) {
        failed[t] = 1;
        break;
      }
      out[i] = float(SumOfSquares(inPlace ? e.implBuf.data() : g, ws));
    }
  }
  for (int t = 0; t < threads; t++) {
    if (failed[t]) {
      if (err) *err = errors[t];
      return false;
    }
  }
  return true;
}

bool DnnlGemm(bool transA, bool transB, int m, int n, int k, const float* a, const float* b, float beta, float* c,
              std::string* err) {
  DD_CHECK(dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a, transA ? m : k, b, transB ? k : n, beta,
                      c, n),
           "sgemm");
  return true;
}

}  // namespace dd
