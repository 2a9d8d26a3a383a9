#!/usr/bin/env bash
# JMH microbenchmarks of the host-side hot paths (experiments/src/test/java/org/retinanet/experiments/bench/jmh):
# class-wise NMS (heads' BatchedNms), the IoU matrix of target assignment (heads' BoxOverlaps),
# whole post-processing through DenseHead.detect, and COCO evaluation through the registry's
# `coco` evaluator on a synthetic 500-image problem.
#
#   scripts/bench/jmh.sh                       # all, short settings (1 fork, 2x2 s warmup, 5x2 s measured)
#   scripts/bench/jmh.sh Nms -p candidates=5000 -f 1 -wi 1 -i 3    # JMH's own options
#
# Builds the shaded jar and the test classes (tests are compiled, not run) into BENCH_BUILD_DIR
# (target-bench); the benchmarks run on the jar's class path with the test classes in front, with
# THREADS (1) engine intra-op threads.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD_DIR:-target-bench}
export OPT_OUT_TRACKING=true
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX}
export THP_MEM_ALLOC_ENABLE=${THP_MEM_ALLOC_ENABLE:-1}
cd "$root"
mvn -o -q -DbuildDir="$build" -pl experiments -am package -DskipTests >&2
exec java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=${THREADS:-1} -cp "experiments/$build/test-classes:experiments/$build/retinanet.jar" \
  org.retinanet.experiments.bench.jmh.JmhMain "$@"
