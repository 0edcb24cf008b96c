"""The continual-learning benchmark protocol in PyTorch, and the same protocol in Avalanche.

    python reference.py --impl torch|avalanche --scenario split|permuted --strategy NAME
                        [--memory N] [--seed S]

Prints one JSON line: acc, bwt, fwt, forgetting, seconds, matrix (rows after each task).

`torch` is a plain PyTorch re-implementation of exactly what `track`'s learner does
(Sources/Learning/Strategies): replay = CE(batch) + beta * CE(memory batch drawn with
replacement, as large as the batch) with a reservoir memory updated after every step;
EWC = (lambda/2) sum F (theta - theta*)^2 with F the mean squared batch gradient of each
task; LwF = CE + alpha * T^2 * KL(teacher/T || student/T) on earlier tasks' classes;
A-GEM = a memory split evenly between tasks, reference gradient on `sample_size` samples,
projection when g.g_ref < 0; joint = cumulative data. `avalanche` runs Avalanche's own
strategies with the same hyperparameters mapped onto its conventions (its EWC penalty has no
1/2: lambda/2; its LwF has no T^2: alpha * T^2; its A-GEM stores memory/5 patterns per task).
DER++ (issue 16) = CE(batch) + alpha * MSE(f(memory), stored logits) + beta * CE(another
memory batch), both memory batches drawn without replacement, logits stored with each sample
by reservoir sampling; ER-ACE = CE(batch, softmax over the current task's classes and the
classes no earlier task had) + CE(memory batch) from the second task on (`--momentum`,
`--alpha`, `--beta`, `--memory-batch` set their hyperparameters; `--impl torch` only).
Data: the Fashion-MNIST IDX files of the Debian package (nothing is downloaded).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
LR, BATCH, EPOCHS, TASKS = 0.01, 32, 1, 5
BETA, LAMBDA, ALPHA, TEMPERATURE, SAMPLE_SIZE = 1.0, 100.0, 1.0, 2.0, 256
INIT = "track"
MOMENTUM, MEMORY_BATCH = 0.0, None


def idx(name):
    with gzip.open(os.path.join(DATA, name + ".gz"), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load():
    xtr = idx("train-images-idx3-ubyte").reshape(-1, 784)
    ytr = idx("train-labels-idx1-ubyte").astype(np.int64)
    xte = idx("t10k-images-idx3-ubyte").reshape(-1, 784)
    yte = idx("t10k-labels-idx1-ubyte").astype(np.int64)
    return xtr, ytr, xte, yte


def make_tasks(scenario, seed):
    """[(x_train uint8, y_train, x_test, y_test, classes)] per task."""
    xtr, ytr, xte, yte = load()
    tasks = []
    if scenario == "split":
        for t in range(TASKS):
            cls = [2 * t, 2 * t + 1]
            mtr, mte = np.isin(ytr, cls), np.isin(yte, cls)
            tasks.append((xtr[mtr], ytr[mtr], xte[mte], yte[mte], cls))
    else:
        rng = np.random.RandomState(seed)
        for t in range(TASKS):
            perm = rng.permutation(784)
            tasks.append((xtr[:, perm], ytr, xte[:, perm], yte, list(range(10))))
    return tasks


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def init_like_track(model):
    """The learner's initialisation (Sources/Learning/Numerics/Layers/MLP.swift): He normal
    (std sqrt(2/fan_in)) before a ReLU, Glorot uniform for the output layer, zero biases."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for k, layer in enumerate(linears):
            fan_out, fan_in = layer.weight.shape
            if k < len(linears) - 1:
                layer.weight.normal_(0, (2 / fan_in) ** 0.5)
            else:
                limit = (6 / (fan_in + fan_out)) ** 0.5
                layer.weight.uniform_(-limit, limit)
            layer.bias.zero_()
    return model


def to_float(x):
    return torch.from_numpy(x.astype(np.float32) / 255.0)


def evaluate(model, tasks_test):
    with torch.no_grad():
        return [float((model(x).argmax(1) == y).float().mean()) for x, y in tasks_test]


def summaries(baseline, rows):
    T = len(rows)
    acc = sum(rows[-1]) / T
    bwt = sum(rows[-1][j] - rows[j][j] for j in range(T - 1)) / (T - 1)
    fwt = sum(rows[j - 1][j] - baseline[j] for j in range(1, T)) / (T - 1)
    forg = sum(max(rows[l][j] for l in range(T - 1)) - rows[-1][j] for j in range(T - 1)) / (T - 1)
    return acc, bwt, fwt, forg


