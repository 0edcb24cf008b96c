"""Summarizes Benchmarks/results/results.jsonl as Markdown tables (mean ± sd over seeds).

    python3 summarize.py results/results.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

ORDER = ["naive", "replay500", "replay2000", "ewc", "lwf", "agem", "joint", "derpp500", "erace500"]
IMPLS = ["ours", "torch", "avalanche", "torch-default-init", "avalanche-default-init"]


def fmt(values, scale=100.0, digits=1):
    if not values:
        return "—"
    mean = statistics.mean(values) * scale
    if len(values) == 1:
        return f"{mean:.{digits}f} (n=1)"
    return f"{mean:.{digits}f} ± {statistics.stdev(values) * scale:.{digits}f} (n={len(values)})"


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    for r in runs:
        # Reference runs before the matched initialisation used nn.Linear's default init.
        if r["impl"] != "ours" and r.get("init", "torch") == "torch":
            r["impl"] = r["impl"] + "-default-init"
    latest = {}
    for r in runs:  # a rerun of the same cell replaces the earlier line
        latest[(r["impl"], r["scenario"], r["strategy"], r["seed"])] = r
    cells = defaultdict(list)
    for r in latest.values():
        cells[(r["impl"], r["scenario"], r["strategy"])].append(r)
    for scenario in ["split", "permuted"]:
        if not any(k[1] == scenario for k in cells):
            continue
        print(f"\n### {scenario}: ACC % (mean ± sd over seeds), BWT %, seconds per stream\n")
        print("| strategy | ours ACC | torch ACC | Avalanche ACC | ours − torch | ours BWT "
              "| torch BWT | ours s (cpu) | torch s (cpu) | Avalanche s (cpu) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for strategy in ORDER:
            row = {i: cells.get((i, scenario, strategy), []) for i in IMPLS}
            if not any(row.values()):
                continue
            acc = {i: [r["acc"] for r in row[i]] for i in IMPLS}
            diff = (f"{(statistics.mean(acc['ours']) - statistics.mean(acc['torch'])) * 100:+.1f}"
                    if acc["ours"] and acc["torch"] else "—")
            secs = {i: [r["cpu_seconds"] for r in row[i]] for i in IMPLS}
            print(f"| {strategy} | {fmt(acc['ours'])} | {fmt(acc['torch'])} "
                  f"| {fmt(acc['avalanche'])} | {diff} "
                  f"| {fmt([r['bwt'] for r in row['ours']])} "
                  f"| {fmt([r['bwt'] for r in row['torch']])} "
                  f"| {fmt(secs['ours'], 1, 1)} | {fmt(secs['torch'], 1, 1)} "
                  f"| {fmt(secs['avalanche'], 1, 1)} |")
        # Whole-stream speed: the sum over strategies of the mean CPU seconds, on seed-matched
        # cells present for both implementations.
        for other in ["torch", "avalanche"]:
            shared = [s for s in ORDER
                      if cells.get(("ours", scenario, s)) and cells.get((other, scenario, s))]
            if shared:
                ours = sum(statistics.mean(r["cpu_seconds"] for r in cells[("ours", scenario, s)])
                           for s in shared)
                theirs = sum(statistics.mean(r["cpu_seconds"] for r in cells[(other, scenario, s)])
                             for s in shared)
                print(f"\n{scenario}: {other} / ours CPU time over {', '.join(shared)}: "
                      f"{theirs:.1f} s / {ours:.1f} s = **{theirs / ours:.1f}×**")
        print(f"\n#### {scenario}: matrices R (seed 0; rows = after task i, columns = task j)\n")
        for (impl, sc, strategy), rs in sorted(cells.items(), key=lambda kv: (
                IMPLS.index(kv[0][0]), ORDER.index(kv[0][2]))):
            if sc != scenario:
                continue
            r = next((x for x in rs if x["seed"] == 0), None)
            if r is None:
                continue
            rows = " / ".join(" ".join(f"{v * 100:.0f}" for v in row) for row in r["matrix"])
            print(f"- {impl} {strategy}: b = {' '.join(f'{v * 100:.0f}' for v in r['baseline'])}"
                  f"; R = {rows}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/results.jsonl")
