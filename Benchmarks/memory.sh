#!/bin/sh
# Peak RSS per example scenario (Benchmarks/README.md, "Memory").
# Usage: Benchmarks/memory.sh .build/release/track LABEL   (from the repository root;
# needs dataset-fashion-mnist and Examples/fetch-prices.sh)
bin=$1; label=$2
out=/tmp/measure-$label; mkdir -p $out
run() {
  name=$1; shift
  rm -f /tmp/m-$label-$name.db*
  /usr/bin/time -v "$bin" run "$@" --db /tmp/m-$label-$name.db --set training.threads=1 \
    > $out/$name.out 2> $out/$name.err
  rss=$(grep "Maximum resident" $out/$name.err | awk '{print $NF}')
  wall=$(grep "Elapsed (wall" $out/$name.err | awk '{print $NF}')
  echo "$name rss_kb=$rss wall=$wall rc=$(grep 'Exit status' $out/$name.err | awk '{print $NF}')"
}
run class-incremental Examples/split-fashion-mnist-naive.yaml
run task-incremental Examples/scenario-task-incremental.yaml
run permuted Examples/scenario-permuted.yaml
run permuted-16x1500 Examples/scenario-permuted.yaml --set scenario.tasks=16 --set data.train_limit=1500
run permuted-24x1500 Examples/scenario-permuted.yaml --set scenario.tasks=24 --set data.train_limit=1500
run rotated Examples/scenario-rotated.yaml
run csv-tasks Examples/scenario-tasks-csv.yaml
run time-windows Examples/scenario-time-windows.yaml
run synthetic-smoke Examples/synthetic-smoke.yaml
