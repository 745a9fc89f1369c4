#!/usr/bin/env bash
# A sweep of initbench on a real Slurm scheduler started on this one machine (`make sweep-slurm`).
#
# 1. install: slurmctld, slurmd, slurm-client and munge with apt-get when their commands are
#    missing (slurm-wlm when the split packages are not there), with sudo when not root.
# 2. start: a private munged, slurmctld and slurmd, all configured in a temporary directory (munge
#    key, slurm.conf, state, spool, pid and log files), on their own munge socket and their own
#    free TCP ports, without cgroups (proctrack/linuxproc, task/none), so it runs in a container
#    and leaves alone any Slurm or munge already running system-wide; then waits until sinfo shows
#    the node idle.
# 3. build: `swift build -c release --product initbench`, unless INITBENCH names a binary.
# 4. array: `sbatch --array=0-(ARRAY_TASKS-1)`, each task running
#    `initbench sweep --grid G --shard auto --output OUT/part-<task id>.jsonl`; waits for every
#    task and checks that each one completed with exit code 0.
# 5. unsharded: the same sweep in one process, outside Slurm, into OUT/unsharded.jsonl.
# 6. merge: `initbench merge OUT/part-*.jsonl --format json --output OUT/merged.json`, then
#    `initbench merge OUT/part-*.jsonl --compare OUT/unsharded.jsonl`, which must exit 0.
# 7. stop (always, from the EXIT/INT/TERM trap): cancels the jobs, stops slurmd, slurmctld and
#    munged, removes the temporary directory (kept when KEEP=1), and prints each phase's time.
#
# Environment:
#   GRID=FILE        the grid (default: a small propagate grid, written to OUT/grid.json)
#   PRESET=NAME      `--preset NAME` instead of --grid
#   INITBENCH=PATH   the initbench binary to run (default: the release build, built here)
#   SWIFT=swift      the swift driver used for that build
#   OUT=DIR          where the parts, the merged and the unsharded results and the tasks' logs go
#                    (default: a new temporary directory, printed at the end); the files of an
#                    earlier run there are removed first
#   ARRAY_TASKS=4    how many array tasks (shards)
#   KEEP=1           keep the temporary directory (configuration, daemons' logs) at the end
#   START_TIMEOUT=90 seconds to wait for the node to be idle
#   ARRAY_TIMEOUT=3600 seconds to wait for the array to finish
#
# Exit status: 0 when every check passed; 77 when Slurm or munge cannot be installed or started
# here (no apt-get, no network, no root, daemons that refuse to start), so a test can skip; 64 for
# bad settings; 1 for any other failure (a task failed, merge or comparison failed).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SCRIPT_DIR")
SWIFT=${SWIFT:-swift}
ARRAY_TASKS=${ARRAY_TASKS:-4}
START_TIMEOUT=${START_TIMEOUT:-90}
ARRAY_TIMEOUT=${ARRAY_TIMEOUT:-3600}
KEEP=${KEEP:-0}
GRID=${GRID:-}
PRESET=${PRESET:-}
INITBENCH=${INITBENCH:-}
OUT=${OUT:-}

log() { echo "sweep-slurm: $*"; }
warn() { echo "sweep-slurm: $*" >&2; }
skip() { warn "SKIPPED: $*"; exit 77; }
fail() { warn "FAILED: $*"; exit 1; }
usage_error() { warn "$*"; exit 64; }

for setting in ARRAY_TASKS START_TIMEOUT ARRAY_TIMEOUT; do
    [[ ${!setting} =~ ^[1-9][0-9]*$ ]] || usage_error "$setting must be a positive integer (got '${!setting}')"
done
if [ -n "$PRESET" ] && [ -n "$GRID" ]; then usage_error "set GRID or PRESET, not both"; fi
if [ -n "$GRID" ]; then
    [ -f "$GRID" ] || usage_error "GRID=$GRID is not a file"
    GRID=$(cd "$(dirname "$GRID")" && pwd)/$(basename "$GRID")
fi
if [ -n "$INITBENCH" ]; then
    [ -x "$INITBENCH" ] || usage_error "INITBENCH=$INITBENCH is not an executable file"
    INITBENCH=$(cd "$(dirname "$INITBENCH")" && pwd)/$(basename "$INITBENCH")
