#!/usr/bin/env python3
"""VarianceKit's fills side by side with numpy's and PyTorch's, in one run.

Each round runs `initbench kernels --only fills` (uniform, normal and truncated-normal fills of
a size x size float32 matrix, at 1 and 2 threads), then numpy's and PyTorch's counterparts in
this process, so that all of them see the same machine load. Every figure is the best of
--repeat timed calls (a shared machine only ever adds time); the table gives, per fill and thread
count, the best over all rounds and the median over rounds of each round's ratio
(peer time / VarianceKit time, so > 1 means VarianceKit is faster), against the faster peer.

    swift build -c release
    python3 Benchmarks/peers/compare_fills.py [--rounds 5] [--repeat 5] [--size 4096]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fills_numpy  # noqa: E402
import fills_torch  # noqa: E402

OURS = {"xavier-uniform": "uniform", "xavier-normal": "normal", "truncated-normal": "truncated-normal"}


def run_initbench(binary, size, repeat):
    command = [binary, "kernels", "--only", "fills", "--fill-size", str(size), "--repetitions", str(repeat),
               "--format", "json", "--quiet"]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {(OURS[f["init"]], f["threads"]): f["bestSeconds"] for f in report["fills"] if f["init"] in OURS}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--initbench", default=".build/release/initbench")
    args = parser.parse_args()
    if not os.access(args.initbench, os.X_OK):
        sys.exit(f"compare_fills: {args.initbench} is not an executable; build it first (swift build -c release)")
    rounds = []
    for _ in range(args.rounds):
        ours = run_initbench(args.initbench, args.size, args.repeat)
        peers = {}
        for name, (seconds, _) in fills_numpy.measure(args.size, args.repeat).items():
            for threads in (1, 2):   # numpy's generators use one thread whatever the machine has
                peers.setdefault((name, threads), {})["numpy"] = seconds
        for threads in (1, 2):
            torch_results = fills_torch.measure(args.size, args.repeat, threads)
            for name, (seconds, _) in (torch_results or {}).items():
                peers.setdefault((name, threads), {})["torch"] = seconds
        rounds.append((ours, peers))
    count = args.size * args.size
    print(f"{args.size}x{args.size} float32, best of {args.repeat} per round, {args.rounds} rounds; "
          "ratio = faster peer's time / VarianceKit's time")
    header = f"{'fill':17s} {'threads':>7s} {'VarianceKit G/s':>15s} {'numpy G/s':>9s} {'torch G/s':>9s} {'best ratio':>10s} {'median ratio':>12s}"
    print(header)
    for key in sorted(rounds[0][0], key=lambda k: (k[1], list(OURS.values()).index(k[0]))):
        ours_best = min(r[0][key] for r in rounds)
        peer_best = {}
        for peer in ("numpy", "torch"):
            times = [r[1].get(key, {}).get(peer) for r in rounds]
            times = [t for t in times if t is not None]
            peer_best[peer] = min(times) if times else None
        faster = min(t for t in peer_best.values() if t is not None)
        per_round = [min(t for t in r[1][key].values()) / r[0][key] for r in rounds]
        rate = lambda t: f"{count / t / 1e9:.3f}" if t else "-"
        print(f"{key[0]:17s} {key[1]:7d} {rate(ours_best):>15s} {rate(peer_best['numpy']):>9s} {rate(peer_best['torch']):>9s} "
              f"{faster / ours_best:10.2f} {statistics.median(per_round):12.2f}")


if __name__ == "__main__":
    main()