def run_torch(tasks, strategy, memory_size, seed):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    model = mlp()
    if INIT == "track":
        init_like_track(model)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    mem_z = []  # DER++: logits stored with each sample
    test = [(to_float(t[2]), torch.from_numpy(t[3])) for t in tasks]
    baseline = evaluate(model, test)
    rows = []
    mem_x, mem_y, mem_t, seen = [], [], [], 0
    penalties = []  # EWC (fisher, anchor) lists
    teacher, old_classes = None, None
    params = list(model.parameters())
    for t, (xtr, ytr, _, _, classes) in enumerate(tasks):
        if strategy == "joint":
            xtr = np.concatenate([k[0] for k in tasks[:t + 1]])
            ytr = np.concatenate([k[1] for k in tasks[:t + 1]])
        if strategy == "lwf" and t > 0:
            teacher = mlp()
            teacher.load_state_dict(model.state_dict())
            old_classes = sorted({c for k in tasks[:t] for c in k[4]})
        x_all, y_all = to_float(xtr), torch.from_numpy(ytr)
        order = torch.from_numpy(rng.permutation(len(y_all)))
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            x, y = x_all[idx], y_all[idx]
            opt.zero_grad()
            if strategy == "agem" and mem_x:
                pick = rng.permutation(len(mem_x))[:SAMPLE_SIZE]
                mx = torch.stack([mem_x[i] for i in pick])
                my = torch.tensor([mem_y[i] for i in pick])
                F.cross_entropy(model(mx), my).backward()
                ref = torch.cat([p.grad.flatten() for p in params])
                opt.zero_grad()
            out = model(x)
            if strategy == "er-ace" and t > 0:
                earlier = {c for k in tasks[:t] for c in k[4]}
                allowed = torch.tensor([c in classes or c not in earlier for c in range(10)])
                loss = F.cross_entropy(out.masked_fill(~allowed, -1e9), y)
            else:
                loss = F.cross_entropy(out, y)
            size = min(MEMORY_BATCH or len(y), len(mem_x))
            if strategy == "derpp" and mem_x:
                pick = rng.choice(len(mem_x), size, replace=False)
                mx = torch.stack([mem_x[i] for i in pick])
                mz = torch.stack([mem_z[i] for i in pick])
                loss = loss + ALPHA * F.mse_loss(model(mx), mz)
                pick = rng.choice(len(mem_x), size, replace=False)
                mx = torch.stack([mem_x[i] for i in pick])
                my = torch.tensor([mem_y[i] for i in pick])
                loss = loss + BETA * F.cross_entropy(model(mx), my)
            if strategy == "er-ace" and mem_x and t > 0:
                pick = rng.choice(len(mem_x), size, replace=False)
                mx = torch.stack([mem_x[i] for i in pick])
                my = torch.tensor([mem_y[i] for i in pick])
                loss = loss + F.cross_entropy(model(mx), my)
            if strategy == "replay" and mem_x:
                pick = rng.randint(0, len(mem_x), size=len(y))
                mx = torch.stack([mem_x[i] for i in pick])
                my = torch.tensor([mem_y[i] for i in pick])
                loss = loss + BETA * F.cross_entropy(model(mx), my)
            if strategy == "lwf" and teacher is not None:
                with torch.no_grad():
                    prev = teacher(x)[:, old_classes]
                kl = F.kl_div(F.log_softmax(out[:, old_classes] / TEMPERATURE, 1),
                              F.softmax(prev / TEMPERATURE, 1), reduction="batchmean")
                loss = loss + ALPHA * TEMPERATURE ** 2 * kl
            if strategy == "ewc":
                for fisher, anchor in penalties:
                    loss = loss + LAMBDA / 2 * sum(
                        (f * (p - a) ** 2).sum() for f, p, a in zip(fisher, params, anchor))
            loss.backward()
            if strategy == "agem" and mem_x:
                g = torch.cat([p.grad.flatten() for p in params])
                dot = g @ ref
                if dot < 0:
                    g = g - dot / (ref @ ref) * ref
                    offset = 0
                    for p in params:
                        n = p.numel()
                        p.grad.copy_(g[offset:offset + n].view_as(p))
                        offset += n
            opt.step()
            if strategy in ("replay", "derpp", "er-ace"):
                logits = out.detach()
                for i in range(len(y)):
                    seen += 1
                    if len(mem_x) < memory_size:
                        mem_x.append(x[i].clone()); mem_y.append(int(y[i]))
                        mem_z.append(logits[i].clone())
                    else:
                        j = rng.randint(0, seen)
                        if j < memory_size:
                            mem_x[j] = x[i].clone(); mem_y[j] = int(y[i])
                            mem_z[j] = logits[i].clone()
        if strategy == "ewc":
            fisher = [torch.zeros_like(p) for p in params]
            batches = 0
            for start in range(0, len(y_all), BATCH):
                opt.zero_grad()
                F.cross_entropy(model(x_all[start:start + BATCH]), y_all[start:start + BATCH]).backward()
                for f, p in zip(fisher, params):
                    f += p.grad.detach() ** 2
                batches += 1
            penalties.append(([f / batches for f in fisher], [p.detach().clone() for p in params]))
        if strategy == "agem":
            quota = memory_size // (t + 1)
            keep = []
            for k in range(t):
                slots = [i for i in range(len(mem_x)) if mem_t[i] == k]
                keep += list(rng.permutation(slots)[:quota]) if slots else []
            keep = sorted(int(i) for i in keep)
            mem_x = [mem_x[i] for i in keep]; mem_y = [mem_y[i] for i in keep]
            mem_t = [mem_t[i] for i in keep]
            for i in rng.permutation(len(y_all))[:min(quota, memory_size - len(mem_x))]:
                mem_x.append(x_all[i]); mem_y.append(int(y_all[i])); mem_t.append(t)
        rows.append(evaluate(model, test))
    return baseline, rows


