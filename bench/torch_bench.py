#!/usr/bin/python3
"""PyTorch CPU reference timings for `npm run bench`.

Builds the same architectures as src/core/models (cnn-small, resnet18, linear; NCHW, PyTorch default
initialization), feeds one fixed random batch (seeded) and measures examples/second for each phase:

  train       model.train(); cross-entropy; forward + backward + SGD step
              (lr 0.01, momentum 0.9, nesterov, weight_decay 5e-4)
  infer       model.eval(); torch.no_grad() forward
  el2n        model.eval(); no grad; ||softmax(logits) - onehot(y)||_2 per example
  grand_loop  model.eval() (batch norm uses running stats); for each example alone (batch size 1): drop grads,
              loss.backward(), sqrt(sum of squared grads over ALL parameters). The slow, obviously correct
              reference for per-example gradient norms.
  grand_vmap  model.eval(); what a PyTorch user runs for per-example gradients: functorch's
              vmap(grad(loss)) over the batch (make_functional_with_buffers), then each example's norm over
              all parameters. --threads threads.

Each phase: 2 warm-up iterations, then iterations until --seconds have elapsed (at least 3);
examples/s = examples / elapsed. An iteration is one batch of --batch examples, except for grand_loop,
where it is one example (so the time limit holds for large models too; the rate is the same either way).

stdout carries exactly one JSON line:
  {"torch": "...", "threads": 2, "model": "cnn-small", "params": 421642,
   "results": {"train": ..., "infer": ..., "el2n": ..., "grand_loop": ...}, "peak_rss_mb": ...,
   "config": {...}, "detail": {"train": {"iterations": n, "examples": n, "seconds": s}, ...}}
"threads" is the thread count of the batch phases; config.grand_loop_threads that of grand_loop
(--grand-loop-threads, default --threads). Everything else (progress, warnings, native library chatter)
goes to stderr. --json-only also silences the progress lines.

Run with Debian's interpreter, where python3-torch is installed (scripts/install-torch.sh):
  /usr/bin/python3 bench/torch_bench.py --model cnn-small --input 28,28,1 --classes 10 --width 1 \
      --batch 128 --seconds 10 --threads 2 --what train,infer,el2n,grand_loop
"""

import argparse
import json
import math
import os
import resource
import sys
import time

