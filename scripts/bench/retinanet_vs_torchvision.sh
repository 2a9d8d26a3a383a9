#!/usr/bin/env bash
# Our `retinanet bench` against torchvision 0.14's RetinaNet on the same machine, in one run:
# ResNet-50-FPN and ResNet-18-FPN, training step and inference, same image size, batch, thread
# count and synthetic inputs; prints the ratio ours/torchvision (lower is better for us).
#
#   scripts/bench/retinanet_vs_torchvision.sh [results dir]
#
# Environment (defaults): SIZE (512), BATCH (2), STEPS (5), WARMUP (2), THREADS (nproc), DEPTHS
# ("50 18"), MODES ("train infer"), PRIOR (0.1: the classification prior of both models, so that
# inference post-processes ~1000 candidates per level as a trained model does; 0.01 leaves almost
# nothing to post-process), BENCH_BUILD_DIR (target-bench).
# Each side runs the way its users run it: torchvision on Debian's /usr/bin/python3
# (python3-torchvision 0.14, torch 1.13) with torch's defaults (no oneDNN cap, no THP switch: the
# script removes both from its environment); ours as ./retinanet runs it (THP_MEM_ALLOC_ENABLE=1,
# convolutions checked at start-up, no oneDNN cap unless OURS_ONEDNN_MAX_CPU_ISA asks for one).
# Both get THREADS intra-op threads. The two sides run alternately, torchvision first, so load
# from other processes hits both; the output ends with both sides' settings.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/retinanet-vs-torchvision}
build=${BENCH_BUILD_DIR:-target-bench}
size=${SIZE:-512}; batch=${BATCH:-2}; steps=${STEPS:-5}; warmup=${WARMUP:-2}
threads=${THREADS:-$(nproc)}; prior=${PRIOR:-0.1}
export OPT_OUT_TRACKING=true
unset ONEDNN_MAX_CPU_ISA THP_MEM_ALLOC_ENABLE
ours_env=(THP_MEM_ALLOC_ENABLE=1)
[ -n "${OURS_ONEDNN_MAX_CPU_ISA:-}" ] && ours_env+=(ONEDNN_MAX_CPU_ISA="$OURS_ONEDNN_MAX_CPU_ISA")
mkdir -p "$out"

cd "$root"
jar="experiments/$build/retinanet.jar"
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -type f -print -quit)" ]; then
  echo "building $jar ..." >&2
  mvn -o -q -DbuildDir="$build" -pl experiments -am package -Dmaven.test.skip=true >&2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for depth in ${DEPTHS:-50 18}; do
  for mode in ${MODES:-train infer}; do
    key="r${depth}_${mode}"
    echo "== R-$depth $mode: torchvision ..." >&2
    /usr/bin/python3 scripts/bench/retinanet_vs_torchvision.py --depth "$depth" --mode "$mode" --size "$size" \
      --batch "$batch" --steps "$steps" --warmup "$warmup" --threads "$threads" --prior "$prior" --json > "$out/tv_$key.json"
    echo "== R-$depth $mode: ours ..." >&2
    env "${ours_env[@]}" java ${RETINANET_JAVA_OPTS:--Xms512m -Xmx8g -XX:+UseParallelGC -XX:+AlwaysPreTouch} -Dai.djl.offline=true -jar "$jar" bench --config torchvision_retinanet_resnet50_fpn \
      --set model.backbone.depth="$depth" --set model.head.priorProb="$prior" --mode "$mode" --size "$size" \
      --batch "$batch" --steps "$steps" --warmup "$warmup" --threads "$threads" --json > "$out/ours_$key.json"
  done
done
/usr/bin/python3 scripts/bench/retinanet_vs_torchvision.py compare "$out"
echo "settings: torchvision: /usr/bin/python3, torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), defaults, $threads threads;" \
  "ours: $(java -version 2>&1 | head -1), ${ours_env[*]}, ${RETINANET_JAVA_OPTS:--Xms512m -Xmx8g -XX:+UseParallelGC -XX:+AlwaysPreTouch}, $threads threads;" \
  "both: ${size}x${size}, batch $batch, prior $prior, $warmup warmup + $steps timed steps, $(date -I)"
