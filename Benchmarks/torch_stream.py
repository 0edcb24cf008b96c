"""Runs one plain-PyTorch Split Fashion-MNIST stream (reference.py) and prints it as one
line of key=value figures for numerics_compare.py (Benchmarks/numerics.sh, section 4).

usage: torch_stream.py LABEL reference.py-arguments...
Seconds and CPU seconds are reference.py's own: the stream, without Python's start-up.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    label, *arguments = sys.argv[1:]
    out = subprocess.run([sys.executable, os.path.join(HERE, "reference.py"), *arguments],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"workload=stream framework=torch threads=1 strategy={label} "
          f"seconds={r['seconds']:.4f} cpu_seconds={r['cpu_seconds']:.4f} acc={r['acc']}")


if __name__ == "__main__":
    main()
