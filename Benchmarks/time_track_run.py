"""Times one `track run SPEC` as a user runs it (tracking included) and prints one line of
key=value figures like NumericsBenchmarks (Benchmarks/numerics.sh).

usage: time_track_run.py WORKLOAD TRACK SPEC [--set KEY=VALUE ...] [+LABEL=VALUE ...]
Wall and CPU seconds are the whole process's (start-up, reading or generating the data, the
SQLite file), CPU from the child's rusage; the final loss is the run's last train_loss, acc
the run's ACC. `+label=value` arguments are copied into the line (e.g. +strategy=naive).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def main():
    workload, track, spec, *rest = sys.argv[1:]
    labels = " ".join(a[1:] for a in rest if a.startswith("+"))
    extra = [a for a in rest if not a.startswith("+")]
    with tempfile.TemporaryDirectory() as directory:
        db = os.path.join(directory, "bench.db")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = subprocess.run([track, "run", spec, "--db", db, *extra],
                             capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            sys.exit(f"track run failed:\n{run.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        header = [line for line in run.stderr.splitlines() if line.startswith("cpu: ")]
        points = json.loads(subprocess.run(
            [track, "metrics", "latest", "--key", "train_loss", "--format", "json", "--db", db],
            capture_output=True, text=True, check=True).stdout)["points"]
        summary = json.loads(subprocess.run(
            [track, "show", "latest", "--format", "json", "--db", db],
            capture_output=True, text=True, check=True).stdout).get("summary") or {}
    machine = header[0].replace('"', "'") if header else ""
    acc = summary.get("acc")
    print(f"workload={workload} framework=track threads=1 {labels} seconds={seconds:.4f} "
          f"cpu_seconds={cpu:.4f} final_loss={points[-1]['value']:.6f} "
          f"acc={acc if acc is not None else 'nan'} "
          f"loss_points={len(points)} header=\"{machine}\"")


if __name__ == "__main__":
    main()