PHASES = ("train", "infer", "el2n", "grand_loop", "grand_vmap")
MODELS = ("cnn-small", "resnet18", "linear")


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch CPU reference benchmark (one JSON line on stdout).")
    p.add_argument("--model", default="cnn-small", choices=MODELS)
    p.add_argument("--input", default="28,28,1", help="H,W,C (as the engine's inputShape), e.g. 32,32,3")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--width", type=float, default=1.0, help="channel width multiplier")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seconds", type=float, default=10.0, help="measuring time per phase (after warm-up)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--grand-loop-threads",
        type=int,
        default=None,
        help="thread count (PyTorch and OpenBLAS) for the grand_loop phase only (default: --threads). Batch-size-1 steps are "
        "too small to split: on 2 cores 1 thread runs them 2-4x faster than 2",
    )
    p.add_argument("--what", default=",".join(PHASES), help="comma-separated phases, or 'all': " + ",".join(PHASES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--device",
        default="cpu",
        choices=("cpu", "cuda"),
        help="where the model and the batch live (cuda: the first CUDA GPU; every phase already synchronizes "
        "each iteration by reading a value back)",
    )
    p.add_argument("--warmup", type=int, default=2, help=argparse.SUPPRESS)
    p.add_argument("--min-iters", type=int, default=3, help=argparse.SUPPRESS)
    p.add_argument("--json-only", action="store_true", help="no progress lines on stderr; stdout is the JSON line")
    a = p.parse_args(argv)

    try:
        shape = tuple(int(s) for s in a.input.split(","))
    except ValueError:
        p.error(f"--input must be H,W,C integers, got {a.input!r}")
    if len(shape) != 3 or min(shape) < 1:
        p.error(f"--input must be three positive integers H,W,C, got {a.input!r}")
    a.input_shape = shape
    what = [w.strip() for w in a.what.split(",") if w.strip()]
    if what == ["all"]:
        what = list(PHASES)
    bad = [w for w in what if w not in PHASES]
    if bad or not what:
        p.error(f"--what: unknown phase(s) {bad}; choose from {','.join(PHASES)}")
    a.phases = what
    if a.grand_loop_threads is None:
        a.grand_loop_threads = a.threads
    if a.classes < 1 or a.batch < 1 or a.threads < 1 or a.grand_loop_threads < 1 or not a.width > 0 or a.seconds < 0:
        p.error("--classes, --batch, --threads and --grand-loop-threads must be >= 1, --width > 0, --seconds >= 0")
    return a


def scaled(channels, width):
    # Math.round semantics (half rounds up), as the engine's scaled(); Python's round() would round half to even.
    return max(1, int(math.floor(channels * width + 0.5)))


def build_model(torch, nn, name, in_shape, classes, width):
    h, w, c = in_shape
    if name == "linear":
        return nn.Sequential(nn.Flatten(), nn.Linear(h * w * c, classes))

    if name == "cnn-small":
        c1, c2, d1 = scaled(32, width), scaled(64, width), scaled(128, width)
        return nn.Sequential(
            nn.Conv2d(c, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(c2 * (h // 4) * (w // 4), d1),
            nn.ReLU(),
            nn.Linear(d1, classes),
        )

    if name == "resnet18":

        class BasicBlock(nn.Module):
            def __init__(self, cin, cout, stride):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
                self.bn1 = nn.BatchNorm2d(cout)
                self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(cout)
                self.relu = nn.ReLU()
                if stride != 1 or cin != cout:
                    self.shortcut = nn.Sequential(
                        nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout)
                    )
                else:
                    self.shortcut = nn.Identity()

            def forward(self, x):
                out = self.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                return self.relu(out + self.shortcut(x))

        stem = scaled(64, width)
        layers = [nn.Conv2d(c, stem, 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU()]
        cin = stem
        for s, base in enumerate((64, 128, 256, 512)):
            cout = scaled(base, width)
            for b in range(2):
                layers.append(BasicBlock(cin, cout, 2 if (b == 0 and s > 0) else 1))
                cin = cout
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
        return nn.Sequential(*layers)

    raise ValueError(f"unknown model {name!r}")


def openblas_thread_setters():
    """openblas_set_num_threads of every OpenBLAS copy this process has loaded (Debian loads its libblas.so.3
    and liblapack.so.3, each with its own pool), so the BLAS pools can follow a thread change at run time."""
    import ctypes

    setters, seen = [], set()
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if ".so" in line and ("blas" in line or "lapack" in line)}
    except OSError:
        return setters
    for path in sorted(paths):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads
        except (OSError, AttributeError):
            continue
        if ctypes.cast(fn, ctypes.c_void_p).value not in seen:
            seen.add(ctypes.cast(fn, ctypes.c_void_p).value)
            fn.argtypes = [ctypes.c_int]
            fn.restype = None
            setters.append(fn)
    return setters


def measure(step, examples_per_iter, seconds, warmup, min_iters):
    for _ in range(warmup):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if n >= min_iters and elapsed >= seconds:
            break
    examples = n * examples_per_iter
    return examples / elapsed, {"iterations": n, "examples": examples, "seconds": round(elapsed, 4)}


def main(argv):
    args = parse_args(argv)

    # Keep stdout clean for the JSON line: anything printed on fd 1 while we work (Python or native code) goes
    # to stderr instead; the JSON is written on a saved copy of the original stdout.
    sys.stdout.flush()
    json_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    # torch.set_num_threads only sizes PyTorch's own OpenMP pool; Debian's torch does its matmuls (Linear layers)
    # through the system BLAS (OpenBLAS), which sizes its own pool from the environment when it is loaded.
    # Pin all of them before torch is imported so that --threads means what it says.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    def log(msg):
        if not args.json_only:
            print(f"[torch_bench] {msg}", file=sys.stderr, flush=True)

    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as e:
        print(
            f"torch_bench: cannot import torch with {sys.executable} ({e}); "
            "run scripts/install-torch.sh and use /usr/bin/python3",
            file=sys.stderr,
        )
        return 3

    blas_setters = openblas_thread_setters()

    def set_threads(n):
        torch.set_num_threads(n)
        for fn in blas_setters:
            fn(n)

    set_threads(args.threads)
    torch.manual_seed(args.seed)

    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_bench: --device cuda but torch.cuda.is_available() is False", file=sys.stderr)
        return 3

    h, w, c = args.input_shape
    model = build_model(torch, nn, args.model, args.input_shape, args.classes, args.width)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    g = torch.Generator().manual_seed(args.seed)
    x = torch.randn(args.batch, c, h, w, generator=g)
    y = torch.randint(0, args.classes, (args.batch,), generator=g)
    onehot = F.one_hot(y, args.classes).to(x.dtype)
    if args.device != "cpu":
        # Same seeded batch and initialization as on cpu, then moved.
        model, x, y, onehot = model.to(args.device), x.to(args.device), y.to(args.device), onehot.to(args.device)
    log(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.model} "
        f"{h}x{w}x{c} width {args.width:g}, {params:,} params, batch {args.batch}"
        + (f", device {args.device} ({torch.cuda.get_device_name(0)})" if args.device == "cuda" else "")
    )

    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    plist = [p for p in model.parameters() if p.requires_grad]
    sink = [0.0]  # keeps results alive so nothing can be skipped

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sink[0] = loss.item()

    def infer_step():
        model.eval()
        with torch.no_grad():
            sink[0] = float(model(x)[0, 0])

    def el2n_step():
        model.eval()
        with torch.no_grad():
            scores = torch.linalg.vector_norm(F.softmax(model(x), dim=1) - onehot, dim=1)
            sink[0] = float(scores[0])

    cursor = [0]

    def grand_one():
        i = cursor[0]
        cursor[0] = (i + 1) % args.batch
        for p in plist:
            p.grad = None
        loss = F.cross_entropy(model(x[i : i + 1]), y[i : i + 1])
        loss.backward()
        sink[0] = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in plist if p.grad is not None))

    def grand_loop_step():
        model.eval()
        grand_one()

    def grand_vmap_step_factory():
        # Debian's torch 1.13 ships functorch (torch.func arrived in 2.0).
        from functorch import grad, make_functional_with_buffers, vmap

        model.eval()
        fmodel, fparams, fbuffers = make_functional_with_buffers(model)

        def loss_one(params, buffers, xi, yi):
            return F.cross_entropy(fmodel(params, buffers, xi.unsqueeze(0)), yi.unsqueeze(0))

        per_example = vmap(grad(loss_one), in_dims=(None, None, 0, 0))

        def step():
            grads = per_example(fparams, fbuffers, x, y)
            sq = sum(g.reshape(g.shape[0], -1).pow(2).sum(1) for g in grads)
            sink[0] = float(sq.sqrt()[0])

        return step

    steps = {
        "train": (train_step, args.batch),
        "infer": (infer_step, args.batch),
        "el2n": (el2n_step, args.batch),
        "grand_loop": (grand_loop_step, 1),
    }
    if "grand_vmap" in args.phases:
        steps["grand_vmap"] = (grand_vmap_step_factory(), args.batch)
    results, detail = {}, {}
    for phase in args.phases:
        fn, per_iter = steps[phase]
        set_threads(args.grand_loop_threads if phase == "grand_loop" else args.threads)
        rate, d = measure(fn, per_iter, args.seconds, args.warmup, args.min_iters)
        results[phase] = round(rate, 3)
        detail[phase] = d
        log(f"{phase}: {rate:,.1f} examples/s ({d['iterations']} iterations, {d['seconds']:.2f} s)")
    set_threads(args.threads)
    model.zero_grad(set_to_none=True)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "model": args.model,
        "params": params,
        "results": results,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "config": {
            "input": list(args.input_shape),
            "classes": args.classes,
            "width": args.width,
            "batch": args.batch,
            "seconds": args.seconds,
            "seed": args.seed,
            "grand_loop_threads": args.grand_loop_threads,
            "device": args.device,
        },
        "detail": detail,
    }
    os.write(json_fd, (json.dumps(out) + "\n").encode())
    os.close(json_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
