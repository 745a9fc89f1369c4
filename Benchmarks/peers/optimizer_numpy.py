#!/usr/bin/env python3
"""numpy doing the same fused optimizer updates as Benchmarks/OptimizerBenchmarks, on 16M float32
parameters, in place with preallocated temporaries (ufunc `out=`), the fastest plain-numpy form.

numpy cannot fuse: each line below is one pass over memory, so the bytes it actually moves are
several times the fused loop's. Bandwidth is quoted against the fused byte count (12 B per element
for SGD+L2/L1, 28 B for AdamW) so that it compares directly with the Swift and C figures.

Usage: python3 Benchmarks/peers/optimizer_numpy.py [--count N] [--repeats R]
"""
import argparse

import numpy as np

from peer_timing import best_of


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1 << 24)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    n = args.count
    index = np.arange(n)
    w = ((index % 251) - 125).astype(np.float32) / 128
    g = w[::-1].copy()
    m = np.zeros(n, np.float32)
    v = np.zeros(n, np.float32)
    tmp = np.empty(n, np.float32)
    lr, lam = np.float32(1e-4), np.float32(1e-2)
    beta1, beta2, eps = np.float32(0.9), np.float32(0.999), np.float32(1e-8)

    def sgd_l2():
        # w <- w - lr (g + lam w) = (1 - lr lam) w - lr g
        np.multiply(g, lr, out=tmp)
        np.multiply(w, np.float32(1) - lr * lam, out=w)
        np.subtract(w, tmp, out=w)

    def sgd_l1():
        # w <- w - lr (g + lam sgn w)
        np.sign(w, out=tmp)
        np.multiply(tmp, lam, out=tmp)
        np.add(tmp, g, out=tmp)
        np.multiply(tmp, lr, out=tmp)
        np.subtract(w, tmp, out=w)

    step = [0]

    def adamw():
        step[0] += 1
        t = step[0]
        np.multiply(w, np.float32(1) - lr * lam, out=w)
        np.multiply(m, beta1, out=m)
        np.multiply(g, np.float32(1) - beta1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(v, beta2, out=v)
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, np.float32(1) - beta2, out=tmp)
        np.add(v, tmp, out=v)
        np.sqrt(v, out=tmp)
        np.multiply(tmp, np.float32(1 / np.sqrt(1 - beta2 ** t)), out=tmp)
        np.add(tmp, eps, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, np.float32(lr / (1 - beta1 ** t)), out=tmp)
        np.subtract(w, tmp, out=w)

    print(f"numpy {np.__version__}, {n} parameters, best of {args.repeats}")
    for name, update, fused_bytes in [("SGD+L2", sgd_l2, 12), ("SGD+L1", sgd_l1, 12), ("AdamW", adamw, 28)]:
        seconds, _ = best_of(args.repeats, update, warmup=1)
        print(f"{name:7s} numpy  {seconds * 1e3:8.2f} ms  {fused_bytes * n / seconds / 1e9:6.2f} GB/s (fused bytes)")


if __name__ == "__main__":
    main()
