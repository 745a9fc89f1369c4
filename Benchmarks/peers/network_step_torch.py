#!/usr/bin/env python3
"""One training step of a dense network in PyTorch (autograd, 2 threads), for comparison with
VarianceKit's `network step` benchmark. Same step as network_step_numpy.py: Xavier-uniform
weights, zero biases, N(0, 1) input, tanh or ReLU, random readout loss sum(R * A_L) / batch.

Exits 0 with a note when PyTorch is not installed.

Usage: python3 Benchmarks/peers/network_step_torch.py [--repeats N]
"""
import argparse
import json
import sys

from peer_timing import median_of

try:
    import torch
except ImportError:
    print(json.dumps({"peer": "torch", "skipped": "PyTorch is not installed"}))
    sys.exit(0)

SHAPES = [(10, 1024, 256, "tanh"), (20, 2048, 512, "relu")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    for depth, width, batch, activation in SHAPES:
        layers = [torch.nn.Linear(width, width) for _ in range(depth)]
        for layer in layers:
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        phi = torch.tanh if activation == "tanh" else torch.relu
        x = torch.randn(batch, width)
        readout = torch.randn(batch, width)

        def step():
            for layer in layers:
                layer.weight.grad = None
                layer.bias.grad = None
            a = x
            for layer in layers:
                a = phi(layer(a))
            loss = (readout * a).sum() / batch
            loss.backward()
            return loss

        print(json.dumps({
            "peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "depth": depth,
            "width": width, "batch": batch, "activation": activation, "step_seconds": median_of(args.repeats, step),
        }))


if __name__ == "__main__":
    main()
