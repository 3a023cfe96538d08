#!/usr/bin/env bash
# A real single-node Slurm on this machine, for the Slurm executor's tests (see docs/cluster.md):
#   bash scripts/slurm-local.sh start   installs Debian's slurmctld, slurmd, slurm-client and munge if missing, writes
#                                       a one-node slurm.conf, starts munged, slurmctld and slurmd, waits for the node
#   bash scripts/slurm-local.sh stop    stops the daemons this script started, by the pids it recorded
# Needs root (or sudo). State lives in /var/lib/datadiet-slurm; pids in /run/datadiet-slurm.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
STATE=/var/lib/datadiet-slurm
PIDS=/run/datadiet-slurm
cmd=${1:-start}

stop() {
  for name in slurmd slurmctld munged; do
    f="$PIDS/$name.pid"
    if [ -f "$f" ]; then
      pid=$(cat "$f")
      $SUDO kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      $SUDO rm -f "$f"
    fi
  done
  echo "slurm-local: stopped"
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm-local: apt-get install slurmctld slurmd slurm-client munge"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/tmp/datadiet-slurm-apt.log 2>&1 ||
    { tail -20 /tmp/datadiet-slurm-apt.log >&2; exit 1; }
fi

# Already up (a previous start in this boot): nothing to do.
if [ -f "$PIDS/slurmctld.pid" ] && kill -0 "$(cat "$PIDS/slurmctld.pid")" 2>/dev/null && sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mix|alloc'; then
  echo "slurm-local: already running"; exit 0
fi

host=$(hostname -s)
cpus=$(nproc)
# Leave the OS some memory: Slurm refuses a node whose RealMemory exceeds what it finds.
mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 8 / 10 ))
$SUDO mkdir -p "$STATE/ctld" "$STATE/d" "$PIDS" /etc/slurm /run/munge /var/log/datadiet-slurm
$SUDO chown munge:munge /run/munge 2>/dev/null || true
if [ ! -f /etc/munge/munge.key ]; then $SUDO mungekey --create 2>/dev/null || $SUDO /usr/sbin/create-munge-key -f; fi
$SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Written by Data Diet's scripts/slurm-local.sh: a one-node cluster for tests.
ClusterName=datadiet
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$PIDS/slurmctld.pid
SlurmdPidFile=$PIDS/slurmd.pid
SlurmctldLogFile=/var/log/datadiet-slurm/slurmctld.log
SlurmdLogFile=/var/log/datadiet-slurm/slurmd.log
ReturnToService=2
MinJobAge=600
SchedulerParameters=sched_interval=1
MessageTimeout=30
# Without a default, a job asking no memory is given the whole node and jobs run one at a time.
DefMemPerCPU=$(( mem / cpus ))
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# A munged that answers is used as it is (and left running at stop); one started here is stopped by its pid.
if ! munge -n >/dev/null 2>&1; then
  if [ -z "$SUDO" ]; then runuser -u munge -- /usr/sbin/munged; else sudo -u munge /usr/sbin/munged; fi
  pgrep -n -x munged | $SUDO tee "$PIDS/munged.pid" >/dev/null
fi
munge -n | unmunge >/dev/null
$SUDO slurmctld
$SUDO slurmd
for _ in $(seq 1 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then echo "slurm-local: node $host up ($cpus CPUs, ${mem} MB)"; exit 0; fi
  sleep 0.5
done
echo "slurm-local: the node did not come up; last lines of the logs:" >&2
tail -5 /var/log/datadiet-slurm/slurmctld.log /var/log/datadiet-slurm/slurmd.log >&2 || true
exit 1
