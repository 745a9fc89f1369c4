#!/usr/bin/env python3
"""PyTorch's counterparts of VarianceKit's fills: uniform_, normal_, trunc_normal_, orthogonal_
(float32, 4096 x 4096), at 1 and 2 threads. Exits quietly with a note when PyTorch is missing.
`measure` is what `compare_fills.py` calls, `measure_orthogonal` what `compare_orthogonal.py` calls.

    python3 Benchmarks/peers/fills_torch.py [--size 4096] [--repeat 5] [--orthogonal 1024,4096]
"""
import sys


from peer_timing import best_of, fill_arguments, fill_line


def measure(n, repeat, threads, seed=1):
    """Best (wall, cpu) seconds per fill name for an n x n float32 fill on `threads` threads,
    or None when PyTorch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    out = torch.empty((n, n), dtype=torch.float32)
    bodies = {
        "uniform": lambda: out.uniform_(),
        "normal": lambda: out.normal_(),
        "truncated-normal": lambda: torch.nn.init.trunc_normal_(out, a=-2.0, b=2.0),
    }
    return {name: best_of(repeat, body) for name, body in bodies.items()}


def measure_orthogonal(sizes, repeat, threads, seed=1):
    """Best (wall, cpu) seconds of orthogonal_ per size (float32, size x size) on `threads`
    threads, or None when PyTorch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    results = {}
    for size in sizes:
        w = torch.empty((size, size), dtype=torch.float32)
        results[size] = best_of(repeat, lambda: torch.nn.init.orthogonal_(w))
    return results


def main():
    args = fill_arguments()
    n = args.size
    for threads in (1, 2):
        results = measure(n, args.repeat, threads)
        if results is None:
            print("torch: skipped (PyTorch is not installed)")
            return 0
        for name, (seconds, cpu_seconds) in results.items():
            print(fill_line(f"torch {name:18s} {n}x{n} threads={threads}", n, seconds, cpu_seconds))
        sizes = [int(s) for s in args.orthogonal.split(",") if s]
        for size, (seconds, _) in measure_orthogonal(sizes, max(1, args.repeat // 2), threads).items():
            print(f"torch orthogonal {size}x{size} threads={threads}: {seconds:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
