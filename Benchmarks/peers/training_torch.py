#!/usr/bin/env python3
"""A training loop in PyTorch (2 threads), for comparison with VarianceKit's Trainer
(Benchmarks/Sources/TrainingLoop, TrainingFixture). Same problem: synthetic data in memory
(features N(0, 1), labels from the same hash of the sample index), a multilayer perceptron with
He-uniform weights (the activation's gain, fan-in), zero biases and a linear last layer, softmax
cross-entropy, AdamW (lr 1e-3, weight decay 0.01; fused=True when this PyTorch supports it on
CPU, else foreach=True). Every epoch draws a new permutation; each step gathers its batch with
index_select, then zero_grad, forward, backward, step, and reads the loss (as the Trainer does).

Shapes (as TrainingShape): mnist = 784-512-512-10 ReLU, batch 128, 60,000 samples; deep = ten
layers on 1024 features (nine 1024-wide, then 10), tanh, batch 256, 4,096 samples.

Exits 0 with a note when PyTorch is not installed.

Usage: python3 Benchmarks/peers/training_torch.py [--shape mnist|deep|all] [--steps N] [--rounds R]
"""
import argparse
import json
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"peer": "torch", "skipped": "PyTorch is not installed"}))
    sys.exit(0)

SHAPES = {
    "mnist": {"widths": [784, 512, 512, 10], "activation": "relu", "batch": 128, "samples": 60_000},
    "deep": {"widths": [1024] + [1024] * 9 + [10], "activation": "tanh", "batch": 256, "samples": 4096},
}


def labels(samples, classes, seed):
    """((index + seed) * 0x9E3779B97F4A7C15 mod 2^64) >> 32, mod classes: TrainingFixture's labels."""
    index = np.arange(samples, dtype=np.uint64) + np.uint64(seed)
    with np.errstate(over="ignore"):
        mixed = index * np.uint64(0x9E3779B97F4A7C15)
    return torch.from_numpy(((mixed >> np.uint64(32)) % np.uint64(classes)).astype(np.int64))


class Loop:
    """The model, optimizer and data of one shape, and its training steps."""

    def __init__(self, shape, seed=1):
        self.shape = shape
        widths, activation = shape["widths"], shape["activation"]
        generator = torch.Generator().manual_seed(seed)
        layers = []
        for index, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
            layer = torch.nn.Linear(fan_in, fan_out)
            torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity=activation, generator=generator)
            torch.nn.init.zeros_(layer.bias)
            layers.append(layer)
            if index < len(widths) - 2:
                layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
        self.model = torch.nn.Sequential(*layers)
        try:
            self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=1e-3, weight_decay=0.01, fused=True)
            self.optimizer_mode = "fused"
        except (RuntimeError, TypeError, ValueError):
            self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=1e-3, weight_decay=0.01, foreach=True)
            self.optimizer_mode = "foreach"
        self.features = torch.randn(shape["samples"], widths[0], generator=generator)
        self.labels = labels(shape["samples"], widths[-1], seed)
        self.generator = generator
        self.batches_per_epoch = shape["samples"] // shape["batch"]
        self.batch_index = self.batches_per_epoch
        self.order = None
        self.loss_sum = 0.0

    def step(self):
        if self.batch_index >= self.batches_per_epoch:
            self.order = torch.randperm(self.shape["samples"], generator=self.generator)
            self.batch_index = 0
        batch = self.shape["batch"]
        indices = self.order[self.batch_index * batch:(self.batch_index + 1) * batch]
        self.batch_index += 1
        x = self.features.index_select(0, indices)
        y = self.labels.index_select(0, indices)
        self.optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.loss_sum += loss.item()

    def timed(self, steps):
        """Wall seconds of `steps` steps."""
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def line(name, loop, round_index, steps, seconds):
    shape = loop.shape
    return {
        "peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "optimizer": loop.optimizer_mode,
        "shape": name, "widths": shape["widths"], "batch": shape["batch"], "activation": shape["activation"],
        "samples": shape["samples"], "round": round_index, "steps": steps, "seconds": seconds,
        "step_seconds": seconds / steps,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="all", choices=["all", *SHAPES])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name in SHAPES if args.shape == "all" else [args.shape]:
        loop = Loop(SHAPES[name])
        loop.timed(args.warmup)
        for round_index in range(args.rounds):
            print(json.dumps(line(name, loop, round_index, args.steps, loop.timed(args.steps))), flush=True)


if __name__ == "__main__":
    main()
