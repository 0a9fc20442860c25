"""nn_core against PyTorch on the CPU, side by side in one process (issue #2): prints figures.

    pip install -r requirements-bench.txt && python3 bench/engine.py [--cpu]

Both engines do the same work in float64 on one thread, from the same initial weights:
  - minibatch training (500 points, batch 10, SGD, MSE, a seeded shuffle per epoch) of the
    playground's default 2-4-2-1 and of 2-8x6-1; nn_core through `train()` with its usual
    per-epoch recording, PyTorch with a full-train loss evaluation per epoch;
  - full-batch training of 2-8-8-1 on the same 500 points;
  - a 100x100 decision-boundary grid forward pass of the default net and of the largest
    net the app allows (LIMITS), in float64 and float32 (float32 is what the pages draw).
  - a bare hand-written NumPy loop (forward, backward and update, nothing recorded) on every
    training workload, and the tutorial's own 3-4-1 XOR net (4 rows, full batch, SSE): the
    price of train()'s per-epoch history (target: within 1.5x of the bare loop).
Each case is checked once (same losses / outputs / weights), then timed RUNS times; the table
shows medians, the ratio torch time / nn_core time (> 1: nn_core is faster) and the ratio
nn_core time / bare loop time (the median of the ratios of runs made back to back, which load
on a shared machine moves least). Asserts nothing.
"""

from __future__ import annotations

import os

# One thread for both engines; must be set before NumPy or torch load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn_core import SGD, Network, get_activation, train  # noqa: E402
from nn_core.config import LIMITS  # noqa: E402
from nn_core.datasets import make_dataset  # noqa: E402

torch.set_num_threads(1)
try:  # threadpoolctl (requirements-bench.txt) also names the BLAS kernel in use
    from threadpoolctl import threadpool_info, threadpool_limits
    threadpool_limits(1)
except ImportError:  # still one thread through the variables above
    threadpool_info = None

RUNS = 9
# Wall-clock time by default; --cpu measures this process's CPU time instead, steadier when
# other work shares the cores.
CPU_CLOCK = "--cpu" in sys.argv[1:]
CLOCK = time.process_time if CPU_CLOCK else time.perf_counter
LR = 0.03
TORCH_ACTS = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU,
              "linear": torch.nn.Identity}


def median_times(fn_a, fn_b, runs=RUNS, paired=False):
    """Median times of fn_a and fn_b, run alternately so that load on a shared machine
    falls on both alike; paired=True also returns the median of the runs' ratios a / b."""
    a, b = [], []
    for _ in range(runs):
        for fn, times in ((fn_a, a), (fn_b, b)):
            t0 = CLOCK()
            fn()
            times.append(CLOCK() - t0)
    medians = statistics.median(a), statistics.median(b)
    if paired:
        return (*medians, statistics.median(x / y for x, y in zip(a, b)))
    return medians


def make_net(hidden, seed=1):
    """The app's default kind of net: tanh hidden layers, sigmoid output, TF Playground init."""
    sizes = [2, *hidden, 1]
    return Network(sizes, ["tanh"] * len(hidden) + ["sigmoid"], init="playground", seed=seed)


def torch_model(net, dtype=torch.float64):
    """A torch.nn.Sequential with net's layers and a copy of its weights (W transposed)."""
    layers = []
    for w, b, act in zip(net.weights, net.biases, net.activations):
        linear = torch.nn.Linear(w.shape[0], w.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, TORCH_ACTS[act]()]
    return torch.nn.Sequential(*layers)


