#!/usr/bin/env bash
# The whole test suite from a fresh machine: reference fixtures (installs Debian's
# python3-torchvision when missing), a single-node Slurm cluster on localhost for the Slurm
# executor's integration tests (installs slurm-wlm and munge when missing; torn down afterwards
# unless it was already up), then every module's tests with Maven.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export OPT_OUT_TRACKING=true
bash scripts/make-fixtures.sh

slurm_note=""
started_slurm=0
if bash scripts/slurm/local-cluster.sh status >/dev/null 2>&1; then
  echo "slurm: a cluster is already up; the integration tests use it"
  export RETINANET_SLURM_REQUIRED=1
elif out=$(bash scripts/slurm/local-cluster.sh up 2>&1); then
  echo "$out"
  started_slurm=1
  export RETINANET_SLURM_REQUIRED=1
else
  # without root or apt there is no cluster: say so plainly, before and after the tests
  slurm_note="Slurm integration tests NOT run: $(echo "$out" | tail -n 1)"
  echo "*** $slurm_note ***"
fi
finish() {
  if [ "$started_slurm" = 1 ]; then bash scripts/slurm/local-cluster.sh down >/dev/null 2>&1 || true; fi
  if [ -n "$slurm_note" ]; then echo "*** $slurm_note ***"; fi
}
trap finish EXIT

mvn -B ${RETINANET_MAVEN_OPTS:-} verify "$@"
