#!/usr/bin/python3
"""Independent PyTorch reference for Data Diet's scores and SGD step (checked by
test/unit/core/scores/torchReference.test.ts).

It rebuilds an architecture of src/core/models in plain PyTorch modules (NCHW), loads the weights that Data Diet
saved with its own checkpoint code (src/core/store/checkpoint.ts: <name>.json index + <name>.bin float32), and
recomputes on the given examples, the slow and obvious way (autograd, no shortcuts):

  logits        model.eval() (batch norm on its running statistics)
  el2n          ||softmax(f(x)) - onehot(y)||_2, eval mode
  grad norms    of grad_w CE(f(x_i), y_i) for each example i, eval mode, two independent ways:
                  loop  batch-size-1 loss.backward() per example
                  vmap  functorch.vmap(functorch.grad(loss)) over the examples
                for the norms l1, l2, linf over the parameter groups
                  all         every trainable parameter (conv/dense weights and biases, batch-norm gamma and beta)
                  weights     conv and dense weights
                  biases      conv and dense biases
                  last-layer  the classifier's (the last nn.Linear's) weight
                ("l2/all" is exact GraNd.)
  sgd           consecutive training steps, one per --sgd-lr: model.train() (batch norm on batch statistics, updating
                its running statistics), mean cross-entropy, loss.backward(), torch.optim.SGD(momentum, nesterov,
                weight_decay). After each step every tensor of the checkpoint (parameters and running statistics) is
                written back in Data Diet's layout and order.
  kink margins  ReLU and max-pool are not differentiable at their kinks (a ReLU input at 0, a max-pool tie), and
                float32 code rounds pre-activations by about 1e-6 of their scale: an input closer than that to a
                kink may fall on the other side in float32, and the gradient then differs from any exact reference,
                in training mode through the batch statistics for the whole batch (seen here: PyTorch's own float32
                SGD steps differ from its float64 ones by 0.2% to 15% for 4 of 10 random data seeds: resnet18 x0.25,
                32x32x3, two steps of 12 examples).
                So every example's margin (kink_margins) is reported for the caller to leave out examples too
                close to a kink from gradient comparisons, and each training step uses the first of a seeded series
                of random batches of --sgd-batch examples whose margin is at least --kink-margin.

Layout conversions (Data Diet / TensorFlow.js is NHWC):
  input           [N, H, W, C]              -> [N, C, H, W]
  conv weight     [kh, kw, cin, cout]       -> [cout, cin, kh, kw]
  dense weight    [in, out]                 -> [out, in]
  dense after a flatten of an H x W x C map: rows are ordered (h, w, c) in NHWC and (c, h, w) in NCHW, so
                  [H*W*C, out] -> [H, W, C, out] -> [out, C, H, W] -> [out, C*H*W]
  'same' padding  TensorFlow pads total = max((ceil(in/s) - 1) * s + k - in, 0) with the odd pixel at the
                  bottom/right (a stride-2 3x3 conv on an even size pads 0 top, 1 bottom: NOT PyTorch's
                  padding=1), so convs pad explicitly with F.pad and then run unpadded. The ImageNet stem (--stem
                  imagenet) pads PyTorch's way in Data Diet too (numeric pads), so it runs on nn.Conv2d(padding=3)
                  and nn.MaxPool2d(padding=1) as torchvision builds it.
  batch norm      eps 1e-5, momentum 0.1 (running = 0.9 running + 0.1 batch, unbiased batch variance): PyTorch's
                  defaults, which Data Diet follows.

Everything runs in --dtype (default float64, so the reference's own rounding is negligible against the float32
code it checks). Usage:

  /usr/bin/python3 test/reference/torch_reference.py --model resnet18 --width 0.25 --input 16,16,3 --classes 10 \
      --weights DIR/weights --x x.f32 --labels labels.i32 --sgd-lr 0.05,0.01 --sgd-batch 4 --momentum 0.9 \
      --weight-decay 5e-4 --out OUTDIR

--x: float32 little-endian, N*H*W*C (NHWC); --labels: int32 little-endian, N. Writes OUTDIR/result.json (logits,
el2n, gradNorms["<norm>/<group>"].loop/.vmap, evalMargins, sgd[k].batch/.lr/.loss/.logits, ...) and, per SGD step
k (1-based), OUTDIR/sgd-step-<k>.bin: the checkpoint's tensors after the step, float64 little-endian, at the
checkpoint index's offsets (so the same weights.json describes them).
"""

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-5
BN_MOMENTUM = 0.1
NORMS = ("l1", "l2", "linf")
GROUPS = ("all", "weights", "biases", "last-layer")


