"""Prints the numerics benchmark figures side by side with ratios (Benchmarks/numerics.sh)."""
import shlex
import sys

# The measured fp32 FMA peak of one core (`NumericsBenchmarks peak`, line `isa=best` of the
# log); set in main(). Share of peak is against the machine the benchmark ran on.
PEAK_GFLOPS_PER_CORE = None


def parse(path):
    """The log's rows, one per configuration: of repeated runs (REPEATS in numerics.sh) the
    one with the median wall time, with `runs` and the `fastest`/`slowest` wall times."""
    groups = {}
    for line in open(path):
        fields = {}
        try:
            tokens = shlex.split(line)  # key="a value with spaces"
        except ValueError:
            tokens = line.split()
        for token in tokens:
            if "=" in token:
                key, value = token.split("=", 1)
                fields[key] = value.strip('"')
        if "workload" in fields:
            key = tuple(fields.get(k) for k in ("workload", "framework", "threads", "batch",
                                                 "epochs", "isa", "narrow", "strategy"))
            groups.setdefault(key, []).append(fields)
    rows = []
    for runs in groups.values():
        if "seconds" not in runs[0]:  # machine and peak lines: the last one
            rows.append(dict(runs[-1]))
            continue
        runs.sort(key=lambda r: float(r["seconds"]))
        row = dict(runs[(len(runs) - 1) // 2])
        row.update(runs=str(len(runs)), fastest=runs[0]["seconds"], slowest=runs[-1]["seconds"])
        rows.append(row)
    return rows


def find(rows, **match):
    for row in rows:
        if all(row.get(k) == str(v) for k, v in match.items()):
            return row
    return None


def machine(rows):
    """Prints the CPU, kernel and measured peak lines of the log; returns the peak."""
    info = find(rows, workload="machine")
    if info:
        print(f"CPU: {info['cpu']} ({info['isa']})  BLAS: {info['blas']} "
              f"(chosen by: {info['blas_choice']})  narrow kernels: "
              f"{info.get('narrow_kernels', '?')}")
    peaks = [r for r in rows if r["workload"] == "peak"]
    for row in peaks:
        print(f"measured fp32 FMA peak, 1 core, {row['isa']}: {row['gflops']} GFLOP/s")
    best = find(rows, workload="peak", isa="best")
    if not best:
        sys.exit("no peak in the log: run `NumericsBenchmarks peak` first (numerics.sh does)")
    return float(best["gflops"])


def main():
    global PEAK_GFLOPS_PER_CORE
    rows = parse(sys.argv[1])
    PEAK_GFLOPS_PER_CORE = machine(rows)
    print("\n== 1. Seed workload: 10->64->1, Adam, MSE, 10,000 rows, 1,000 steps, 1 thread")
    print("(median of the runs; fastest and slowest wall times in the last column)")
    swift = find(rows, workload="seed", framework="swift")
    print(f"{'framework':<10}{'wall s':>10}{'cpu s':>10}{'final loss':>12}{'GFLOP/s':>10}"
          f"{'wall ratio':>12}{'cpu ratio':>11}{'loss diff':>11}   runs: fastest-slowest")
    for name in ["swift", "torch", "tf"]:
        row = find(rows, workload="seed", framework=name)
        if not row or not swift:
            continue
        wall = float(row["seconds"]) / float(swift["seconds"])
        cpu = float(row["cpu_seconds"]) / float(swift["cpu_seconds"])
        diff = (float(swift["final_loss"]) - float(row["final_loss"])) / float(row["final_loss"])
        print(f"{name:<10}{row['seconds']:>10}{row['cpu_seconds']:>10}{row['final_loss']:>12}"
              f"{row['gflops']:>10}{wall:>11.2f}x{cpu:>10.2f}x{diff * 100:>10.2f}%"
              f"   {row['runs']}: {row['fastest']}-{row['slowest']}")
    versions = [r for r in rows if r["workload"] == "seed" and r["framework"] == "swift"]
    if len(versions) > 1:
        print("narrow kernels (10->64 layer): "
              + ", ".join(f"{r.get('narrow')} {r['seconds']} s wall / {r['gflops']} GFLOP/s"
                          for r in versions))
    tracked = find(rows, workload="seed", framework="track")
    if tracked and swift:
        share = float(swift["gflops"]) * float(swift["seconds"]) / float(tracked["seconds"])
        print(f"{'track run':<10}{tracked['seconds']:>10}{tracked['cpu_seconds']:>10}"
              f"{tracked['final_loss']:>12}{share:>10.2f}"
              f"   (Examples/seed-regression.yaml, whole process, {tracked['loss_points']} "
              f"loss points; runs: {tracked['fastest']}-{tracked['slowest']})")
        for name in ["torch", "tf"]:
            row = find(rows, workload="seed", framework=name)
            if row:
                print(f"  track run vs {name}: {float(row['cpu_seconds']) / float(tracked['cpu_seconds']):.2f}x "
                      f"CPU ({name} without its start-up)")
        print(f"  share of the measured peak: microbenchmark "
              f"{float(swift['gflops']) / PEAK_GFLOPS_PER_CORE * 100:.1f} %, track run "
              f"{share / PEAK_GFLOPS_PER_CORE * 100:.1f} %")
    tf = find(rows, workload="seed", framework="tf")
    if swift and tf:
        # The arithmetic floor: forward plus backward multiply-adds at the core's fp32 peak.
        gflop = float(swift["gflops"]) * float(swift["seconds"])
        floor = gflop / PEAK_GFLOPS_PER_CORE
        tf_seconds = float(tf["cpu_seconds"])
        print(f"floor: {gflop:.1f} GFLOP at {PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s = {floor:.3f} s "
              f"on one core, so at most {tf_seconds / floor:.1f}x TF's {tf_seconds:.2f} CPU s; "
              f"10x TF would need {tf_seconds / 10:.3f} s = "
              f"{gflop / (tf_seconds / 10):.0f} GFLOP/s")

    print("\n== 2. Fashion-MNIST 784->256->256->10, SGD 0.01, 1 epoch (samples/s)")
    print("(median runs; ratios: wall-clock samples/s; in brackets the same from process CPU "
          "seconds)")
    print(f"{'threads':<8}{'batch':>6}{'swift':>10}{'torch':>10}{'tf':>10}"
          f"{'swift/torch':>20}{'swift/tf':>20}{'swift GFLOP/s':>15}")
    for threads in ["1", "2"]:
        for batch in ["32", "128"]:
            figures = {}
            for name in ["swift", "torch", "tf"]:
                row = find(rows, workload="fashion", framework=name, threads=threads,
                           batch=batch, epochs=1)
                figures[name] = row
            s = figures["swift"]
            if not s:
                continue

            def rate(name):
                return float(figures[name]["samples_per_s"]) if figures[name] else None

            def ratio(name):
                if not figures[name]:
                    return "-"
                cpu = float(figures[name]["cpu_seconds"]) / float(s["cpu_seconds"])
                return f"{rate('swift') / rate(name):.2f}x ({cpu:.2f}x)"

            print(f"{threads:<8}{batch:>6}{rate('swift'):>10.0f}"
                  f"{(rate('torch') or 0):>10.0f}{(rate('tf') or 0):>10.0f}"
                  f"{ratio('torch'):>20}{ratio('tf'):>20}{s['gflops']:>15}")

    print("\n== Accuracy after 5 epochs (batch 128, momentum 0.9, 1 thread)")
    for name in ["swift", "torch"]:
        row = find(rows, workload="fashion", framework=name, epochs=5)
        if row:
            print(f"{name:<10} test accuracy {row['test_accuracy']} %  "
                  f"train loss {row['train_loss']}  {row['samples_per_s']} samples/s")

    streams = [r for r in rows if r["workload"] == "stream"]
    if streams:
        print("\n== 4. Split Fashion-MNIST stream, issue-16 protocol (5 tasks, 1 epoch, batch 32,"
              " SGD 0.01 momentum 0.9, all images), 1 thread, CPU seconds")
        print("(track: `track run` as a user runs it, whole process with tracking; torch: the"
              " plain-PyTorch stream, without its start-up)")
        for strategy in ["naive", "replay500"]:
            ours = find(rows, workload="stream", framework="track", strategy=strategy)
            theirs = find(rows, workload="stream", framework="torch", strategy=strategy)
            if not ours:
                continue
            line = (f"{strategy:<10} track {ours['cpu_seconds']} s cpu ({ours['seconds']} s wall),"
                    f" ACC {float(ours['acc']):.3f}")
            if theirs:
                ratio = float(theirs["cpu_seconds"]) / float(ours["cpu_seconds"])
                line += (f"; torch {theirs['cpu_seconds']} s cpu, ACC {float(theirs['acc']):.3f}"
                         f"; torch/track {ratio:.2f}x")
            print(line + f"   runs: {ours['runs']}")

    cnns = [r for r in rows if r["workload"] == "cnn"]
    if cnns:
        print("\n== 5. CNN conv32-pool-conv64-pool-dense128-10, batch 64, SGD 0.01 momentum 0.9,"
              " Fashion-MNIST, 1 thread")
        print("(track: the whole `track run`, test evaluations included; torch: its training"
              " loop only)")
        for epochs in ["1", "5"]:
            ours = find(rows, workload="cnn", framework="track", epochs=epochs)
            theirs = find(rows, workload="cnn", framework="torch", epochs=epochs)
            if not ours:
                continue
            rate = 60000 * int(epochs) / float(ours["seconds"])
            line = (f"{epochs} epoch(s): track {ours['cpu_seconds']} s cpu, {rate:.0f} samples/s"
                    f" (whole process), test accuracy {float(ours['acc']) * 100:.2f} %")
            if theirs:
                line += (f"; torch {theirs['samples_per_s']} samples/s, test accuracy"
                         f" {theirs['test_accuracy']} %; track/torch"
                         f" {rate / float(theirs['samples_per_s']):.2f}x")
            print(line)

    print(f"\n== 3. Training-step GFLOP/s vs peak {PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s per core")
    for row in rows:
        if row.get("framework") != "swift" or "gflops" not in row:
            continue
        cores = int(row.get("threads", "1"))
        share = float(row["gflops"]) / (PEAK_GFLOPS_PER_CORE * cores) * 100
        label = f"{row['workload']} batch={row.get('batch', '10000')} threads={cores}"
        if row.get("epochs") == "5":
            label += " (5 epochs)"
        on_cpu = float(row["gflops"]) * float(row["seconds"]) / float(row["cpu_seconds"])
        cpu_share = on_cpu / (PEAK_GFLOPS_PER_CORE * cores) * 100
        print(f"{label:<40}{row['gflops']:>7} GFLOP/s wall ({share:4.1f} %), "
              f"{on_cpu:6.2f} per CPU second ({cpu_share:4.1f} %); "
              f"heap growth in the loop {row.get('heap_growth_bytes')} B")


if __name__ == "__main__":
    main()
