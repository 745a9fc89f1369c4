#!/usr/bin/env python3
"""VarianceKit's Trainer side by side with the same training loop in PyTorch, in turns.

Each round runs Benchmarks/.build/release/TrainingLoop (one process per round: synthetic data,
warm-up, then --steps timed steps) and then --steps timed steps of training_torch.Loop in this
process (built and warmed up once per shape), so that both see the same machine load. Prints one
JSON line per round and shape with both step times and the ratio torch / VarianceKit (> 1: VarianceKit
is faster), then per shape the medians over rounds.

    (cd Benchmarks && swift build -c release --product TrainingLoop)
    python3 Benchmarks/peers/compare_training.py [--shape mnist|deep|all] [--steps N] [--rounds R]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import training_torch  # noqa: E402
import torch  # noqa: E402


def run_variancekit(binary, shape, steps):
    command = [binary, "--shape", shape, "--steps", str(steps), "--rounds", "1"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])["step_seconds"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="all", choices=["all", *training_torch.SHAPES])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "TrainingLoop"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name in training_torch.SHAPES if args.shape == "all" else [args.shape]:
        loop = training_torch.Loop(training_torch.SHAPES[name])
        loop.timed(args.warmup)
        ours, theirs, ratios = [], [], []
        for round_index in range(args.rounds):
            vk = run_variancekit(args.binary, name, args.steps)
            pt = loop.timed(args.steps) / args.steps
            ours.append(vk)
            theirs.append(pt)
            ratios.append(pt / vk)
            print(json.dumps({"shape": name, "round": round_index, "steps": args.steps, "variancekit_step_seconds": vk,
                              "torch_step_seconds": pt, "torch_over_variancekit": pt / vk}), flush=True)
        print(json.dumps({
            "shape": name, "rounds": args.rounds, "steps": args.steps, "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "torch_optimizer": loop.optimizer_mode,
            "median_variancekit_step_seconds": statistics.median(ours), "median_torch_step_seconds": statistics.median(theirs),
            "median_torch_over_variancekit": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios),
            "load_average": os.getloadavg(),
        }), flush=True)


if __name__ == "__main__":
    main()
