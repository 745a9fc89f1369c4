#!/usr/bin/env python3
"""VarianceKit's fused optimizer steps side by side with PyTorch's fused ones, in one run.

Each round runs `initbench kernels --only optimizers` (SGD with momentum and L2, and AdamW, on
--count float32 parameters at 2 threads; the median of --repeat steps after a warm-up), then
PyTorch's `SGD(momentum, weight_decay, fused=True)` and `AdamW(fused=True)` on the same number of
parameters in this process at 2 threads, timed the same way (median of --repeat steps after one
warm-up step), so that both see the same machine load and report the same statistic. The table
gives each side's median over rounds and the median over rounds of each round's ratio (PyTorch's
time / VarianceKit's, so > 1 means VarianceKit is faster).

Skips (exit 0, with a message) when PyTorch is not installed. The parameters, hyperparameters and
PyTorch optimizers are those of optimizer_torch.py.

    swift build -c release --product initbench
    python3 Benchmarks/peers/compare_optimizers.py [--rounds 5] [--repeat 9] [--count 16777216]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import median_of  # noqa: E402
import optimizer_torch  # noqa: E402  (exits 0 with a message when PyTorch is not installed)
import torch  # noqa: E402

# initbench's name of each step, and PyTorch's fused optimizer doing the same update.
CASES = {"sgd-momentum-l2": optimizer_torch.fused_momentum, "adamw": optimizer_torch.fused_adamw}


def run_initbench(binary, count, repeat):
    command = [binary, "kernels", "--only", "optimizers", "--optimizer-parameters", str(count), "--threads", "2",
               "--repetitions", str(repeat), "--format", "json", "--quiet"]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {row["optimizer"]: row["seconds"] for row in report["optimizers"] if row["optimizer"] in CASES}


def run_torch(count, repeat):
    torch.set_num_threads(2)
    seconds = {}
    for name, make in CASES.items():
        optimizer = make([optimizer_torch.parameter(count)])
        seconds[name] = median_of(repeat, optimizer.step, warmup=1)
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--count", type=int, default=1 << 24)
    parser.add_argument("--initbench", default=".build/release/initbench")
    args = parser.parse_args()
    if not os.access(args.initbench, os.X_OK):
        sys.exit(f"compare_optimizers: {args.initbench} is not an executable; build it first "
                 "(swift build -c release --product initbench)")
    if args.rounds < 1 or args.repeat < 1 or args.count < 1:
        sys.exit("compare_optimizers: --rounds, --repeat and --count must be at least 1")
    rounds = [(run_initbench(args.initbench, args.count, args.repeat), run_torch(args.count, args.repeat))
              for _ in range(args.rounds)]
    print(f"torch {torch.__version__}, {args.count} float32 parameters, 2 threads, median of {args.repeat} steps "
          f"per round, {args.rounds} rounds; ratio = PyTorch's time / VarianceKit's time")
    print(f"{'step':16s} {'VarianceKit ms':>14s} {'PyTorch fused ms':>16s} {'median ratio':>12s} {'ratios':s}")
    for name in CASES:
        ours = [r[0][name] for r in rounds]
        theirs = [r[1][name] for r in rounds]
        ratios = [t / o for o, t in zip(ours, theirs)]
        print(f"{name:16s} {statistics.median(ours) * 1e3:14.2f} {statistics.median(theirs) * 1e3:16.2f} "
              f"{statistics.median(ratios):12.2f} {' '.join(f'{x:.2f}' for x in ratios)}")


if __name__ == "__main__":
    main()
