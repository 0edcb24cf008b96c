"""Runs the continual-learning protocol for one implementation and appends JSON lines.

    python protocol.py --impl ours|torch|avalanche --scenarios split,permuted \
        --seeds 0,1,2 [--strategies naive,replay500,...] --out results.jsonl

`ours` runs the release-built ContinualBenchmark (the `track` learner without the tracker)
on a JSON spec; `torch` and `avalanche` run reference.py. Every run is single-threaded.

`--protocol issue16` is issue 16's: SGD momentum 0.9, and DER++ (alpha 2, beta 2, memory
batch 64) and ER-ACE (memory batch 64) with 500 samples added to the strategies, as chosen
on seeds 1-6 (Benchmarks/README.md); its results go to results/issue16.jsonl by default.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STRATEGIES = ["naive", "replay500", "replay2000", "ewc", "lwf", "agem", "joint"]
ISSUE16 = STRATEGIES + ["derpp500", "erace500"]
MOMENTUM = 0.0
# strategy name -> (kind, extra strategy keys, reference.py arguments)
EXTRA = {
    "derpp500": ("derpp", {"alpha": 2, "beta": 2, "memory_batch_size": 64},
                 ["--alpha", "2", "--beta", "2", "--memory-batch", "64"]),
    "erace500": ("er-ace", {"memory_batch_size": 64}, ["--memory-batch", "64"]),
}


def kind_of(strategy):
    if strategy in EXTRA:
        return EXTRA[strategy][0]
    return "replay" if strategy.startswith("replay") else strategy


def spec(scenario, strategy, seed):
    memory = 2000 if strategy == "replay2000" else 500
    kind = kind_of(strategy)
    keys = {"type": kind, "memory_size": memory, "beta": 1, "selection": "reservoir",
            "lambda": 100, "alpha": 1, "temperature": 2, "sample_size": 256}
    keys.update(EXTRA.get(strategy, (None, {}, []))[1])
    return {
        "seed": seed,
        "data": {"source": "fashion-mnist"},
        "scenario": {"type": "class-incremental" if scenario == "split" else "permuted",
                     "tasks": 5},
        "model": {"hidden": [256, 256], "activation": "relu"},
        "optimizer": {"type": "sgd", "lr": 0.01, "momentum": MOMENTUM},
        "training": {"epochs": 1, "batch_size": 32, "threads": 1},
        "strategy": keys,
    }


def run(impl, scenario, strategy, seed, binary, python):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if impl == "ours":
        out = subprocess.run([binary, "-"], input=json.dumps(spec(scenario, strategy, seed)),
                             capture_output=True, text=True, env=env, check=True).stdout
    else:
        memory = "2000" if strategy == "replay2000" else "500"
        out = subprocess.run([python, os.path.join(HERE, "reference.py"), "--impl", impl,
                              "--scenario", scenario, "--strategy", kind_of(strategy),
                              "--memory", memory, "--seed", str(seed),
                              "--momentum", str(MOMENTUM)] + EXTRA.get(strategy, (None, {}, []))[2],
                             capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result.update(impl=impl, scenario=scenario, strategy=strategy, seed=seed, threads=1)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", required=True, choices=["ours", "torch", "avalanche"])
    ap.add_argument("--scenarios", default="split,permuted")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--strategies", default=None)
    ap.add_argument("--protocol", choices=["issue4", "issue16"], default="issue4")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release",
                                                     "ContinualBenchmark"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    global MOMENTUM
    if a.protocol == "issue16":
        MOMENTUM = 0.9
    a.strategies = a.strategies or ",".join(ISSUE16 if a.protocol == "issue16" else STRATEGIES)
    a.out = a.out or os.path.join(
        HERE, "results", "issue16.jsonl" if a.protocol == "issue16" else "results.jsonl")
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
