"""The reference side of the compute benchmark: PyTorch on the CPU, scikit-learn and NumPy.

Started by the compute benchmark (`cargo course bench`, crates/course/compute.rs)
with the benchmark's own Python (bench-venv, pinned in
crates/course/bench-requirements.txt). It answers requests, one JSON object a
line on stdin, with one JSON object a line on stdout:

    {"op": "about"}
        the libraries' versions and thread counts
    {"op": "run", "library": "pytorch" | "scikit-learn" | "numpy", "workload": {...},
     "train": [row, ...], "test": [row, ...], "seed": n, "threads": t}
        trains the workload on the given rows of its data file and answers
        {"seconds", "steps", "metric", "loss", "checksum"}; for the support
        vector machine, "steps" are SMO iterations and "loss" the number of
        support vectors; for the random-feature sweep (NumPy), "steps" is the
        count of features where the test error peaks, "metric" the test error
        there and "loss" the test error with the most features; for the
        character transformer, "train" holds the start of every window of every
        step, in order, "steps" are the steps timed, "metric" the mean training
        loss of the last steps and "loss" the loss of the first step

The workload (data file, pixel scale, layers, optimiser, learning rate, batch,
epochs) comes from the benchmark, which sends the same description to both
sides; so do the row indices of the split. Only the seed is this side's own.
`seconds` is the training loop alone (every epoch of mini-batches; for the
transformer, the steps after the warm-up), not loading or evaluation; `metric`
is the accuracy on the test rows; `checksum` is the sum of the scaled training
inputs and of the training labels (for the transformer, of the input ids and of
the target ids of every window), which the benchmark compares with its own to
show both sides trained on the same numbers.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import sys
import time
import warnings

import numpy as np

# The machine has two cores: PyTorch (and the BLAS under scikit-learn) use both
# unless a request says otherwise.
THREADS = 2


def load(workload: dict) -> tuple[np.ndarray, np.ndarray]:
    """The data file's pixels (scaled, float32, (n, pixels)) and labels ((n,) int64)."""
    with open(workload["data"]) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(workload["data"], delimiter=",", skiprows=1, dtype=np.float64)
    pixels = [header.index(f"p{i}") for i in range(workload["pixels"])]
    x = (table[:, pixels] / workload["scale"]).astype(np.float32)
    y = table[:, header.index("label")].astype(np.int64)
    return x, y


def checksum(x: np.ndarray, y: np.ndarray) -> list[float]:
    return [float(x.astype(np.float64).sum()), float(y.sum())]


def steps_per_epoch(n: int, batch: int) -> int:
    return math.ceil(n / batch)


def torch_model(workload: dict, torch):
    """The workload's network, initialised as the course's engine initialises it:
    Xavier (Glorot) uniform for tanh layers, He (Kaiming) for ReLU layers, zero biases."""
    nn = torch.nn
    if workload["model"] == "mlp":
        sizes = workload["layers"]
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append({"tanh": nn.Tanh, "relu": nn.ReLU}[workload["activation"]]())
        model = nn.Sequential(*layers)
    elif workload["model"] == "cnn":
        side = workload["side"]
        model = nn.Sequential(
            nn.Unflatten(1, (1, side, side)),
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * (side // 4) ** 2, 10),
        )
    else:
        raise ValueError(f"unknown model {workload['model']!r}")
    init = workload.get("init", "xavier-uniform")
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                if init == "xavier-uniform":
                    nn.init.xavier_uniform_(m.weight)
                elif init == "kaiming-normal":
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                elif init == "kaiming-uniform":
                    nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                elif init != "pytorch-default":
                    raise ValueError(f"unknown initialisation {init!r}")
                if init != "pytorch-default":
                    nn.init.zeros_(m.bias)
    return model


def run_pytorch(workload: dict, x, y, train, test, seed: int, threads: int) -> dict:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    x_train, y_train = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    x_test, y_test = torch.from_numpy(x[test]), torch.from_numpy(y[test])
    model = torch_model(workload, torch)
    spec = workload["optimiser"]
    if spec["name"] == "sgd":
        optimiser = torch.optim.SGD(model.parameters(), lr=spec["lr"], momentum=0.0)
    elif spec["name"] == "adam":
        optimiser = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    else:
        raise ValueError(f"unknown optimiser {spec['name']!r}")
    batch, n = workload["batch"], len(train)
    steps, loss_sum, loss_count = 0, 0.0, 0
    model.train()
    begin = time.perf_counter()
    for epoch in range(workload["epochs"]):
        order = torch.randperm(n, generator=generator)
        last = epoch == workload["epochs"] - 1
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            loss = F.cross_entropy(model(x_train[rows]), y_train[rows])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            steps += 1
            if last:
                # The last epoch's mean loss (reading it waits for nothing on the CPU).
                loss_sum += loss.item()
                loss_count += 1
    seconds = time.perf_counter() - begin
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).double().mean().item()
    return {
        "seconds": seconds,
        "steps": steps,
        "metric": accuracy,
        "loss": loss_sum / max(loss_count, 1),
        "checksum": checksum(x[train], y[train]),
    }


