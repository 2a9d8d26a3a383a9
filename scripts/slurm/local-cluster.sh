#!/usr/bin/env bash
# Single-node Slurm cluster on localhost for integration tests (Debian 12, root, no systemd/cgroups).
#   up      install slurm-wlm + munge with apt-get if missing (else one line "slurm: not available:
#           ..." and exit 3), start munged, slurmctld, slurmd, wait <= 60 s for the node to be idle.
#           Does nothing when the cluster is already healthy.
#   down    cancel jobs, stop slurmd, slurmctld (and munged if we started it), remove all state.
#   status  print sinfo; exit 0 when the node is idle/mix/alloc, 1 otherwise.
# Everything (config, state, spool, logs, pid files) lives in /tmp/retinanet-slurm.  The config is
# /tmp/retinanet-slurm/slurm.conf and /etc/slurm/slurm.conf is a symlink to it: the client tools
# read /etc/slurm/slurm.conf by default, so sbatch/squeue/scontrol work from any process (e.g. a
# JVM's ProcessBuilder) without SLURM_CONF.  A pre-existing real /etc/slurm/slurm.conf is moved to
# slurm.conf.retinanet-orig and restored by `down`.  Memory is only a scheduling quantity here (no
# cgroups): DefMemPerCPU = RealMemory/CPUs lets 1-CPU jobs run side by side.
# Observed behaviour (arrays, requeue, signals): scripts/slurm/NOTES.md.
set -euo pipefail

DIR=/tmp/retinanet-slurm
CONF=$DIR/slurm.conf
ETC=/etc/slurm/slurm.conf
export PATH=$PATH:/usr/sbin:/sbin

die3() { echo "slurm: not available: $*"; exit 3; }

# 0 when the controller answers and the node can take jobs.
healthy() {
  local st
  st=$(timeout 15 sinfo -h -o %t 2>/dev/null | head -n1) || return 1
  [[ $st =~ ^(idle|mix|alloc|comp)$ ]]
}

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop the daemon whose pid is in $1: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local f=$1 pid i
  alive "$f" || { rm -f "$f"; return 0; }
  pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true; rm -f "$f"
}

ensure_packages() {
  local missing=() t
  for t in sbatch slurmctld slurmd munged; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die3 "${missing[*]} missing and not root"
  command -v apt-get >/dev/null || die3 "${missing[*]} missing and no apt-get"
  local pkgs=(slurm-wlm munge) log=/tmp/retinanet-slurm-apt.log
  export DEBIAN_FRONTEND=noninteractive
  # Try with the existing package lists first; refresh them only if that fails.
  apt-get install -y --no-install-recommends "${pkgs[@]}" >"$log" 2>&1 ||
    { apt-get update >>"$log" 2>&1 && apt-get install -y --no-install-recommends "${pkgs[@]}" >>"$log" 2>&1; } ||
    die3 "apt-get install ${pkgs[*]} failed (see $log)"
  for t in sbatch slurmctld slurmd munged; do command -v "$t" >/dev/null || die3 "$t missing after install"; done
}

start_munge() {
  local key=/etc/munge/munge.key
  if [[ ! -s $key ]]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=$key bs=1024 count=1 status=none
  fi
  chown munge:munge $key; chmod 400 $key
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0   # already running
  # No systemd/tmpfiles here: create the runtime dirs munged expects.
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- munged --force
  cp /run/munge/munged.pid $DIR/munged.pid    # marker: `down` stops only a munged we started
  for _ in $(seq 25); do munge -n | unmunge >/dev/null 2>&1 && return 0; sleep 0.2; done
  die3 "munged does not answer (see /var/log/munge/munged.log)"
}

write_conf() {
  local cpus mem; cpus=$(nproc)
  # RealMemory below the memory available now (MB), so slurmd never drains the node for it.
  mem=$(awk '/MemAvailable/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  mkdir -p $DIR/state $DIR/spool $DIR/log
  cat >$CONF <<EOF
# Written by scripts/slurm/local-cluster.sh
ClusterName=retinanet
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / cpus))
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Requeue allowed (--requeue / scontrol requeue); finished jobs stay visible for 300 s.
JobRequeue=1
MinJobAge=300
# Grace between SIGTERM and SIGKILL: time for a JVM to write its checkpoint.
KillWait=30
# A requeued job gets BeginTime = requeue + cred_expire + 1 s (default 120 -> 121 s wait);
# 10 s makes it eligible after ~11 s, and the main scheduler pass every 2 s (default 60) starts it.
AuthInfo=cred_expire=10
SchedulerParameters=sched_interval=2
# A node that went down comes back by itself when slurmd registers again.
ReturnToService=2
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  mkdir -p /etc/slurm
  if [[ -e $ETC && ! -L $ETC ]]; then mv $ETC $ETC.retinanet-orig; fi
  ln -sfn $CONF $ETC
}

up() {
  ensure_packages
  if healthy; then echo "slurm: up (already running; $(sinfo -h -o '%P %D %t %c CPUs %m MB'))"; return 0; fi
  [[ $(id -u) == 0 ]] || die3 "the daemons run as root here; run this as root"
  local t0=$SECONDS
  mkdir -p $DIR
  start_munge
  alive $DIR/slurmctld.pid || { write_conf; slurmctld; }
  alive $DIR/slurmd.pid || slurmd
  local st=""
  for _ in $(seq 120); do
    st=$(timeout 10 sinfo -h -o %t 2>/dev/null | head -n1) || st=""
    case $st in
      idle|mix|alloc|comp) echo "slurm: up ($(sinfo -h -o '%P %D %t %c CPUs %m MB'), ready in $((SECONDS - t0)) s, conf $ETC -> $CONF)"; return 0 ;;
      down*|drain*|drng*|fail*) scontrol update NodeName=localhost State=RESUME 2>/dev/null || true ;;
    esac
    sleep 0.5
  done
  echo "slurm: not up after 60 s (node state '${st}'; logs in $DIR/log)" >&2; exit 1
}

down() {
  if command -v squeue >/dev/null && alive $DIR/slurmctld.pid; then
    timeout 10 squeue -h -o %A 2>/dev/null | xargs -r scancel 2>/dev/null || true
    for _ in $(seq 20); do [[ -z $(timeout 5 squeue -h 2>/dev/null) ]] && break; sleep 0.5; done
  fi
  stop_pid $DIR/slurmd.pid
  stop_pid $DIR/slurmctld.pid
  stop_pid $DIR/munged.pid   # only present when this script started munged
  [[ -L $ETC && $(readlink $ETC) == "$CONF" ]] && rm -f $ETC
  [[ -e $ETC.retinanet-orig && ! -e $ETC ]] && mv $ETC.retinanet-orig $ETC
  rm -rf $DIR
  echo "slurm: down"
}

status() {
  command -v sinfo >/dev/null || { echo "slurm: not installed"; return 1; }
  [[ -e $ETC ]] || { echo "slurm: down (no $ETC)"; return 1; }
  timeout 15 sinfo || true
  healthy
}

case ${1:-} in
  up|down|status) "$1" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
