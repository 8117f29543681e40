#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, for solo's tests and for users who want to try the
# Slurm paths (`solo prepare --slurm`, `solo ingest --slurm`, `solo train --launcher slurm`) locally.
#
#   scripts/local-slurm.sh start    install (Debian: slurm-wlm, munge) if missing, write a slurm.conf
#                                   for this machine (one node, its CPUs and memory), start munged,
#                                   slurmctld and slurmd, wait until `sinfo` shows the node idle
#   scripts/local-slurm.sh stop     stop the daemons
#   scripts/local-slurm.sh status   print sinfo/squeue, exit 0 when the node is up
#
# Needs root (it installs packages and runs the daemons as root). State lives in $SOLO_SLURM_HOME
# (default /var/tmp/solo-slurm). No accounting database: solo reads job state from squeue and from
# the per-task exit files its array scripts write, so sacct is optional.
set -euo pipefail

HOME_DIR="${SOLO_SLURM_HOME:-/var/tmp/solo-slurm}"
CONF_DIR=/etc/slurm
NODE="$(hostname -s)"

need_install() {
  command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && return 1
  return 0
}

install() {
  if need_install; then
    echo "local-slurm: installing slurm-wlm and munge" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  fi
}

write_conf() {
  local cpus mem_mb
  cpus="$(nproc)"
  mem_mb="$(awk '/MemTotal/ {printf "%d", $2/1024*0.9}' /proc/meminfo)"
  mkdir -p "$CONF_DIR" "$HOME_DIR"/{spool,state,log}
  cat >"$CONF_DIR/slurm.conf" <<CONF
# Written by solo scripts/local-slurm.sh
ClusterName=solo-local
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=${HOME_DIR}/state
SlurmdSpoolDir=${HOME_DIR}/spool
SlurmctldPidFile=${HOME_DIR}/slurmctld.pid
SlurmdPidFile=${HOME_DIR}/slurmd.pid
SlurmctldLogFile=${HOME_DIR}/log/slurmctld.log
SlurmdLogFile=${HOME_DIR}/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
MaxArraySize=10001
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  # No cgroup.conf: proctrack/linuxproc + task/none need no cgroups (containers often have none).
  rm -f "$CONF_DIR/cgroup.conf"
}

start_munge() {
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    [ -s /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    chmod 0400 /etc/munge/munge.key
    if id munge >/dev/null 2>&1; then
      su -s /bin/sh munge -c munged 2>/dev/null || munged --force
    else
      munged --force
    fi
  fi
}

wait_idle() {
  local deadline=$((SECONDS + ${SOLO_SLURM_START_TIMEOUT:-60}))
  while ((SECONDS < deadline)); do
    local state
    state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n1 || true)"
    case "$state" in
      idle*|mixed*|allocated*) echo "local-slurm: node ${NODE} is ${state}" >&2; return 0 ;;
      down*|drain*) scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "local-slurm: node did not become idle; logs in ${HOME_DIR}/log" >&2
  tail -n 20 "${HOME_DIR}/log/slurmctld.log" "${HOME_DIR}/log/slurmd.log" >&2 || true
  return 1
}

start() {
  install
  write_conf
  start_munge
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  wait_idle
}

stop() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  for _ in $(seq 1 20); do
    pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || break
    sleep 0.5
  done
  echo "local-slurm: stopped" >&2
}

status() {
  sinfo && squeue
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