def char_transformer_model(workload: dict, vocab: int, torch):
    """The transformer of mlmath::nn::Transformer, in PyTorch: token embedding plus
    learned positions; pre-LN blocks x += Attn(LN1(x)), x += W2 GELU(W1 LN2(x)); a
    last LayerNorm; logits by the token embedding transposed (tied). Attention is
    causal, one linear layer d -> 3d makes q, k, v (split in that order, then into
    heads), and PyTorch's fused scaled_dot_product_attention computes
    softmax(q k^T / sqrt(d_head) + mask) v. The start is mlmath's (GPT-2's): every
    weight N(0, 0.02^2), the layers writing into the residual path
    N(0, (0.02 / sqrt(2 layers))^2), biases 0, LayerNorm gains 1 (eps 1e-5)."""
    nn, F = torch.nn, torch.nn.functional
    d, heads, layers = workload["d_model"], workload["heads"], workload["layers"]
    context, d_ff = workload["context"], workload["d_ff"]
    if workload["activation"] != "gelu-tanh":
        raise ValueError(f"unknown activation {workload['activation']!r}")
    sigma, residual = 0.02, 0.02 / math.sqrt(2 * layers)

    def linear(a: int, b: int, std: float):
        layer = nn.Linear(a, b)
        nn.init.normal_(layer.weight, std=std)
        nn.init.zeros_(layer.bias)
        return layer

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.out = linear(d, 3 * d, sigma), linear(d, d, residual)
            self.fc1, self.fc2 = linear(d, d_ff, sigma), linear(d_ff, d, residual)

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
            q, k, v = (z.view(b, t, heads, d // heads).transpose(1, 2) for z in (q, k, v))
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.out(o.transpose(1, 2).reshape(b, t, d))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, d)
            nn.init.normal_(self.tokens.weight, std=sigma)
            self.positions = nn.Parameter(torch.randn(context, d) * sigma)
            self.blocks = nn.ModuleList(Block() for _ in range(layers))
            self.ln_f = nn.LayerNorm(d)

        def forward(self, ids):
            x = self.tokens(ids) + self.positions[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            return F.linear(self.ln_f(x), self.tokens.weight)

    return CharTransformer()


def run_char_transformer(workload: dict, starts, seed: int, threads: int) -> dict:
    """Workload 4: AdamW steps of the character transformer on the windows of the
    training text that start at `starts` (batch after batch); the first warm-up steps
    are not timed."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    # The text as mlmath reads it (no newline translation); the characters sorted.
    with open(workload["data"], encoding="utf-8", newline="") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
    ids = torch.from_numpy(ids[: len(ids) * 9 // 10 * 9 // 10])
    t, batch = workload["context"], workload["batch"]
    warmup, timed = workload["warmup_steps"], workload["timed_steps"]
    starts = torch.from_numpy(np.asarray(starts, dtype=np.int64)).view(-1, batch)
    if starts.shape[0] < warmup + timed:
        raise ValueError(f"{starts.shape[0]} batches of window starts, not {warmup + timed}")
    offsets = torch.arange(t)
    every = starts.reshape(-1, 1) + offsets
    sums = [float(ids[every].sum()), float(ids[every + 1].sum())]
    model = char_transformer_model(workload, len(chars), torch)
    spec = workload["optimiser"]
    if spec["name"] != "adamw":
        raise ValueError(f"the transformer trains with AdamW, not {spec['name']!r}")
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"],
        weight_decay=spec["weight_decay"],
    )
    model.train()
    losses = []
    begin = time.perf_counter()
    for step in range(warmup + timed):
        if step == warmup:
            begin = time.perf_counter()
        rows = starts[step].view(-1, 1) + offsets
        x, y = ids[rows], ids[rows + 1]
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - begin
    last = losses[-workload["last_steps"]:]
    return {
        "seconds": seconds,
        "steps": timed,
        "metric": sum(last) / len(last),
        "loss": losses[0],
        "checksum": sums,
    }


def run_svm(workload: dict, x, y, train, test, threads: int) -> dict:
    """libsvm's C-SVM through scikit-learn's SVC: the fit alone is timed."""
    from sklearn.svm import SVC
    from threadpoolctl import threadpool_limits

    if workload["kernel"] != "rbf":
        raise ValueError("the SVM workload is the RBF kernel's")
    model = SVC(
        kernel="rbf",
        gamma=workload["gamma"],
        C=workload["c"],
        tol=workload["tolerance"],
        cache_size=workload["cache_mb"],
        decision_function_shape="ovo",
    )
    # The pixels, exact integers, as float64: libsvm computes in double.
    x = x.astype(np.float64)
    with threadpool_limits(threads):
        begin = time.perf_counter()
        model.fit(x[train], y[train])
        seconds = time.perf_counter() - begin
    accuracy = float((model.predict(x[test]) == y[test]).mean())
    return {
        "seconds": seconds,
        "steps": int(np.sum(model.n_iter_)),
        "metric": accuracy,
        # The workload's second figure: training rows that are support vectors.
        "loss": float(model.n_support_.sum()),
        "checksum": checksum(x[train], y[train]),
    }


def run_numpy(workload: dict, x, y, train, test, seed: int, threads: int) -> dict:
    """The double-descent sweep of random Fourier features, the algorithm mlmath's
    features::random_feature_sweep runs, in NumPy (and SciPy's LAPACK Cholesky).

    Timed: the median heuristic (SciPy's pdist, all pairs), the draw of the
    features (NumPy's own generator, this side's seed), and for every count N in
    increasing order: the new block of features cos(X W + b) for the training and
    the test rows, ΦΦᵀ += Φ_block Φ_blockᵀ, ΦᵀΦ grown by rows and columns while
    N ≤ n, the Cholesky factor of the smaller Gram matrix (scipy.linalg.cho_factor,
    LAPACK dpotrf) and its solve (cho_solve, dpotrs), A (N × 10), and the scores from
    Φ_train A and Φ_test A. threads = 0 leaves the BLAS at its default thread count.
    """
    from scipy.linalg import cho_factor, cho_solve
    from scipy.spatial.distance import pdist
    from threadpoolctl import threadpool_limits

    if workload["model"] != "rff-sweep":
        raise ValueError("NumPy runs the random-feature sweep only")
    x = x.astype(np.float64)
    x_train, x_test = x[train], x[test]
    y_train, y_test = y[train], y[test]
    classes = int(y.max()) + 1
    onehot = np.eye(classes)[y_train]
    onehot_test = np.eye(classes)[y_test]
    counts = sorted(workload["counts"])
    ridge = float(workload["ridge"])
    n, top = len(train), counts[-1]
    with threadpool_limits(threads) if threads > 0 else contextlib.nullcontext():
        begin = time.perf_counter()
        sigma = float(np.median(pdist(x_train)))
        rng = np.random.default_rng(seed)
        w = rng.standard_normal((x.shape[1], top)) / sigma
        b = rng.uniform(0.0, 2.0 * np.pi, top)
        phi_train = np.empty((n, top))
        phi_test = np.empty((len(test), top))
        gram_rows = np.zeros((n, n))
        gram_columns = np.zeros((min(n, top), min(n, top)))
        done, points = 0, []
        for count in counts:
            if count > done:
                block = slice(done, count)
                phi_train[:, block] = np.cos(x_train @ w[:, block] + b[block])
                phi_test[:, block] = np.cos(x_test @ w[:, block] + b[block])
                new = phi_train[:, block]
                gram_rows += new @ new.T
                if done < n:
                    upto = min(count, n)
                    rows = phi_train[:, done:upto].T @ phi_train[:, :upto]
                    gram_columns[done:upto, :upto] = rows
                    gram_columns[:upto, done:upto] = rows.T
                done = count
            phi = phi_train[:, :count]
            if count <= n:
                h = gram_columns[:count, :count] + ridge * np.eye(count)
                a = cho_solve(cho_factor(h, lower=True), phi.T @ onehot)
            else:
                g = gram_rows + ridge * np.eye(n)
                a = phi.T @ cho_solve(cho_factor(g, lower=True), onehot)
            predicted = phi @ a
            predicted_test = phi_test[:, :count] @ a
            points.append({
                "features": count,
                "train_error": float((predicted.argmax(1) != y_train).mean()),
                "test_error": float((predicted_test.argmax(1) != y_test).mean()),
                "train_loss": float(((predicted - onehot) ** 2).sum() / n),
                "test_loss": float(((predicted_test - onehot_test) ** 2).sum() / len(test)),
                "weight_norm": float(np.linalg.norm(a)),
            })
        seconds = time.perf_counter() - begin
    peak = max(points, key=lambda p: p["test_error"])
    last = points[-1]
    return {
        "seconds": seconds,
        # The workload's figures: where the test error peaks, its height, and the
        # test error with the most features.
        "steps": peak["features"],
        "metric": peak["test_error"],
        "loss": last["test_error"],
        "bandwidth": sigma,
        "points": points,
        "checksum": checksum(x[train], y[train]),
    }


def run_sklearn(workload: dict, x, y, train, test, seed: int, threads: int) -> dict:
    if workload["model"] == "svm":
        return run_svm(workload, x, y, train, test, threads)
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    if workload["model"] != "mlp" or workload["optimiser"]["name"] != "sgd":
        raise ValueError("scikit-learn runs the MLP workload with plain SGD only")
    epochs = workload["epochs"]
    model = MLPClassifier(
        hidden_layer_sizes=tuple(workload["layers"][1:-1]),
        activation=workload["activation"],
        solver="sgd",
        alpha=0.0,
        batch_size=workload["batch"],
        learning_rate="constant",
        learning_rate_init=workload["optimiser"]["lr"],
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=epochs,
        shuffle=True,
        random_state=seed,
        tol=0.0,
        # Never stop early: every run trains the same number of epochs.
        n_iter_no_change=epochs + 1,
        early_stopping=False,
    )
    with warnings.catch_warnings(), threadpool_limits(threads):
        # It warns that 50 epochs did not converge to tol = 0: as intended.
        warnings.simplefilter("ignore", ConvergenceWarning)
        begin = time.perf_counter()
        model.fit(x[train], y[train])
        seconds = time.perf_counter() - begin
    if model.n_iter_ != epochs:
        raise RuntimeError(f"scikit-learn trained {model.n_iter_} epochs, not {epochs}")
    accuracy = float((model.predict(x[test]) == y[test]).mean())
    return {
        "seconds": seconds,
        "steps": epochs * steps_per_epoch(len(train), workload["batch"]),
        "metric": accuracy,
        "loss": float(model.loss_curve_[-1]),
        "checksum": checksum(x[train], y[train]),
    }


def about() -> dict:
    import scipy
    import sklearn
    import threadpoolctl
    import torch

    blas = threadpoolctl.threadpool_info()
    numpy_blas = [
        f"{b.get('internal_api')} {b.get('version')} ({b.get('num_threads')} threads)"
        for b in blas
        if b.get("user_api") == "blas"
    ]
    return {
        "python": platform.python_version(),
        "pytorch": torch.__version__,
        "pytorch_threads": torch.get_num_threads(),
        "pytorch_interop_threads": torch.get_num_interop_threads(),
        "pytorch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "pytorch_mkldnn": torch.backends.mkldnn.is_available(),
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
        "numpy_blas": numpy_blas,
        "numpy_threads": max((b.get("num_threads", 0) for b in blas
                              if b.get("user_api") == "blas"), default=0),
        "scipy": scipy.__version__,
    }


def main() -> int:
    # Answers go to the benchmark through stdout's file; anything else that
    # writes to stdout (a library, a child process) is sent to stderr instead.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import torch

    torch.set_num_threads(THREADS)
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if request["op"] == "about":
                answer = about()
            elif request["op"] == "run":
                workload = request["workload"]
                seed, threads = int(request["seed"]), int(request.get("threads", THREADS))
                if workload["model"] == "char-transformer":
                    # Text, not a table: the window starts come as "train".
                    if request["library"] != "pytorch":
                        raise ValueError("the transformer runs on PyTorch only")
                    answer = run_char_transformer(workload, request["train"], seed, threads)
                else:
                    key = f"{workload['data']} / {workload['scale']}"
                    if key not in data:
                        data[key] = load(workload)
                    x, y = data[key]
                    train = np.asarray(request["train"], dtype=np.int64)
                    test = np.asarray(request["test"], dtype=np.int64)
                    run = {
                        "pytorch": run_pytorch,
                        "scikit-learn": run_sklearn,
                        "numpy": run_numpy,
                    }[request["library"]]
                    answer = run(workload, x, y, train, test, seed, threads)
            else:
                raise ValueError(f"unknown request {request['op']!r}")
        except Exception as e:  # reported to the benchmark, which names the request
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), file=answers, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