fi

# The daemons and apt-get need root: sudo runs them when we are not root (as the Makefile's SUDO).
SUDO=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || skip "not root and no sudo: cannot install or start the Slurm daemons"
    SUDO=(sudo)
fi

# Phase timings, printed at the end (also after a failure).
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
SCRIPT_START=$(now)
PHASES=()
PHASE_NAME="" PHASE_START=""
phase() { # phase NAME: ends the current phase (if any) and starts NAME ("" only ends it)
    local t; t=$(now)
    if [ -n "$PHASE_NAME" ]; then
        PHASES+=("$PHASE_NAME $(awk -v a="$PHASE_START" -v b="$t" 'BEGIN { printf "%.1f", b - a }')")
    fi
    PHASE_NAME=$1 PHASE_START=$t
    if [ -n "$1" ]; then log "== $1"; fi
}
print_timings() {
    local entry t
    t=$(now)
    echo "sweep-slurm: timings (seconds):"
    for entry in "${PHASES[@]}"; do printf '  %-10s %8s\n' "${entry% *}" "${entry##* }"; done
    printf '  %-10s %8s\n' total "$(awk -v a="$SCRIPT_START" -v b="$t" 'BEGIN { printf "%.1f", b - a }')"
}

# A daemon's or command's path: PATH first, then the sbin directories a non-root PATH may lack.
find_command() {
    local dir
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return 0; fi
    for dir in /usr/sbin /sbin /usr/local/sbin; do
        if [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
    done
    return 1
}
NEEDED=(slurmctld slurmd sbatch sinfo squeue scontrol scancel munged munge unmunge)
missing_commands() {
    local name
    for name in "${NEEDED[@]}"; do find_command "$name" >/dev/null || echo "$name"; done
}

# ---- state that the trap cleans up -------------------------------------------------------------
TMP="" JOBID="" STARTED=0 CLEANED=0 OUT_CREATED=0
DAEMON_PIDS=() # "name pid pidfile" of each daemon started, in start order

process_alive() { [ -n "$1" ] && "${SUDO[@]}" kill -0 "$1" 2>/dev/null; }
# The pids to stop for one daemon: the one we launched, and the one in its pid file when that
# process is still the same program (a pid file can outlive its process).
daemon_pids() {
    local name=$1 pid=$2 pidfile=$3 filepid=""
    process_alive "$pid" && echo "$pid"
    filepid=$({ tr -dc 0-9 <"$pidfile"; } 2>/dev/null || true)
    if [ -n "$filepid" ] && [ "$filepid" != "$pid" ] && process_alive "$filepid" &&
        [ "$(ps -o comm= -p "$filepid" 2>/dev/null)" = "$name" ]; then
        echo "$filepid"
    fi
}
stop_daemon() {
    local name=$1 pid=$2 pidfile=$3 pids waited=0
    pids=$(daemon_pids "$name" "$pid" "$pidfile")
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086 # one pid a word
    "${SUDO[@]}" kill -TERM $pids 2>/dev/null || true
    while [ -n "$(daemon_pids "$name" "$pid" "$pidfile")" ] && [ $waited -lt 100 ]; do
        sleep 0.1; waited=$((waited + 1))
    done
    pids=$(daemon_pids "$name" "$pid" "$pidfile")
    if [ -n "$pids" ]; then
        warn "$name did not stop on SIGTERM within 10 s; sending SIGKILL"
        # shellcheck disable=SC2086
        "${SUDO[@]}" kill -KILL $pids 2>/dev/null || true
    fi
    # Reap it when it is our own child (not through sudo), so that no zombie is left.
    wait "$pid" 2>/dev/null || true
}

# The processes whose environment holds this cluster's SLURM_CONF (daemons, job steps and their
# tasks), other than this script; called once SLURM_CONF is no longer exported.
marked_processes() {
    local file pid
    [ -n "${SLURM_CONF:-}" ] || return 0
    "${SUDO[@]}" grep -lzx -F "SLURM_CONF=$SLURM_CONF" /proc/[0-9]*/environ 2>/dev/null |
        while IFS= read -r file; do
            pid=${file#/proc/}
            pid=${pid%/environ}
            if [ "$pid" != $$ ]; then echo "$pid"; fi
        done
}
# What is left of this cluster once the daemons are stopped: nothing after a clean scancel; job
# steps and their tasks when the controller was gone before they could be cancelled. SIGTERM,
# then SIGKILL (slurmstepd waits for its controller and ignores SIGTERM).
stop_leftovers() {
    local pids waited=0
    pids=$(marked_processes | tr '\n' ' ')
    [ -n "${pids// /}" ] || return 0
    warn "stopping processes of this cluster still running: $pids"
    # shellcheck disable=SC2086 # one pid a word
    "${SUDO[@]}" kill -TERM $pids 2>/dev/null
    while [ -n "$(marked_processes)" ] && [ $waited -lt 30 ]; do sleep 0.1; waited=$((waited + 1)); done
    pids=$(marked_processes | tr '\n' ' ')
    # shellcheck disable=SC2086
    if [ -n "${pids// /}" ]; then "${SUDO[@]}" kill -KILL $pids 2>/dev/null; fi
    return 0
}

cleanup() {
    local status=$? i entry waited
    [ $CLEANED = 1 ] && return
    CLEANED=1
    # Cleaning up is bounded in time; another Ctrl-C must not cut it short.
    trap - EXIT
    trap '' INT TERM
    set +e
    if [ $STARTED = 1 ]; then
        phase stop
        # Cancel every job of this private controller, and wait for their processes to end
        # before slurmd goes (slurmd's job steps would otherwise outlive it).
        if [ -n "$(daemon_pids slurmctld "" "$TMP/run/slurmctld.pid")" ]; then
            local jobs
            jobs=$(timeout 20 squeue -h -o %A 2>/dev/null | sort -u)
            if [ -n "$jobs" ]; then
                log "cancelling jobs: $(echo $jobs)"
                # shellcheck disable=SC2086
                timeout 20 scancel $jobs 2>/dev/null
                waited=0
                while [ -n "$(timeout 5 squeue -h -o %A 2>/dev/null)" ] && [ $waited -lt 300 ]; do
                    sleep 0.1; waited=$((waited + 1))
                done
            fi
        fi
        # From here on no command of this script carries the mark that stop_leftovers looks for.
        export -n SLURM_CONF 2>/dev/null
        for ((i = ${#DAEMON_PIDS[@]} - 1; i >= 0; i--)); do
            entry=${DAEMON_PIDS[i]}
            # shellcheck disable=SC2086 # "name pid pidfile"
            stop_daemon $entry
        done
        stop_leftovers
    fi
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        if [ "$KEEP" = 1 ]; then
            log "kept the configuration and the daemons' logs in $TMP (KEEP=1)"
        else
            "${SUDO[@]}" rm -rf "$TMP"
        fi
    fi
    phase ""
    print_timings
    # A skipped run leaves nothing behind: the output directory it made holds no results.
    if [ $status = 77 ] && [ $OUT_CREATED = 1 ]; then rm -rf "$OUT"; OUT=""; fi
    if [ -n "$OUT" ]; then log "results in $OUT"; fi
    if [ $status = 0 ]; then log "OK"; fi
    exit $status
}
trap cleanup EXIT
trap 'warn "interrupted"; exit 130' INT
trap 'warn "terminated"; exit 143' TERM

# The last lines of the daemons' logs, for a failure message (a daemon's standard output and
# error only when its log file is empty: in the foreground it writes the same lines to both).
show_logs() {
    local f
    for f in "$TMP"/log/*; do
        [ -s "$f" ] || continue
        if [[ $f == *.stdout ]] && [ -s "${f%.stdout}.log" ]; then continue; fi
        echo "---- tail of $f" >&2
        "${SUDO[@]}" tail -n 25 "$f" >&2
    done
}

# ---- 1. install --------------------------------------------------------------------------------
phase install
MISSING=$(missing_commands | tr '\n' ' ' | sed 's/ $//')
if [ -z "$MISSING" ]; then
    log "slurm and munge are installed"
else
    log "missing: $MISSING; installing Slurm and munge with apt-get"
    command -v apt-get >/dev/null 2>&1 || skip "no apt-get to install Slurm and munge (missing: $MISSING)"
    "${SUDO[@]}" apt-get update || skip "apt-get update failed (no network?)"
    APT_INSTALL=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends)
    if ! "${APT_INSTALL[@]}" slurmctld slurmd slurm-client munge; then
        warn "the split packages (slurmctld slurmd slurm-client) did not install; trying slurm-wlm"
        "${APT_INSTALL[@]}" slurm-wlm munge || skip "apt-get could not install Slurm and munge"
    fi
    MISSING=$(missing_commands | tr '\n' ' ' | sed 's/ $//')
    [ -z "$MISSING" ] || skip "still missing after apt-get install: $MISSING"
fi
SLURMCTLD=$(find_command slurmctld) SLURMD=$(find_command slurmd) MUNGED=$(find_command munged)
log "$("$SLURMCTLD" -V), $("$MUNGED" -V 2>&1 | head -n 1)"

# ---- 2. start ----------------------------------------------------------------------------------
phase start
TMP=$(mktemp -d "${TMPDIR:-/tmp}/variancekit-slurm.XXXXXX")
# munged insists that every directory above its socket is searchable by all.
chmod 0711 "$TMP"
mkdir -m 0755 "$TMP/run"
mkdir -m 0700 "$TMP/state" "$TMP/spool" "$TMP/log"
"${SUDO[@]}" mkdir -m 0700 "$TMP/munge"
STARTED=1

if [ -z "$OUT" ]; then
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/initbench-sweep-slurm.XXXXXX")
    OUT_CREATED=1
else
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    rm -rf "$OUT"/part-*.jsonl "$OUT/merged.json" "$OUT/unsharded.jsonl" "$OUT/slurm-logs"
fi
mkdir -p "$OUT/slurm-logs"
chmod 0755 "$OUT" "$OUT/slurm-logs"

# The munge key: 1 KiB of random bytes, readable only by the user munged runs as (root).
MUNGE_KEY=$TMP/munge/munge.key
MUNGE_SOCKET=$TMP/run/munge.socket
"${SUDO[@]}" dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
"${SUDO[@]}" chmod 0400 "$MUNGE_KEY"

# Two free TCP ports next to each other for slurmctld and slurmd, from 16817 on.
port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
CTLD_PORT=""
for ((p = 16817; p < 16917; p += 2)); do
    if ! port_in_use $p && ! port_in_use $((p + 1)); then CTLD_PORT=$p; break; fi
done
[ -n "$CTLD_PORT" ] || skip "no two free TCP ports between 16817 and 16917"
SLURMD_PORT=$((CTLD_PORT + 1))

# The node: what slurmd detects (slurmd -C), else nproc and free.
NODE=$(hostname -s)
NODE_HARDWARE=$("$SLURMD" -C 2>/dev/null | head -n 1 | tr ' ' '\n' |
    grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ' || true)
if [[ $NODE_HARDWARE != *CPUs=* ]]; then
    NODE_HARDWARE="CPUs=$(nproc) RealMemory=$(free -m | awk '/^Mem:/ { print $2 }')"
fi
if [ "$(id -u)" = 0 ]; then SLURM_USER=root; else SLURM_USER=$(id -un); fi

cat >"$TMP/slurm.conf" <<EOF
# A single-node cluster for Scripts/sweep-slurm.sh; everything it writes is under $TMP.
ClusterName=variancekit
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$SLURM_USER
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/run/slurmctld.pid
SlurmdPidFile=$TMP/run/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: plain process tracking and no task confinement, so it runs in a container.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
Waittime=0
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 ${NODE_HARDWARE}State=UNKNOWN
PartitionName=sweep Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
chmod 0644 "$TMP/slurm.conf"
export SLURM_CONF=$TMP/slurm.conf
log "configuration: $SLURM_CONF (node $NODE: ${NODE_HARDWARE}ports $CTLD_PORT and $SLURMD_PORT)"

# Each daemon runs in the foreground (-F, -D) as a background child of this script, so its pid
# is known at once (its pid file names it too), in a session of its own, so that a Ctrl-C meant
# for this script does not reach it before the jobs are cancelled. SLURM_CONF in its environment
# (and so in that of the job steps slurmd starts) marks the processes of this cluster.
start_daemon() { # start_daemon NAME PIDFILE COMMAND...
    local name=$1 pidfile=$2
    shift 2
    setsid "${SUDO[@]}" env SLURM_CONF="$SLURM_CONF" "$@" </dev/null >>"$TMP/log/$name.stdout" 2>&1 &
    DAEMON_PIDS+=("$name $! $pidfile")
}
launched_pid() { # launched_pid NAME: the pid of the daemon started as NAME
    local entry
    for entry in "${DAEMON_PIDS[@]}"; do
        if [ "${entry%% *}" = "$1" ]; then entry=${entry#* }; echo "${entry%% *}"; return; fi
    done
}
# check_daemons skip|fail NAME...: when one of them has exited, show the logs and skip (at start)
# or fail (later).
check_daemons() {
    local action=$1 name
    shift
    for name in "$@"; do
        process_alive "$(launched_pid "$name")" && continue
        show_logs
        if [ "$action" = skip ]; then skip "$name exited at start"; else fail "$name exited"; fi
    done
}

start_daemon munged "$TMP/run/munged.pid" "$MUNGED" -F -S "$MUNGE_SOCKET" --key-file "$MUNGE_KEY" \
    --pid-file "$TMP/run/munged.pid" --log-file "$TMP/log/munged.log" --seed-file "$TMP/munge/munged.seed"
for ((i = 0; i < 100; i++)); do
    [ -S "$MUNGE_SOCKET" ] && break
    check_daemons skip munged
    sleep 0.1
done
munge -S "$MUNGE_SOCKET" -n </dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null ||
    { show_logs; skip "munged does not answer on $MUNGE_SOCKET"; }

start_daemon slurmctld "$TMP/run/slurmctld.pid" "$SLURMCTLD" -D -f "$SLURM_CONF"
start_daemon slurmd "$TMP/run/slurmd.pid" "$SLURMD" -D -f "$SLURM_CONF" -N "$NODE"

STATE=""
START_DEADLINE=$(( $(date +%s) + START_TIMEOUT ))
while [ "$(date +%s)" -lt "$START_DEADLINE" ]; do
    check_daemons skip slurmctld slurmd
    STATE=$(timeout 5 sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
    [ "$STATE" = idle ] && break
    sleep 0.5
done
if [ "$STATE" != idle ]; then
    show_logs
    skip "node $NODE is not idle after ${START_TIMEOUT} s (sinfo says '${STATE:-nothing}')"
fi
log "node $NODE is idle: $(sinfo -h -o '%P %D node(s) %c CPUs %m MB')"

# ---- 3. build ----------------------------------------------------------------------------------
phase build
if [ -z "$INITBENCH" ]; then
    (cd "$REPO" && "$SWIFT" build -c release --product initbench)
    INITBENCH=$(cd "$REPO" && "$SWIFT" build -c release --show-bin-path)/initbench
else
    log "using INITBENCH=$INITBENCH"
fi
"$INITBENCH" sweep --help >/dev/null 2>&1 || fail "$INITBENCH has no sweep command"

if [ -n "$PRESET" ]; then
    INPUT=(--preset "$PRESET")
else
    if [ -z "$GRID" ]; then
        GRID=$OUT/grid.json
        cat >"$GRID" <<'EOF'
{"schema":"initbench.grid.v1","kind":"propagate",
 "axes":{"activation":["tanh","relu"],"initializer":["xavier-normal","he-normal"],"depth":[4,8]},
 "fixed":{"width":64,"batch":64}}
EOF
    fi
    INPUT=(--grid "$GRID")
fi
log "sweep input: ${INPUT[*]}"

# ---- 4. array ----------------------------------------------------------------------------------
phase array
TASK_SCRIPT=$TMP/sweep-task.sh
{
    echo '#!/usr/bin/env bash'
    echo 'set -euo pipefail'
    printf 'exec %q sweep' "$INITBENCH"
    printf ' %q' "${INPUT[@]}"
    # shellcheck disable=SC2016 # the task's own variables, expanded when it runs: its shard, and
    # as many threads as CPUs were allocated to it
    printf ' --shard auto --threads "${SLURM_CPUS_PER_TASK:-1}" --output %q"/part-${SLURM_ARRAY_TASK_ID}.jsonl"\n' "$OUT"
} >"$TASK_SCRIPT"
chmod 0755 "$TASK_SCRIPT"
SUBMITTED=$(sbatch --parsable --array="0-$((ARRAY_TASKS - 1))" --job-name=initbench-sweep \
    --ntasks=1 --cpus-per-task=1 --chdir="$OUT" --output="$OUT/slurm-logs/task-%a.out" "$TASK_SCRIPT") ||
    fail "sbatch refused the array"
JOBID=${SUBMITTED%%;*}
log "submitted array job $JOBID with $ARRAY_TASKS tasks"

# Wait until no task of the array is pending or running any more (scontrol keeps the finished
# ones for MinJobAge seconds, so their states and exit codes can be read afterwards).
TERMINAL='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$'
job_records() { scontrol -o show job "$JOBID" 2>/dev/null; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
DEADLINE=$(( $(date +%s) + ARRAY_TIMEOUT ))
LAST_SUMMARY=""
while :; do
    check_daemons fail slurmctld slurmd
    RECORDS=$(job_records) || true
    PENDING=0
    SUMMARY=""
    while IFS= read -r record; do
        [ -n "$record" ] || continue
        state=$(field JobState <<<"$record")
        SUMMARY+="$(field ArrayTaskId <<<"$record"):$state "
        [[ $state =~ $TERMINAL ]] || PENDING=1
    done <<<"$RECORDS"
    [ -n "$RECORDS" ] || PENDING=1
    if [ "$SUMMARY" != "$LAST_SUMMARY" ]; then log "tasks: $SUMMARY"; LAST_SUMMARY=$SUMMARY; fi
    [ $PENDING = 0 ] && break
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "the array did not finish within ${ARRAY_TIMEOUT} s"
    sleep 0.5
done

# Every task must have completed with exit code 0 and written its part.
BAD=0 DONE=0
PARTS=()
while IFS= read -r record; do
    [ -n "$record" ] || continue
    task=$(field ArrayTaskId <<<"$record")
    state=$(field JobState <<<"$record")
    code=$(field ExitCode <<<"$record")
    printf 'sweep-slurm:   task %s: %s, exit code %s, run time %s on %s\n' "$task" "$state" "$code" \
        "$(field RunTime <<<"$record")" "$(field NodeList <<<"$record")"
    if [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] && [ -s "$OUT/part-$task.jsonl" ]; then
        DONE=$((DONE + 1))
    else
        BAD=1
        echo "---- $OUT/slurm-logs/task-$task.out" >&2
        tail -n 25 "$OUT/slurm-logs/task-$task.out" >&2 2>/dev/null || true
    fi
done <<<"$(job_records)"
[ $BAD = 0 ] && [ $DONE = "$ARRAY_TASKS" ] ||
    fail "$DONE of $ARRAY_TASKS array tasks completed with exit code 0 and wrote their part"
for ((task = 0; task < ARRAY_TASKS; task++)); do PARTS+=("$OUT/part-$task.jsonl"); done
log "all $ARRAY_TASKS tasks completed; parts: $OUT/part-{0..$((ARRAY_TASKS - 1))}.jsonl"

# ---- 5. unsharded ------------------------------------------------------------------------------
phase unsharded
"$INITBENCH" sweep "${INPUT[@]}" --output "$OUT/unsharded.jsonl" >"$OUT/unsharded.log" 2>&1 ||
    { tail -n 25 "$OUT/unsharded.log" >&2; fail "the unsharded sweep failed"; }

# ---- 6. merge ----------------------------------------------------------------------------------
phase merge
"$INITBENCH" merge "${PARTS[@]}" --format json --output "$OUT/merged.json" || fail "initbench merge failed"
[ -s "$OUT/merged.json" ] || fail "initbench merge wrote no $OUT/merged.json"
# The merged table, then what merge says of the parts and of the comparison (kept in
# OUT/compare.txt).
COMPARED=0
"$INITBENCH" merge "${PARTS[@]}" --compare "$OUT/unsharded.jsonl" >"$OUT/compare.txt" 2>"$OUT/compare.err" || COMPARED=$?
cat "$OUT/compare.err" >>"$OUT/compare.txt"
rm -f "$OUT/compare.err"
cat "$OUT/compare.txt"
[ $COMPARED = 0 ] || fail "the merged parts differ from the unsharded sweep (initbench merge --compare exited $COMPARED)"
log "the merged parts equal the unsharded sweep ($OUT/merged.json)"
