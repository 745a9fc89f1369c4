#!/usr/bin/env bash
# Measures both of OpenBLAS's kernels on this machine in one command and records the figures.
#
# OpenBLAS picks its kernel once, when it loads, so one process cannot measure two: this script
# builds initbench (release), then runs `initbench info` and `initbench kernels` (and, where
# numpy and PyTorch are installed, the network-step peers in Benchmarks/peers/) twice:
#   1. with the environment as it is (e.g. OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512);
#   2. with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS chooses for the processor).
# It then writes a dated section (date, commit, processor, load average, each setting's kernel,
# every command and its output) into Benchmarks/RESULTS.md, above the newest section.
#
# numpy's own OpenBLAS follows the two variables too; PyTorch uses its own BLAS and does not.
#
# Usage: Benchmarks/run-both-kernels.sh   (or `make bench-kernels`)
# Environment:
#   SWIFT             the swift driver (default: swift)
#   REPETITIONS       timed repetitions per measurement (default: 5)
#   KERNELS_FLAGS     extra flags for `initbench kernels` (default: none, every section)
#   PEER_REPEATS      repeats of the peer scripts (default: 5)
#   RESULTS           the file to write into (default: Benchmarks/RESULTS.md)
#   DRY_RUN=1         print the section instead of writing it
set -euo pipefail

cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
REPETITIONS=${REPETITIONS:-5}
KERNELS_FLAGS=${KERNELS_FLAGS:-}
PEER_REPEATS=${PEER_REPEATS:-5}
RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
BIN=.build/release/initbench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "run-both-kernels: building initbench (release)" >&2
"$SWIFT" build -c release --product initbench >&2

section="$work/section.md"
load() { cut -d' ' -f1-3 /proc/loadavg; }
processor=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
family=$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2- | tr -d ' ')
model=$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2- | tr -d ' ')
commit=$(git rev-parse --short HEAD)
if ! git diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then commit="$commit (with uncommitted changes to Sources)"; fi
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_at_start=$(load)

# Runs one command under one setting, appending the command and its output to the section.
# $1: the setting's `env` arguments (may be empty); the rest: the command.
record() {
    local setting=$1; shift
    local shown="$*"
    echo "run-both-kernels: ${setting:-as set}: $shown" >&2
    {
        printf '`%s%s`:\n\n```text\n' "${setting:+env $setting }" "$shown"
        # shellcheck disable=SC2086
        env $setting "$@" 2>&1 || echo "(exit status $?)"
        printf '```\n\n'
    } >> "$section.body"
}

: > "$section.body"
for setting in "" "-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE"; do
    # shellcheck disable=SC2086
    kernel=$(env $setting "$BIN" info | sed -n 's/^BLAS kernel: //p')
    # shellcheck disable=SC2086
    why=$(env $setting "$BIN" info | sed -n 's/^Why: //p')
    if [ -z "$setting" ]; then
        title="As the environment sets it (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset})"
    else
        title="OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"
    fi
    printf '### %s: `%s`\n\n%s.\n\n' "$title" "${kernel%% *}" "$why" >> "$section.body"
    # shellcheck disable=SC2086
    record "$setting" "$BIN" kernels $KERNELS_FLAGS --repetitions "$REPETITIONS" --quiet
    if python3 -c 'import numpy' 2>/dev/null; then
        record "$setting" python3 Benchmarks/peers/network_step_numpy.py --repeats "$PEER_REPEATS"
    fi
    if python3 -c 'import torch' 2>/dev/null; then
        record "$setting" python3 Benchmarks/peers/network_step_torch.py --repeats "$PEER_REPEATS"
    fi
done

{
    printf '## %s, %s, commit %s (run-both-kernels.sh)\n\n' "${started%% *}" "$processor" "$commit"
    printf 'Written by `Benchmarks/run-both-kernels.sh` (`make bench-kernels`), started %s. ' "$started"
    printf 'Processor: %s (family %s, model %s), %s processors. ' "$processor" "$family" "$model" "$(nproc)"
    printf 'Load average (1, 5, 15 min) %s at the start, %s at the end. ' "$load_at_start" "$(load)"
    printf 'Release build; `initbench` is `%s`. In the network tables, `step` runs each product as one sgemm ' "$BIN"
    printf 'on OpenBLAS'"'"'s threads and `deterministic` the same step with `ThreadPolicy.deterministic` '
    printf '(`--deterministic`), timed in turns.\n\n'
    cat "$section.body"
} > "$section"

if [ "${DRY_RUN:-0}" = 1 ]; then
    cat "$section"
    exit 0
fi

# Insert above the newest dated section (the first "## " heading that starts with a year).
awk -v file="$section" '
    !done && /^## [0-9][0-9][0-9][0-9]-/ { while ((getline line < file) > 0) print line; done = 1 }
    { print }
    END { if (!done) { while ((getline line < file) > 0) print line } }
' "$RESULTS" > "$work/results.md"
cat "$work/results.md" > "$RESULTS"
echo "run-both-kernels: wrote a section into $RESULTS" >&2
