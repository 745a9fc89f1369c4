#!/usr/bin/env python3
"""The accuracy reference for `initbench train`'s defaults on a user's own file: the same
multilayer perceptron trained the same way in PyTorch (2 threads), on a CSV of numeric columns
with an integer class label.

The setup follows `initbench train`'s defaults: a seeded split into test (20%), validation (10%)
and training (the rest) samples, features standardized on the training split, hidden layers
256-256 with ReLU and PyTorch's default initialization, a linear last layer, softmax
cross-entropy, AdamW (lr 1e-3, PyTorch's default weight decay), batch 128, 10 epochs, each a new
permutation. The split is numpy's, not VarianceKit's, so the test samples differ; compare the
test error over several seeds, not run by run.

Exits 0 with a note when PyTorch is not installed.

Usage: python3 Benchmarks/peers/accuracy_torch.py FILE.csv [--label COLUMN] [--seeds N] [--epochs E]
       (COLUMN: the label's zero-based index; default the last column)
"""
import argparse
import sys
import time

import numpy as np

try:
    import torch
except ImportError:
    print("accuracy_torch.py: PyTorch is not installed; skipping the PyTorch reference.")
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--label", type=int, default=-1)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(2)

    table = np.loadtxt(args.csv, delimiter=",", dtype=np.float64, ndmin=2)
    label = args.label % table.shape[1]
    features = np.delete(table, label, axis=1).astype(np.float32)
    labels = table[:, label].astype(np.int64)
    classes = int(labels.max()) + 1
    samples = len(features)
    test_count, validation_count = samples // 5, samples // 10
    print(f"torch {torch.__version__}, {args.csv}: {samples} samples, {features.shape[1]} features, {classes} classes")

    errors = []
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(samples)
        test, train = order[:test_count], order[test_count + validation_count:]
        mean = features[train].mean(axis=0)
        deviation = features[train].std(axis=0)
        deviation[deviation == 0] = 1
        x = torch.tensor((features - mean) / deviation)
        y = torch.tensor(labels)
        torch.manual_seed(seed)
        network = torch.nn.Sequential(
            torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, classes))
        optimizer = torch.optim.AdamW(network.parameters(), lr=1e-3)
        start = time.perf_counter()
        for epoch in range(args.epochs):
            permutation = torch.tensor(train[np.random.default_rng(1000 * seed + epoch).permutation(len(train))])
            for first in range(0, len(permutation), args.batch):
                batch = permutation[first:first + args.batch]
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(network(x[batch]), y[batch]).backward()
                optimizer.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            error = (network(x[test]).argmax(dim=1) != y[test]).float().mean().item()
        errors.append(error)
        print(f"seed {seed}: test error {100 * error:.2f}% after {args.epochs} epochs, {seconds:.2f} s of training")
    print(f"test error {100 * min(errors):.2f}% to {100 * max(errors):.2f}% over {args.seeds} seeds")


if __name__ == "__main__":
    main()
