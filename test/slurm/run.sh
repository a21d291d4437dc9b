#!/usr/bin/env bash
# End-to-end test of `deep-svdd sweep --emit slurm` on a real one-node Slurm cluster started in a temp folder:
#   1. installs slurm-wlm and munge with apt-get (skipped if sbatch exists; needs root, as CI runs),
#   2. starts munged, slurmctld and slurmd with their keys, config, state and logs in a temp folder
#      (a single-host slurm.conf with SlurmUser and StateSaveLocation in the temp folder; nothing under /etc is changed),
#   3. emits and submits a tiny sweep (2 classes x 1 seed, tiny settings) with sbatch and waits (bounded),
#   4. checks both results.json say finished, that `deep-svdd report` works, and that a resubmission skips them,
#   5. always stops the daemons it started (by their pids) and removes the temp folder (KEEP_SLURM_TMP=1 keeps it).
# The last line is `slurm: N passed, M failed`; the exit status is non-zero if anything failed.
# Environment: SLURM_TEST_TIMEOUT (seconds to wait for the job, default 600).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
cli="$root/dist/src/cli/main.js"
timeout_s=${SLURM_TEST_TIMEOUT:-600}
passed=0
failed=0
T=$(mktemp -d /tmp/deep-svdd-slurm.XXXXXX)
chmod 755 "$T"
jobs_submitted=()

ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
log() { echo "# $*"; }

