#!/usr/bin/env bash
# Benchmark of the `coco` evaluator against pycocotools on a COCO-val-sized bbox problem
# (5,000 images, 80 categories, ~36k annotations, 100 detections per image). Not a test: it needs
# a pycocotools build, which CI does not have.
#
#   PYCOCOTOOLS_PATH=/tmp/cocoapi/PythonAPI scripts/bench/coco_eval_bench.sh [work dir]
#
# pycocotools: fetch github:cocodataset/cocoapi, copy PythonAPI + common outside the repository,
# replace `np.float)` by `float)` in PythonAPI/pycocotools/cocoeval.py (numpy >= 1.24), then
# `apt-get install cython3 python3-dev && cd PythonAPI && /usr/bin/python3 setup.py build_ext --inplace`.
# Prints both times, the ratio, and checks that the 12 numbers agree.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/coco-eval-bench}
build=${BENCH_BUILD_DIR:-target-bench}
py=/usr/bin/python3
: "${PYCOCOTOOLS_PATH:?set PYCOCOTOOLS_PATH to a built cocoapi PythonAPI directory}"
export PYCOCOTOOLS_PATH

cd "$root"
[ -f "$work/gt.json" ] && [ -f "$work/dets.json" ] || "$py" scripts/bench/coco_eval_bench.py generate "$work"
OMP_NUM_THREADS=1 "$py" scripts/bench/coco_eval_bench.py pycocotools "$work"

mvn -o -q -DbuildDir="$build" -pl datasets -am test-compile
jackson=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' pom.xml)
m2=${M2_REPO:-$HOME/.m2/repository}/com/fasterxml/jackson/core
cp="datasets/$build/test-classes:datasets/$build/classes:platform-api/$build/classes"
for a in jackson-core jackson-databind jackson-annotations; do cp="$cp:$m2/$a/$jackson/$a-$jackson.jar"; done
java -Xmx2g -cp "$cp" org.retinanet.datasets.eval.CocoEvalBench "$work/gt.json" "$work/dets.json" "$work/java.json"

"$py" scripts/bench/coco_eval_bench.py compare "$work"
