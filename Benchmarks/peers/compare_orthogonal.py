#!/usr/bin/env python3
"""VarianceKit's orthogonal initializer side by side with PyTorch's orthogonal_, in one run.

Each round runs `initbench kernels --only fills --orthogonal-size N ...` (the orthogonal
initializer at 1 and 2 threads, timed in turns with the bare LAPACK calls it makes and with
LAPACK's drivers sgeqrf + sorgqr), then torch.nn.init.orthogonal_ at the same sizes and thread
counts in this process, so that all of them see the same machine load. Times are the best of
--repeat calls per round; the table gives the best over all rounds and the median over rounds of
each round's ratio (PyTorch's time / VarianceKit's time, so > 1 means VarianceKit is faster).
The last two columns compare medians taken in turns inside initbench: VarianceKit's time over
that of the bare LAPACK calls it makes, and over that of sgeqrf + sorgqr (median over rounds).

    swift build -c release
    python3 Benchmarks/peers/compare_orthogonal.py [--rounds 3] [--repeat 3] [--sizes 1024,4096]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fills_torch  # noqa: E402


def run_initbench(binary, sizes, repeat):
    command = [binary, "kernels", "--only", "fills", "--fill-size", "64", "--repetitions", str(repeat),
               "--format", "json", "--quiet"]
    for size in sizes:
        command += ["--orthogonal-size", str(size)]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {(f["rows"], f["threads"]): f for f in report["fills"] if f["init"] == "orthogonal"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1024,4096")
    parser.add_argument("--initbench", default=".build/release/initbench")
    args = parser.parse_args()
    if not os.access(args.initbench, os.X_OK):
        sys.exit(f"compare_orthogonal: {args.initbench} is not an executable; build it first (swift build -c release)")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rounds = []
    for _ in range(args.rounds):
        ours = run_initbench(args.initbench, sizes, args.repeat)
        torch = {}
        for threads in (1, 2):
            results = fills_torch.measure_orthogonal(sizes, args.repeat, threads)
            if results is None:
                sys.exit("compare_orthogonal: PyTorch is not installed; nothing to compare with")
            for size, (seconds, _) in results.items():
                torch[(size, threads)] = seconds
        rounds.append((ours, torch))
    print(f"orthogonal, float32, best of {args.repeat} per round, {args.rounds} rounds; "
          "ratio = PyTorch's time / VarianceKit's time")
    print(f"{'size':>5s} {'threads':>7s} {'VarianceKit s':>13s} {'torch s':>8s} {'best ratio':>10s} "
          f"{'median ratio':>12s} {'vs its LAPACK':>13s} {'vs sgeqrf+sorgqr':>16s}")
    for key in sorted(rounds[0][0], key=lambda k: (k[1], k[0])):
        ours_best = min(r[0][key]["bestSeconds"] for r in rounds)
        lapack = statistics.median(r[0][key]["seconds"] / r[0][key]["lapackSeconds"] for r in rounds)
        drivers = statistics.median(r[0][key]["seconds"] / r[0][key]["driversSeconds"] for r in rounds)
        torch_best = min(r[1][key] for r in rounds)
        per_round = [r[1][key] / r[0][key]["bestSeconds"] for r in rounds]
        print(f"{key[0]:5d} {key[1]:7d} {ours_best:13.3f} {torch_best:8.3f} {torch_best / ours_best:10.2f} "
              f"{statistics.median(per_round):12.2f} {lapack:13.3f} {drivers:16.3f}")


if __name__ == "__main__":
    main()