show_logs() {
  for f in "$T"/munge/munged.log "$T"/state/slurmctld.log "$T"/state/slurmd.log "$T"/sweep/slurm/*.out; do
    [ -f "$f" ] || continue
    echo "----- $f (last 25 lines)"
    tail -n 25 "$f"
  done
}

stop_pid() { # stop_pid NAME PIDFILE: TERM, wait up to 10 s, then KILL
  local name=$1 file=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { log "stopped $name (pid $pid)"; return 0; }; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null && log "killed $name (pid $pid)"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${#jobs_submitted[@]}" -gt 0 ] && command -v scancel >/dev/null 2>&1; then
    scancel "${jobs_submitted[@]}" >/dev/null 2>&1 || true
    sleep 1
  fi
  stop_pid slurmd "$T/state/slurmd.pid"
  stop_pid slurmctld "$T/state/slurmctld.pid"
  stop_pid munged "$T/munge/munged.pid"
  if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then show_logs; fi
  if [ -n "${KEEP_SLURM_TMP:-}" ]; then log "kept $T"; else rm -rf "$T"; fi
  [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "slurm: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}
trap cleanup EXIT
trap 'bad "interrupted"; exit 1' INT TERM

fatal() { bad "$*"; exit 1; }

# ---- 1. install
if ! command -v sbatch >/dev/null 2>&1 || ! [ -x /usr/sbin/slurmctld ] || ! [ -x /usr/sbin/munged ]; then
  [ "$(id -u)" -eq 0 ] || fatal "sbatch is missing and installing slurm-wlm and munge needs root (run as root, or install them)"
  log "installing slurm-wlm and munge with apt-get"
  if apt-get update -qq >"$T/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >>"$T/apt.log" 2>&1; then
    ok "apt-get install slurm-wlm munge"
  else
    tail -n 20 "$T/apt.log"
    fatal "apt-get install slurm-wlm munge"
  fi
fi
[ "$(id -u)" -eq 0 ] || fatal "the one-node cluster runs its daemons as root: run this test as root"
if [ ! -f "$cli" ]; then
  log "building the CLI (npm run build)"
  npm run build >/dev/null || fatal "npm run build"
fi

# ---- 2. one-node cluster in $T
mkdir -p "$T/munge" "$T/state/state" "$T/state/spool" "$T/sweep"
chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
socket="$T/munge/munge.socket"
/usr/sbin/munged --force --socket="$socket" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" >"$T/munge/start.log" 2>&1 \
  || { cat "$T/munge/start.log"; fatal "start munged"; }
if munge --socket="$socket" -n 2>/dev/null | unmunge --socket="$socket" 2>/dev/null | grep -q 'STATUS:.*Success'; then
  ok "munged runs (munge -n | unmunge: Success)"
else
  fatal "munge -n | unmunge did not print STATUS: Success"
fi

host=$(hostname -s)
cat >"$T/slurm.conf" <<EOF
ClusterName=deepsvddtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$T/state/state
SlurmdSpoolDir=$T/state/spool
SlurmctldPidFile=$T/state/slurmctld.pid
SlurmdPidFile=$T/state/slurmd.pid
SlurmctldLogFile=$T/state/slurmctld.log
SlurmdLogFile=$T/state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$T/slurm.conf"
log "$(sbatch --version)"
/usr/sbin/slurmctld -f "$SLURM_CONF" >"$T/state/slurmctld.start" 2>&1 || { cat "$T/state/slurmctld.start"; fatal "start slurmctld"; }
/usr/sbin/slurmd -f "$SLURM_CONF" >"$T/state/slurmd.start" 2>&1 || { cat "$T/state/slurmd.start"; fatal "start slurmd"; }
state=""
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)
  case "$state" in idle*|mixed*|allocated*) break ;; esac
  sleep 1
done
case "$state" in
  idle*|mixed*|allocated*) ok "slurmctld and slurmd up: node $host is $state" ;;
  *) fatal "the node did not become idle within 60 s (state: '${state:-none}')" ;;
esac

# ---- 3. emit and submit a tiny sweep
tiny=(--n-train 200 --n-test 100 --n-epochs 1 --ae-n-epochs 1 --batch-size 100)
if node "$cli" sweep --emit slurm --classes 0,1 --seeds 1 --xp-dir "$T/sweep" "${tiny[@]}" >"$T/emit.out" 2>&1 \
  && grep -q '^#SBATCH --array=0-1$' "$T/sweep/sweep.sbatch" && bash -n "$T/sweep/sweep.sbatch"; then
  ok "deep-svdd sweep --emit slurm wrote sweep.sbatch (array 0-1)"
  sed 's/^/#   /' "$T/emit.out"
else
  cat "$T/emit.out"
  fatal "deep-svdd sweep --emit slurm"
fi

wait_job() { # wait_job JOBID SECONDS: until the job has left the queue
  local id=$1 limit=$2 t0=$SECONDS
  while [ $((SECONDS - t0)) -lt "$limit" ]; do
    [ -z "$(squeue -h -j "$id" -o '%i' 2>/dev/null)" ] && return 0
    sleep 2
  done
  return 1
}

jobid=$(sbatch --parsable "$T/sweep/sweep.sbatch" 2>"$T/sbatch.err") || { cat "$T/sbatch.err"; fatal "sbatch"; }
jobid=${jobid%%;*}
jobs_submitted+=("$jobid")
ok "sbatch accepted job $jobid"
t0=$SECONDS
if wait_job "$jobid" "$timeout_s"; then
  ok "job $jobid left the queue after $((SECONDS - t0)) s"
else
  squeue
  fatal "job $jobid still queued or running after $timeout_s s"
fi

# ---- 4. results, report, resubmission
for c in 0 1; do
  f="$T/sweep/${c}vsall/seed_1/results.json"
  if grep -qs '"status": "finished"' "$f"; then
    ok "${c}vsall/seed_1 finished: $(grep -o '"test_auc": [0-9.e-]*' "$f" | head -n 1)"
  else
    bad "${c}vsall/seed_1 not finished ($(grep -o '"status": "[a-z]*"' "$f" 2>/dev/null || echo 'no results.json'))"
  fi
done

if node "$cli" report "$T/sweep" >"$T/report.out" 2>&1 && [ -s "$T/sweep/summary.csv" ] \
  && grep -q '^| 1 | 1 | 1 |' "$T/sweep/summary.md" && grep -q 'data:image/png;base64,' "$T/sweep/report.html"; then
  ok "deep-svdd report wrote summary.csv, summary.md (2 classes) and report.html"
  grep '^| ' "$T/sweep/summary.md" | sed 's/^/#   /'
else
  cat "$T/report.out"
  bad "deep-svdd report"
fi

jobid2=$(sbatch --parsable "$T/sweep/sweep.sbatch" 2>"$T/sbatch.err") || { cat "$T/sbatch.err"; fatal "second sbatch"; }
jobid2=${jobid2%%;*}
jobs_submitted+=("$jobid2")
if wait_job "$jobid2" 120 && [ "$(cat "$T/sweep/slurm/${jobid2}"_*.out 2>/dev/null | grep -c 'is finished: skipped')" -eq 2 ]; then
  ok "resubmitting skips both finished runs"
else
  bad "resubmission did not skip the finished runs"
fi