def scaled(channels, width):
    # Math.round semantics (half up), as src/core/models/model.ts scaled().
    return max(1, int(math.floor(channels * width + 0.5)))


def tf_same_pads(size, k, stride):
    out = -(-size // stride)  # ceil
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


class Conv2dSame(nn.Conv2d):
    """nn.Conv2d with TensorFlow's 'same' padding (explicit, possibly asymmetric), square kernels."""

    def __init__(self, cin, cout, k, stride=1, bias=True):
        super().__init__(cin, cout, k, stride=stride, padding=0, bias=bias)

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        pt, pb = tf_same_pads(x.shape[2], k, s)
        pl, pr = tf_same_pads(x.shape[3], k, s)
        return F.conv2d(F.pad(x, (pl, pr, pt, pb)), self.weight, self.bias, self.stride)


def bn(c):
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM)


class CnnSmall(nn.Module):
    """conv32-relu-pool-conv64-relu-pool-flatten-dense128-relu-dense (src/core/models/cnn.ts)."""

    def __init__(self, in_shape, classes, width):
        super().__init__()
        h, w, c = in_shape
        c1, c2, d1 = scaled(32, width), scaled(64, width), scaled(128, width)
        self.conv1 = Conv2dSame(c, c1, 3)
        self.relu1, self.pool1 = nn.ReLU(), nn.MaxPool2d(2)
        self.conv2 = Conv2dSame(c1, c2, 3)
        self.relu2, self.pool2 = nn.ReLU(), nn.MaxPool2d(2)
        self.feature_map = (h // 4, w // 4, c2)  # (H, W, C) of what fc1 flattens
        self.fc1 = nn.Linear(c2 * (h // 4) * (w // 4), d1)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(d1, classes)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = torch.flatten(x, 1)  # NCHW order; fc1's weight is permuted on load
        return self.fc2(self.relu3(self.fc1(x)))

    def checkpoint_names(self):
        return [
            ("conv1/weight", self.conv1.weight, "conv"),
            ("conv1/bias", self.conv1.bias, "vector"),
            ("conv2/weight", self.conv2.weight, "conv"),
            ("conv2/bias", self.conv2.bias, "vector"),
            ("fc1/weight", self.fc1.weight, ("flat-dense", self.feature_map)),
            ("fc1/bias", self.fc1.bias, "vector"),
            ("fc2/weight", self.fc2.weight, "dense"),
            ("fc2/bias", self.fc2.bias, "vector"),
        ]


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = Conv2dSame(cin, cout, 3, stride, bias=False)
        self.bn1 = bn(cout)
        self.conv2 = Conv2dSame(cout, cout, 3, 1, bias=False)
        self.bn2 = bn(cout)
        self.relu1, self.relu2 = nn.ReLU(), nn.ReLU()
        if stride != 1 or cin != cout:
            self.sc_conv = Conv2dSame(cin, cout, 1, stride, bias=False)
            self.sc_bn = bn(cout)
        else:
            self.sc_conv = None

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        short = self.sc_bn(self.sc_conv(x)) if self.sc_conv is not None else x
        return self.relu2(out + short)


def bn_names(prefix, m):
    return [
        (f"{prefix}/gamma", m.weight, "vector"),
        (f"{prefix}/beta", m.bias, "vector"),
    ]


def bn_state(prefix, m):
    return [
        (f"{prefix}/running_mean", m.running_mean, "vector"),
        (f"{prefix}/running_var", m.running_var, "vector"),
    ]


class ResNet18(nn.Module):
    """ResNet-18 (src/core/models/resnet.ts): a stem, stages of two basic blocks, first-block strides 1,2,2,2, global
    average pool, linear classifier. Stem "cifar": 3x3 stride 1, no max-pool (the low-resolution one); "imagenet":
    torchvision's, built from PyTorch's own modules (nn.Conv2d 7x7 stride 2 padding 3, nn.MaxPool2d 3x3 stride 2
    padding 1), so its symmetric padding is PyTorch's and not rewritten here."""

    def __init__(self, in_shape, classes, width, stem_kind="cifar"):
        super().__init__()
        c0 = in_shape[2]
        stem = scaled(64, width)
        if stem_kind == "imagenet":
            self.stem = nn.Conv2d(c0, stem, 7, stride=2, padding=3, bias=False)
            self.stem_pool = nn.MaxPool2d(3, stride=2, padding=1)
        else:
            self.stem = Conv2dSame(c0, stem, 3, 1, bias=False)
            self.stem_pool = None
        self.stem_bn = bn(stem)
        self.stem_relu = nn.ReLU()
        blocks = []
        self.block_names = []
        cin = stem
        for s, base in enumerate((64, 128, 256, 512)):
            cout = scaled(base, width)
            for b in range(2):
                blocks.append(BasicBlock(cin, cout, 2 if (b == 0 and s > 0) else 1))
                self.block_names.append(f"stage{s + 1}.block{b}")
                cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(cin, classes)

    def stem_forward(self, x):
        x = self.stem_relu(self.stem_bn(self.stem(x)))
        return self.stem_pool(x) if self.stem_pool is not None else x

    def forward(self, x):
        x = self.stem_forward(x)
        for b in self.blocks:
            x = b(x)
        return self.fc(x.mean(dim=(2, 3)))

    def checkpoint_names(self):
        # Parameters in Data Diet's order (model.params), then the running statistics (model.state), as
        # src/core/store/checkpoint.ts writes them (load_checkpoint checks names and order).
        params, state = [("stem/weight", self.stem.weight, "conv")], []
        params += bn_names("stem.bn", self.stem_bn)
        state += bn_state("stem.bn", self.stem_bn)
        for name, b in zip(self.block_names, self.blocks):
            params += [(f"{name}.conv1/weight", b.conv1.weight, "conv")] + bn_names(f"{name}.conv1.bn", b.bn1)
            params += [(f"{name}.conv2/weight", b.conv2.weight, "conv")] + bn_names(f"{name}.conv2.bn", b.bn2)
            state += bn_state(f"{name}.conv1.bn", b.bn1) + bn_state(f"{name}.conv2.bn", b.bn2)
            if b.sc_conv is not None:
                params += [(f"{name}.shortcut/weight", b.sc_conv.weight, "conv")] + bn_names(f"{name}.shortcut.bn", b.sc_bn)
                state += bn_state(f"{name}.shortcut.bn", b.sc_bn)
        params += [("fc/weight", self.fc.weight, "dense"), ("fc/bias", self.fc.bias, "vector")]
        return params + state


def build(model, in_shape, classes, width, stem="cifar"):
    if model == "cnn-small":
        return CnnSmall(in_shape, classes, width)
    if model == "resnet18":
        return ResNet18(in_shape, classes, width, stem)
    raise SystemExit(f"torch_reference: unknown --model {model!r} (cnn-small, resnet18)")


# ---- layout conversions between Data Diet (tfjs, NHWC) and PyTorch (NCHW) ----


def to_torch(a, kind):
    """a: numpy array in Data Diet's layout -> numpy array in PyTorch's layout."""
    if kind == "vector":
        return a
    if kind == "conv":  # [kh, kw, cin, cout] -> [cout, cin, kh, kw]
        return a.transpose(3, 2, 0, 1)
    if kind == "dense":  # [in, out] -> [out, in]
        return a.T
    _, (h, w, c) = kind  # flat-dense: rows (h, w, c) -> columns (c, h, w)
    out = a.shape[1]
    return a.reshape(h, w, c, out).transpose(3, 2, 0, 1).reshape(out, c * h * w)


def from_torch(a, kind):
    """Inverse of to_torch."""
    if kind == "vector":
        return a
    if kind == "conv":  # [cout, cin, kh, kw] -> [kh, kw, cin, cout]
        return a.transpose(2, 3, 1, 0)
    if kind == "dense":
        return a.T
    _, (h, w, c) = kind
    out = a.shape[0]
    return a.reshape(out, c, h, w).transpose(2, 3, 1, 0).reshape(h * w * c, out)


def tfjs_shape(t, kind):
    return list(from_torch(np.zeros(tuple(t.shape), dtype=np.float32), kind).shape)


def load_checkpoint(model, prefix, arch, dtype):
    """Loads <prefix>.json + <prefix>.bin into the model; returns the index (for writing in the same layout)."""
    with open(prefix + ".json") as f:
        index = json.load(f)
    if index.get("format") != "datadiet-weights-1":
        raise SystemExit(f"{prefix}.json: not a Data Diet checkpoint (format {index.get('format')!r})")
    if index.get("arch") != arch:
        raise SystemExit(f"{prefix}.json: checkpoint of {index.get('arch')!r}, --model is {arch!r}")
    data = np.fromfile(prefix + ".bin", dtype="<f4")
    names = model.checkpoint_names()
    want = [n for n, _, _ in names]
    have = [t["name"] for t in index["tensors"]]
    if want != have:
        raise SystemExit(
            f"{prefix}.json: tensor names/order differ from the rebuilt {arch}:\n"
            f"  missing {sorted(set(want) - set(have))}\n  unexpected {sorted(set(have) - set(want))}\n"
            f"  (order: checkpoint {have[:6]}..., rebuilt {want[:6]}...)"
        )
    by = {t["name"]: t for t in index["tensors"]}
    with torch.no_grad():
        for name, t, kind in names:
            e = by[name]
            shape = tfjs_shape(t, kind)
            if list(e["shape"]) != shape:
                raise SystemExit(f"{prefix}.json: {name} has shape {e['shape']}, the rebuilt {arch} needs {shape}")
            a = data[e["offset"] : e["offset"] + e["size"]].reshape(shape)
            t.copy_(torch.from_numpy(np.ascontiguousarray(to_torch(a, kind))).to(dtype))
    return index


def dump_checkpoint(model, index, path):
    """Every checkpoint tensor in Data Diet's layout, float64, at the index's offsets."""
    total = max(t["offset"] + t["size"] for t in index["tensors"])
    out = np.zeros(total, dtype="<f8")
    by = {t["name"]: t for t in index["tensors"]}
    for name, t, kind in model.checkpoint_names():
        e = by[name]
        out[e["offset"] : e["offset"] + e["size"]] = from_torch(t.detach().cpu().double().numpy(), kind).reshape(-1)
    out.tofile(path)


# ---- parameter groups, decided from the module types (not from Data Diet's names) ----


def param_groups(model):
    """name -> set of groups for every trainable parameter (named_parameters order)."""
    groups = {}
    linears = []
    for mname, m in model.named_modules():
        for pname, _ in m.named_parameters(recurse=False):
            full = f"{mname}.{pname}" if mname else pname
            g = {"all"}
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                g.add("weights" if pname == "weight" else "biases")
            elif not isinstance(m, nn.BatchNorm2d):
                raise SystemExit(f"unexpected parameter {full} of {type(m).__name__}")
            groups[full] = g
        if isinstance(m, nn.Linear):
            linears.append(mname)
    groups[f"{linears[-1]}.weight"].add("last-layer")  # the classifier: the last linear layer
    return groups


def norms_of(grads, groups):
    """grads: name -> gradient of one example (float64 tensors). Returns {"norm/group": value}."""
    out = {}
    for group in GROUPS:
        chosen = [g.reshape(-1) for n, g in grads.items() if group in groups[n]]
        v = torch.cat(chosen).double()
        out[f"l1/{group}"] = v.abs().sum().item()
        out[f"l2/{group}"] = v.pow(2).sum().sqrt().item()
        out[f"linf/{group}"] = v.abs().max().item()
    return out


def grad_norms_loop(model, x, y, groups):
    model.eval()
    rows = []
    params = dict(model.named_parameters())
    for i in range(x.shape[0]):
        model.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[i : i + 1]), y[i : i + 1])
        loss.backward()
        rows.append(norms_of({n: p.grad.detach().clone() for n, p in params.items()}, groups))
    model.zero_grad(set_to_none=True)
    return rows


def grad_norms_vmap(model, x, y, groups, chunk):
    import functorch

    model.eval()
    fmodel, params, buffers = functorch.make_functional_with_buffers(model)
    names = [n for n, _ in model.named_parameters()]

    def loss_one(params, buffers, xi, yi):
        return F.cross_entropy(fmodel(params, buffers, xi.unsqueeze(0)), yi.unsqueeze(0))

    per_example = functorch.vmap(functorch.grad(loss_one), in_dims=(None, None, 0, 0))
    rows = []
    for s in range(0, x.shape[0], chunk):
        g = per_example(params, buffers, x[s : s + chunk], y[s : s + chunk])
        for i in range(g[0].shape[0]):
            rows.append(norms_of({n: t[i] for n, t in zip(names, g)}, groups))
    return rows


# ---- distance from the kinks of ReLU and max-pool ----


def kink_margins(model, x):
    """Per example of x, how far the forward pass (in the model's current mode) stays from the points where ReLU and
    max-pool are not differentiable, relative to each layer's scale: the minimum over every ReLU input z of
    |z| / rms(z), and over every max-pool window whose maximum is positive of (largest - second largest) / rms(input),
    rms taken over the whole tensor. float32 code rounds pre-activations by about 1e-6 of their scale, so where the
    margin is that small it may take the other side of a kink, and its gradient then legitimately differs from any
    exact reference (in training mode, through the batch statistics, for the whole batch). Leaves the model as it
    was (in training mode, run it on a copy: batch norm would update its running statistics)."""
    margins = torch.full((x.shape[0],), math.inf, dtype=torch.float64)

    def relu_hook(_m, inp, _out):
        z = inp[0].detach().double()
        rms = z.pow(2).mean().sqrt()
        margins.copy_(torch.minimum(margins, z.abs().flatten(1).min(1).values / rms))

    def pool_hook(m, inp, _out):
        k, s, pad = m.kernel_size, m.stride, m.padding
        assert isinstance(k, int) and isinstance(s, int) and isinstance(pad, int) and not m.ceil_mode, "square max-pool"
        a = inp[0].detach().double()
        n, c, h, w = a.shape
        # Every window (padded cells at -inf: they never win), as [n, windows, k*k].
        ap = F.pad(a, (pad, pad, pad, pad), value=-math.inf) if pad else a
        cols = F.unfold(ap.reshape(n * c, 1, h + 2 * pad, w + 2 * pad), k, stride=s)
        win = cols.reshape(n, c, k * k, -1).permute(0, 1, 3, 2).reshape(n, -1, k * k)
        top = win.topk(2, dim=2).values
        gap = torch.where(top[..., 0] > 0, top[..., 0] - top[..., 1], torch.full_like(top[..., 0], math.inf))
        rms = a.pow(2).mean().sqrt()
        margins.copy_(torch.minimum(margins, gap.min(1).values / rms))

    hooks = [m.register_forward_hook(relu_hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    hooks += [m.register_forward_hook(pool_hook) for m in model.modules() if isinstance(m, nn.MaxPool2d)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return margins


def train_batch_margin(model, xb):
    probe = copy.deepcopy(model)
    probe.train()
    return kink_margins(probe, xb).min().item()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, choices=("cnn-small", "resnet18"))
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--stem", default="cifar", choices=("cifar", "imagenet"), help="resnet18's stem")
    p.add_argument("--input", required=True, help="H,W,C")
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--weights", required=True, help="checkpoint prefix: reads <prefix>.json and <prefix>.bin")
    p.add_argument("--x", required=True, help="float32 LE examples, N*H*W*C (NHWC)")
    p.add_argument("--labels", required=True, help="int32 LE labels, N")
    p.add_argument("--sgd-lr", default="", help="one learning rate per training step, comma-separated (none: no steps)")
    p.add_argument("--sgd-batch", type=int, default=4, help="examples per training step")
    p.add_argument(
        "--kink-margin",
        type=float,
        default=2e-5,
        help="each training step takes the first of up to --sgd-tries seeded random batches whose kink margin in "
        "training mode (see kink_margins) is at least this; result.json also gives every example's margin in "
        "inference mode",
    )
    p.add_argument("--sgd-tries", type=int, default=1000)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--no-nesterov", action="store_true")
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--dtype", default="float64", choices=("float32", "float64"))
    p.add_argument("--vmap-chunk", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)

    t0 = time.time()
    torch.set_num_threads(a.threads)
    dtype = getattr(torch, a.dtype)
    in_shape = tuple(int(s) for s in a.input.split(","))
    labels = np.fromfile(a.labels, dtype="<i4")
    n = labels.shape[0]
    xs = np.fromfile(a.x, dtype="<f4")
    if xs.size != n * in_shape[0] * in_shape[1] * in_shape[2]:
        raise SystemExit(f"{a.x}: {xs.size} floats, {n} examples of {in_shape} need {n * math.prod(in_shape)}")
    x = torch.from_numpy(xs.reshape(n, *in_shape).transpose(0, 3, 1, 2).copy()).to(dtype)  # NHWC -> NCHW
    y = torch.from_numpy(labels.astype(np.int64))

    torch.manual_seed(0)  # init is overwritten by the checkpoint; seeded anyway
    model = build(a.model, in_shape, a.classes, a.width, a.stem).to(dtype)
    index = load_checkpoint(model, a.weights, a.model, dtype)
    groups = param_groups(model)

    # Inference-mode quantities.
    model.eval()
    with torch.no_grad():
        logits = model(x)
    p64 = torch.softmax(logits.double(), dim=1)
    el2n = (p64 - F.one_hot(y, a.classes).double()).norm(dim=1)

    eval_margins = kink_margins(model, x)
    loop = grad_norms_loop(model, x, y, groups)
    vmap = grad_norms_vmap(model, x, y, groups, a.vmap_chunk)
    variants = [f"{nm}/{g}" for nm in NORMS for g in GROUPS]

    # Training steps (fresh load, so nothing above can leak into them).
    model = build(a.model, in_shape, a.classes, a.width, a.stem).to(dtype)
    load_checkpoint(model, a.weights, a.model, dtype)
    opt = torch.optim.SGD(
        model.parameters(),
        lr=0.1,
        momentum=a.momentum,
        dampening=0,
        nesterov=not a.no_nesterov,
        weight_decay=a.weight_decay,
    )
    os.makedirs(a.out, exist_ok=True)
    steps = []
    lrs = [float(v) for v in a.sgd_lr.split(",") if v.strip()]
    pick = torch.Generator().manual_seed(0)
    previous = None
    for k, lr in enumerate(lrs, start=1):
        rejected = 0
        for _ in range(a.sgd_tries):
            batch = sorted(torch.randperm(n, generator=pick)[: a.sgd_batch].tolist())
            if batch == previous:
                continue
            margin = train_batch_margin(model, x[batch])
            if margin >= a.kink_margin:
                break
            rejected += 1
        else:
            raise SystemExit(
                f"torch_reference: none of {a.sgd_tries} random batches of {a.sgd_batch} of the {n} examples keeps every "
                f"ReLU/max-pool input at least {a.kink_margin} (relative) from its kink at training step {k}: give "
                "more examples, a smaller --sgd-batch or more --sgd-tries"
            )
        previous = batch
        model.train()
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        out = model(x[batch])
        loss = F.cross_entropy(out, y[batch])  # mean over the batch, as src/core/train/loss.ts crossEntropy
        loss.backward()
        opt.step()
        path = os.path.join(a.out, f"sgd-step-{k}.bin")
        dump_checkpoint(model, index, path)
        steps.append({"batch": batch, "lr": lr, "margin": margin, "rejected": rejected, "loss": loss.item(), "logits": out.detach().double().reshape(-1).tolist(), "weights": os.path.basename(path)})

    result = {
        "torch": torch.__version__,
        "dtype": a.dtype,
        "model": a.model,
        "params": sum(t.numel() for t in model.parameters()),
        "n": n,
        "logits": logits.double().reshape(-1).tolist(),
        "el2n": el2n.tolist(),
        "gradNorms": {v: {"loop": [r[v] for r in loop], "vmap": [r[v] for r in vmap]} for v in variants},
        "kinkMargin": a.kink_margin,
        "evalMargins": eval_margins.tolist(),
        "groups": {name: sorted(g) for name, g in groups.items()},
        "sgd": steps,
        "seconds": time.time() - t0,
    }
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1:])