def run_avalanche(tasks, strategy, memory_size, seed):
    # torchvision's PyPI wheel links CUDA torch; with the CPU torch its C ops do not load,
    # and torchvision 0.28 registers fake kernels for two of them unconditionally. Declaring
    # those two schemas lets it import (no torchvision op is used here).
    lib = torch.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    from avalanche.benchmarks.scenarios.deprecated.generators import nc_benchmark
    from avalanche.benchmarks.utils.classification_dataset import (
        _make_taskaware_tensor_classification_dataset as tensor_dataset)
    from avalanche.training import AGEM, EWC, LwF, Cumulative, Naive, Replay
    from avalanche.training.plugins import EvaluationPlugin
    from avalanche.evaluation.metrics import accuracy_metrics

    torch.manual_seed(seed)
    train = [tensor_dataset(to_float(t[0]), torch.from_numpy(t[1])) for t in tasks]
    test = [tensor_dataset(to_float(t[2]), torch.from_numpy(t[3])) for t in tasks]
    # One dataset per experience; permuted tasks reuse labels 0-9, which nc_benchmark would
    # otherwise renumber as 50 new classes.
    bench = nc_benchmark(train, test, n_experiences=TASKS, task_labels=False, shuffle=False,
                         one_dataset_per_exp=True, seed=seed,
                         class_ids_from_zero_in_each_exp=len(tasks[0][4]) == 10)
    model = mlp()
    if INIT == "track":
        init_like_track(model)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    evaluator = EvaluationPlugin(accuracy_metrics(experience=True), loggers=[])
    common = dict(train_mb_size=BATCH, train_epochs=EPOCHS, eval_mb_size=256, device="cpu",
                  evaluator=evaluator)
    loss = nn.CrossEntropyLoss()
    if strategy == "naive":
        learner = Naive(model, opt, loss, **common)
    elif strategy == "replay":
        learner = Replay(model, opt, loss, mem_size=memory_size, **common)
    elif strategy == "ewc":
        learner = EWC(model, opt, loss, ewc_lambda=LAMBDA / 2, **common)
    elif strategy == "lwf":
        learner = LwF(model, opt, loss, alpha=ALPHA * TEMPERATURE ** 2,
                      temperature=TEMPERATURE, **common)
    elif strategy == "agem":
        learner = AGEM(model, opt, loss, patterns_per_exp=memory_size // TASKS,
                       sample_size=SAMPLE_SIZE, **common)
    else:
        learner = Cumulative(model, opt, loss, **common)
    baseline = evaluate(model, [(to_float(t[2]), torch.from_numpy(t[3])) for t in tasks])
    rows = []
    for exp in bench.train_stream:
        learner.train(exp)
        results = learner.eval(bench.test_stream)
        rows.append([results["Top1_Acc_Exp/eval_phase/test_stream/Task000/Exp%03d" % j]
                     for j in range(TASKS)])
    return baseline, rows


def main():
    global INIT, MOMENTUM, ALPHA, BETA, MEMORY_BATCH
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["torch", "avalanche"], required=True)
    ap.add_argument("--scenario", choices=["split", "permuted"], required=True)
    ap.add_argument("--strategy",
                    choices=["naive", "replay", "ewc", "lwf", "agem", "joint", "derpp", "er-ace"],
                    required=True)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--alpha", type=float, default=ALPHA)
    ap.add_argument("--beta", type=float, default=BETA)
    ap.add_argument("--memory-batch", type=int, default=None)
    ap.add_argument("--memory", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=["track", "torch"], default="track",
                    help="track: the learner's He/Glorot initialisation; torch: nn.Linear's")
    a = ap.parse_args()
    INIT, MOMENTUM, ALPHA, BETA, MEMORY_BATCH = a.init, a.momentum, a.alpha, a.beta, a.memory_batch
    torch.set_num_threads(1)
    tasks = make_tasks(a.scenario, a.seed)
    start, cpu = time.time(), time.process_time()
    run = run_torch if a.impl == "torch" else run_avalanche
    baseline, rows = run(tasks, a.strategy, a.memory, a.seed)
    seconds, cpu_seconds = time.time() - start, time.process_time() - cpu
    acc, bwt, fwt, forg = summaries(baseline, rows)
    print(json.dumps(dict(impl=a.impl, scenario=a.scenario, strategy=a.strategy,
                          memory=a.memory, seed=a.seed, init=a.init, momentum=a.momentum,
                          alpha=a.alpha, beta=a.beta, memory_batch=a.memory_batch, acc=acc, bwt=bwt, fwt=fwt,
                          forgetting=forg, seconds=seconds, cpu_seconds=cpu_seconds, baseline=baseline, matrix=rows)))


if __name__ == "__main__":
    main()
