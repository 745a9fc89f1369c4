#!/usr/bin/env python3
"""PyTorch's own optimizers (foreach and, where available, fused) doing the updates of
Benchmarks/OptimizerBenchmarks on 16M float32 parameters, on the CPU.

Skips (exit 0, with a message) when PyTorch is not installed.

Usage: python3 Benchmarks/peers/optimizer_torch.py [--count N] [--repeats R]
"""
import argparse
import sys

from peer_timing import best_of

try:
    import torch
except ImportError:
    print("optimizer_torch.py: PyTorch is not installed; skipping the PyTorch comparison.")
    sys.exit(0)


# The hyperparameters of Benchmarks/OptimizerBenchmarks and `initbench kernels --only optimizers`.
LEARNING_RATE, DECAY, MOMENTUM = 1e-4, 1e-2, 0.9


def parameter(count):
    """A float32 parameter of `count` elements with a gradient, both deterministic and finite."""
    values = ((torch.arange(count) % 251) - 125).to(torch.float32) / 128
    p = torch.nn.Parameter(values.clone())
    p.grad = values.flip(0).clone()
    return p


def fused_momentum(ps):
    return torch.optim.SGD(ps, lr=LEARNING_RATE, momentum=MOMENTUM, weight_decay=DECAY, fused=True)


def fused_adamw(ps):
    return torch.optim.AdamW(ps, lr=LEARNING_RATE, weight_decay=DECAY, fused=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1 << 24)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    n = args.count
    torch.set_num_threads(2)

    def measure(make_optimizer):
        optimizer = make_optimizer([parameter(n)])
        seconds, _ = best_of(args.repeats, optimizer.step, warmup=1)
        return seconds

    lr, lam = LEARNING_RATE, DECAY
    cases = [
        ("SGD+L2 foreach", 12, lambda ps: torch.optim.SGD(ps, lr=lr, weight_decay=lam, foreach=True)),
        ("SGD+mom+L2 foreach", 20,
         lambda ps: torch.optim.SGD(ps, lr=lr, momentum=MOMENTUM, weight_decay=lam, foreach=True)),
        ("AdamW foreach", 28, lambda ps: torch.optim.AdamW(ps, lr=lr, weight_decay=lam, foreach=True)),
    ]
    fused = [("SGD+mom+L2 fused", 20, fused_momentum), ("AdamW fused", 28, fused_adamw)]
    for name, fused_bytes, make in fused:
        try:
            probe = torch.nn.Parameter(torch.zeros(1))
            probe.grad = torch.zeros(1)
            make([probe]).step()
            cases.append((name, fused_bytes, make))
        except (RuntimeError, TypeError, ValueError):
            pass
    print(f"torch {torch.__version__}, {n} parameters, 2 threads, best of {args.repeats}")
    for name, fused_bytes, make in cases:
        seconds = measure(make)
        print(f"{name:18s} {seconds * 1e3:8.2f} ms  {fused_bytes * n / seconds / 1e9:6.2f} GB/s (fused bytes)")


if __name__ == "__main__":
    main()
