#!/usr/bin/env bash
# The whole test suite from a fresh machine: reference fixtures (installs Debian's
# python3-torchvision when missing), then every module's tests with Maven.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export OPT_OUT_TRACKING=true
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX}
bash scripts/make-fixtures.sh
mvn -B ${RETINANET_MAVEN_OPTS:-} verify "$@"