def torch_train(model, X, y, epochs, batch, seed=0):
    """SGD on MSE with a shuffle per epoch (NumPy's, as train() draws it) and a full-train
    loss evaluation per epoch; returns the per-epoch losses.

    Written for speed: one gather per epoch (as train() does) and the update by hand, which
    is ~10% faster here than torch.optim.SGD (same numbers)."""
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n = X.shape[0]
    batch = batch or n
    params = list(model.parameters())
    mse = torch.nn.MSELoss()
    rng = np.random.default_rng([seed, 0])
    losses = []
    for _ in range(epochs):
        if batch < n:
            order = torch.from_numpy(rng.permutation(n))
            X_epoch, y_epoch = Xt[order], yt[order]
        else:
            X_epoch, y_epoch = Xt, yt
        for lo in range(0, n, batch):
            for p in params:
                p.grad = None
            mse(model(X_epoch[lo:lo + batch]), y_epoch[lo:lo + batch]).backward()
            with torch.no_grad():
                for p in params:
                    p.sub_(p.grad, alpha=LR)
        with torch.no_grad():
            losses.append(mse(model(Xt), yt).item())
    return np.array(losses)


def nn_train(net, X, y, epochs, batch, loss="mse", lr=LR):
    return train(net, X, y, epochs=epochs, loss=loss, optimizer=SGD(lr),
                 batch_size=batch, seed=0).loss


def bare_train(net, X, y, epochs, batch, loss="mse", lr=LR):
    """The loop a reader writes by hand: the same activations (nn_core's, so the arithmetic
    is the same), the same shuffle, SGD; no history, no checks. Returns the final weights."""
    W = [w.copy() for w in net.weights]
    b = [v.copy() for v in net.biases]
    f = [get_activation(name) for name in net.activations]
    n = X.shape[0]
    batch = batch or n
    scale = 2.0 if loss == "sse" else None  # dL/do: 2(o - y) for SSE, 2(o - y)/size for MSE
    rng = np.random.default_rng([0, 0])
    for _ in range(epochs):
        if batch < n:
            order = rng.permutation(n)
            X_epoch, y_epoch = X[order], y[order]
        else:
            X_epoch, y_epoch = X, y
        for lo in range(0, n, batch):
            a = [X_epoch[lo:lo + batch]]
            yb = y_epoch[lo:lo + batch]
            for l in range(len(W)):
                a.append(f[l].fn(np.dot(a[l], W[l]) + b[l]))
            out = a[-1]
            delta = (out - yb) * (scale or 2.0 / yb.size)
            for l in range(len(W) - 1, -1, -1):
                delta = delta * f[l]._derivative(None, a[l + 1])
                grad_w = np.dot(a[l].T, delta)
                grad_b = delta.sum(axis=0)
                if l > 0:
                    delta = np.dot(delta, W[l].T)
                W[l] -= lr * grad_w
                if net.use_bias:
                    b[l] -= lr * grad_b
    return W


def training_case(hidden, X, y, epochs, batch):
    """Check once that both engines give the same losses, then time both and the bare loop."""
    net = make_net(hidden)
    model = torch_model(net)
    ours = nn_train(net.copy(), X, y, epochs, batch)
    theirs = torch_train(model, X, y, epochs, batch)
    check = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
    t_nn, t_torch = median_times(lambda: nn_train(net.copy(), X, y, epochs, batch),
                                 lambda: torch_train(torch_model(net), X, y, epochs, batch))
    return t_nn, t_torch, bare_case(net, X, y, epochs, batch, "mse", LR)[1:], (
        f"losses of {epochs} epochs agree to {check:.1e} (rel)")


def bare_case(net, X, y, epochs, batch, loss, lr):
    """Time train() (with its history) against the bare loop, check the weights agree; return
    (train time, bare loop time, median ratio of the two)."""
    trained = net.copy()
    nn_train(trained, X, y, epochs, batch, loss, lr)
    W = bare_train(net, X, y, epochs, batch, loss, lr)
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(trained.weights, W))
    assert diff < 1e-9, f"the bare loop does other arithmetic ({diff:.1e})"
    return median_times(lambda: nn_train(net.copy(), X, y, epochs, batch, loss, lr),
                        lambda: bare_train(net, X, y, epochs, batch, loss, lr), paired=True)


