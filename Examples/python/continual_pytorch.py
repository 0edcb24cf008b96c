"""A continual-learning loop in plain PyTorch, tracked by track through MLflow's client.

Split Fashion-MNIST, class-incremental: 5 tasks of 2 classes, an MLP, SGD. mlflow logs the
params and the loss curve; track_client logs the tasks and the accuracy matrix R (each task's
accuracy after each training stage), so `track show` and `track diff` give ACC, BWT and
forgetting as for track's own learner.

    track exec --name torch-naive -- python Examples/python/continual_pytorch.py
    # or: track serve & MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python ...

Needs torch (the CPU wheel), mlflow (or mlflow-skinny) and the Debian package
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import argparse
import gzip
import os
import sys

import mlflow
import numpy as np
import torch
from torch import nn

try:
    from track_client import TrackClient
except ImportError:  # not pip-installed: use the copy in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "clients", "python"))
    from track_client import TrackClient

DATA = "/usr/share/datasets/fashion-mnist"


def load(kind):
    with gzip.open(os.path.join(DATA, f"{kind}-images-idx3-ubyte.gz")) as handle:
        images = np.frombuffer(handle.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, f"{kind}-labels-idx1-ubyte.gz")) as handle:
        labels = np.frombuffer(handle.read(), np.uint8, offset=8)
    return torch.tensor(images, dtype=torch.float32) / 255.0, torch.tensor(labels, dtype=torch.long)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-per-task", type=int, default=2000, help="samples per task (all: 0)")
    parser.add_argument("--test-per-task", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--experiment", default="pytorch-continual")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    tasks = [(2 * t, 2 * t + 1) for t in range(5)]

    def subset(x, y, classes, limit):
        index = torch.nonzero((y == classes[0]) | (y == classes[1])).flatten()
        if limit:
            index = index[torch.randperm(len(index))[:limit]]
        return x[index], y[index]

    train_sets = [subset(train_x, train_y, c, args.train_per_task) for c in tasks]
    test_sets = [subset(test_x, test_y, c, args.test_per_task) for c in tasks]
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def accuracy(x, y):
        with torch.no_grad():
            return (model(x).argmax(1) == y).float().mean().item()

    if "MLFLOW_EXPERIMENT_ID" not in os.environ:
        mlflow.set_experiment(args.experiment)
    track = TrackClient()
    with mlflow.start_run() as run:
        run_id = run.info.run_id
        mlflow.log_params({
            "model": "mlp-784-256-10", "optimizer": "sgd", "lr": args.lr, "momentum": 0.9,
            "batch_size": 32, "epochs": args.epochs, "train_per_task": args.train_per_task,
            "seed": args.seed, "strategy": "naive",
        })
        track.log_tasks(run_id, [
            {"name": f"{a}-{b}", "train_size": len(train_sets[i][1]),
             "test_size": len(test_sets[i][1]), "classes": [a, b]}
            for i, (a, b) in enumerate(tasks)
        ])
        track.log_matrix_row(run_id, 0, [accuracy(x, y) for x, y in test_sets])
        step = 0
        for task, (x, y) in enumerate(train_sets, start=1):
            for epoch in range(args.epochs):
                order = torch.randperm(len(y))
                for start in range(0, len(y), 32):
                    batch = order[start:start + 32]
                    optimizer.zero_grad()
                    loss = loss_fn(model(x[batch]), y[batch])
                    loss.backward()
                    optimizer.step()
                    if step % 20 == 0:
                        mlflow.log_metric("loss", loss.item(), step=step)
                    step += 1
            scores = [accuracy(tx, ty) for tx, ty in test_sets]
            track.log_matrix_row(run_id, task, scores)
            seen = sum(scores[:task]) / task
            mlflow.log_metric("stream_accuracy", seen, step=task)
            # Not KEY=NUMBER: under `track exec` that would log the value a second time.
            print(f"after task {task}, accuracy over the tasks seen {seen:.3f}", flush=True)
        summary = track.matrix(run_id)["summary"]
        print(f"ACC {summary['acc']:.3f}  BWT {summary['bwt']:.3f}  forgetting {summary['forgetting']:.3f}")


if __name__ == "__main__":
    main()
