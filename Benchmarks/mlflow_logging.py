"""MLflow's metric logging into its SQLite store, for comparison with track's storage.

Run by Benchmarks/storage.sh inside a throwaway venv with `pip install mlflow`.
Prints `name: value unit` lines. Same point shape as storage-benchmark: 4 metric keys,
step = index / 4.
"""
import argparse
import os
import tempfile
import time

import mlflow
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

KEYS = ["loss", "accuracy", "learning_rate", "grad_norm"]


def make_client(folder, name):
    uri = "sqlite:///" + os.path.join(folder, name + ".db")
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(name)
    run = client.create_run(experiment)
    return client, run.info.run_id


def log_batch(folder, points):
    client, run_id = make_client(folder, "batch")
    start = time.perf_counter()
    now = int(time.time() * 1000)
    batch = []
    for index in range(points):
        batch.append(Metric(KEYS[index & 3], index * 0.001, now, index >> 2))
        if len(batch) == 1000:  # MLflow's limit per log_batch call
            client.log_batch(run_id, metrics=batch)
            batch = []
    if batch:
        client.log_batch(run_id, metrics=batch)
    client.set_terminated(run_id)
    return points / (time.perf_counter() - start)


def log_metric(folder, points):
    client, run_id = make_client(folder, "metric")
    start = time.perf_counter()
    for index in range(points):
        client.log_metric(run_id, KEYS[index & 3], index * 0.001, step=index >> 2)
    client.set_terminated(run_id)
    return points / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-points", type=int, default=20_000)
    parser.add_argument("--metric-points", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"mlflow_version: {mlflow.__version__}")
        print(f"mlflow_log_batch: {log_batch(folder, args.batch_points):.0f} points/s "
              f"({args.batch_points} points)")
        print(f"mlflow_log_metric: {log_metric(folder, args.metric_points):.0f} points/s "
              f"({args.metric_points} points)")


if __name__ == "__main__":
    main()
