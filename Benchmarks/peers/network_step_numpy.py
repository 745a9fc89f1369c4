#!/usr/bin/env python3
"""One training step of a dense network in numpy, hand-written backprop, for comparison with
VarianceKit's `network step` benchmark (Benchmarks/Benchmarks/NetworkBenchmarks).

Same step: Xavier-uniform weights [width, width] (float32), zero biases, N(0, 1) input [batch, width];
forward Z = X W^T + b, A = phi(Z) per layer; backward with the random readout loss
L = sum(R * A_L) / batch (dL/dA = R / batch), dZ = dA * phi'(Z), dW = dZ^T X, db = sum_rows dZ,
dX = dZ W (skipped for the first layer). Prints one line per shape with the median step time.

Usage: python3 Benchmarks/peers/network_step_numpy.py [--repeats N]
"""
import argparse
import json

import numpy as np

from peer_timing import median_of

SHAPES = [(10, 1024, 256, "tanh"), (20, 2048, 512, "relu")]


def make(depth, width, batch, seed=1):
    rng = np.random.default_rng(seed)
    bound = np.sqrt(6.0 / (2 * width))
    weights = [rng.uniform(-bound, bound, size=(width, width)).astype(np.float32) for _ in range(depth)]
    biases = [np.zeros(width, dtype=np.float32) for _ in range(depth)]
    x = rng.standard_normal((batch, width)).astype(np.float32)
    readout = rng.standard_normal((batch, width)).astype(np.float32)
    return weights, biases, x, readout


def step(weights, biases, x, readout, activation):
    batch = x.shape[0]
    inputs, zs, activations = [], [], []
    a = x
    for w, b in zip(weights, biases):
        inputs.append(a)
        z = a @ w.T
        z += b
        a = np.tanh(z) if activation == "tanh" else np.maximum(z, 0)
        zs.append(z)
        activations.append(a)
    loss = float(np.sum(readout * a)) / batch
    da = readout / batch
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        z, a = zs[layer], activations[layer]
        if activation == "tanh":
            dz = da * (1 - a * a)
        else:
            dz = da * (z > 0)
        dw = dz.T @ inputs[layer]
        db = dz.sum(axis=0)
        grads.append((dw, db))
        if layer > 0:
            da = dz @ weights[layer]
    return loss, grads


def bare_sgemm(depth, weights, x):
    z = x @ weights[0].T
    for layer in range(depth):
        z = x @ weights[layer].T
    for layer in range(depth):
        _ = z.T @ x
        if layer > 0:
            _ = z @ weights[layer]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for depth, width, batch, activation in SHAPES:
        weights, biases, x, readout = make(depth, width, batch)
        step_time = median_of(args.repeats, lambda: step(weights, biases, x, readout, activation))
        gemm_time = median_of(args.repeats, lambda: bare_sgemm(depth, weights, x))
        print(json.dumps({
            "peer": "numpy", "numpy": np.__version__, "depth": depth, "width": width, "batch": batch,
            "activation": activation, "step_seconds": step_time, "bare_sgemm_seconds": gemm_time,
            "step_over_sgemm": step_time / gemm_time,
        }))


if __name__ == "__main__":
    main()