def tutorial_case():
    """The tutorial's 3-4-1 sigmoid XOR net: 4 rows, full batch, SSE, lr 1, 1500 epochs."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    t_nn, *bare = bare_case(net, X, y, 1500, None, "sse", 1.0)
    return t_nn, None, bare, "no PyTorch run"


def grid_case(net, dtype):
    """The boundary grid the pages draw: 100x100 points over the data's [-6, 6] square."""
    axis = np.linspace(-6.0, 6.0, 100)
    grid = np.stack([g.ravel() for g in np.meshgrid(axis, axis)], axis=1)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    model = torch_model(net, tdtype)
    tgrid = grid.astype(dtype)

    def with_torch():
        with torch.no_grad():
            return model(torch.from_numpy(tgrid)).numpy()

    diff = float(np.max(np.abs(net.predict(grid, dtype=dtype) - with_torch())))
    t_nn, t_torch = median_times(lambda: net.predict(grid, dtype=dtype), with_torch, RUNS * 5)
    return t_nn, t_torch, None, f"outputs agree to {diff:.1e} (abs)"


def machine():
    blas = ""
    if threadpool_info is not None:
        blas = "; ".join(" ".join(str(part) for part in (
            i["internal_api"], i.get("version"), i.get("architecture"),
            f"({i['num_threads']} thread)") if part) for i in threadpool_info())
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return (f"{platform.processor() or platform.machine()}, nproc {os.cpu_count()}, Python "
            f"{platform.python_version()}, NumPy {np.__version__}, torch {torch.__version__} "
            f"(torch threads {torch.get_num_threads()})\nBLAS: {blas or 'threadpoolctl absent'}"
            + (f"\nOPENBLAS_CORETYPE={coretype}" if coretype else ""))


def main():
    t_start = time.perf_counter()
    data = make_dataset("circle", n_points=1000, noise=0.1, train_ratio=0.5, seed=0)
    X, y = data.X_train, data.y_train
    big = [LIMITS.max_neurons] * LIMITS.max_hidden_layers
    big_name = f"2-{LIMITS.max_neurons}x{LIMITS.max_hidden_layers}-1"
    cases = [
        ("tutorial 3-4-1 full batch, 1500 epochs", tutorial_case),
        ("minibatch 2-4-2-1, 20 epochs", lambda: training_case([4, 2], X, y, 20, 10)),
        ("minibatch 2-8x6-1, 20 epochs", lambda: training_case([8] * 6, X, y, 20, 10)),
        ("full batch 2-8-8-1, 200 epochs", lambda: training_case([8, 8], X, y, 200, None)),
    ]
    for name, hidden in (("2-4-2-1", [4, 2]), (big_name + " (largest)", big)):
        for dtype in (np.float64, np.float32):
            label = f"grid 100x100 {name} {np.dtype(dtype).name}"
            cases.append((label, lambda h=hidden, d=dtype: grid_case(make_net(h), d)))

    print(machine())
    clock = "CPU time" if CPU_CLOCK else "wall-clock time (--cpu: CPU time)"
    print(f"{clock}, medians of {RUNS} runs (grids: {RUNS * 5}); ratio = torch / nn_core\n")
    print(f"| {'case':<44} | {'nn_core':>10} | {'PyTorch':>10} | {'ratio':>6} | "
          f"{'bare loop':>10} | {'train/bare':>10} | check")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 12}|{'-' * 8}|{'-' * 12}|{'-' * 12}|------")
    for name, run in cases:
        t_nn, t_torch, t_bare, check = run()
        torch_cols = (f"{t_torch * 1e3:7.2f} ms | {t_torch / t_nn:5.1f}x" if t_torch
                      else f"{'-':>10} | {'-':>6}")
        bare_cols = (f"{t_bare[0] * 1e3:7.2f} ms | {t_bare[1]:9.2f}x" if t_bare
                     else f"{'-':>10} | {'-':>10}")
        print(f"| {name:<44} | {t_nn * 1e3:7.2f} ms | {torch_cols} | {bare_cols} | {check}",
              flush=True)
    print(f"\n(total {time.perf_counter() - t_start:.0f} s)")


if __name__ == "__main__":
    main()
