"""Runs the continual-learning protocol for one implementation and appends JSON lines.

    python protocol.py --impl ours|torch|avalanche --scenarios split,permuted \
        --seeds 0,1,2 [--strategies naive,replay500,...] --out results.jsonl

`ours` runs the release-built ContinualBenchmark (the `track` learner without the tracker)
on a JSON spec; `torch` and `avalanche` run reference.py. Every run is single-threaded.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STRATEGIES = ["naive", "replay500", "replay2000", "ewc", "lwf", "agem", "joint"]


def spec(scenario, strategy, seed):
    memory = 2000 if strategy == "replay2000" else 500
    kind = "replay" if strategy.startswith("replay") else strategy
    return {
        "seed": seed,
        "data": {"source": "fashion-mnist"},
        "scenario": {"type": "class-incremental" if scenario == "split" else "permuted",
                     "tasks": 5},
        "model": {"hidden": [256, 256], "activation": "relu"},
        "optimizer": {"type": "sgd", "lr": 0.01},
        "training": {"epochs": 1, "batch_size": 32, "threads": 1},
        "strategy": {"type": kind, "memory_size": memory, "beta": 1, "selection": "reservoir",
                     "lambda": 100, "alpha": 1, "temperature": 2, "sample_size": 256},
    }


def run(impl, scenario, strategy, seed, binary, python):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if impl == "ours":
        out = subprocess.run([binary, "-"], input=json.dumps(spec(scenario, strategy, seed)),
                             capture_output=True, text=True, env=env, check=True).stdout
    else:
        memory = "2000" if strategy == "replay2000" else "500"
        kind = "replay" if strategy.startswith("replay") else strategy
        out = subprocess.run([python, os.path.join(HERE, "reference.py"), "--impl", impl,
                              "--scenario", scenario, "--strategy", kind, "--memory", memory,
                              "--seed", str(seed)],
                             capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result.update(impl=impl, scenario=scenario, strategy=strategy, seed=seed, threads=1)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", required=True, choices=["ours", "torch", "avalanche"])
    ap.add_argument("--scenarios", default="split,permuted")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release",
                                                     "ContinualBenchmark"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "results.jsonl"))
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    for scenario in a.scenarios.split(","):
        for seed in [int(s) for s in a.seeds.split(",")]:
            for strategy in a.strategies.split(","):
                try:
                    r = run(a.impl, scenario, strategy, seed, a.binary, a.python)
                except subprocess.CalledProcessError as e:
                    print(f"FAILED {a.impl} {scenario} {strategy} {seed}: {e.stderr[-2000:]}",
                          file=sys.stderr, flush=True)
                    continue
                with open(a.out, "a") as f:
                    f.write(json.dumps(r) + "\n")
                print(f"{a.impl:9} {scenario:8} {strategy:10} seed {seed}: acc {r['acc']:.4f}"
                      f"  {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s cpu", flush=True)


if __name__ == "__main__":
    main()
