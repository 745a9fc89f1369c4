#!/usr/bin/env python3
"""PyTorch's counterparts of VarianceKit's fills: uniform_, normal_, trunc_normal_, orthogonal_
(float32, 4096 x 4096), at 1 and 2 threads. Exits quietly with a note when PyTorch is missing.

    python3 Benchmarks/peers/fills_torch.py [--size 4096] [--repeat 5] [--orthogonal 1024,4096]
"""
import argparse
import sys
import time


CPU_SECONDS = []


def best(repeat, body):
    """Best wall time over `repeat` calls; the best process CPU time goes to CPU_SECONDS[-1]
    (robust to a loaded machine, where wall time mostly measures waiting)."""
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_SECONDS.append(min(cpu))
    return min(times)


def main():
    try:
        import torch
    except ImportError:
        print("torch: skipped (PyTorch is not installed)")
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orthogonal", default="")
    args = parser.parse_args()
    n = args.size
    torch.manual_seed(1)
    out = torch.empty((n, n), dtype=torch.float32)
    count = n * n
    for threads in (1, 2):
        torch.set_num_threads(threads)
        fills = [
            ("uniform", lambda: out.uniform_()),
            ("normal", lambda: out.normal_()),
            ("truncated-normal", lambda: torch.nn.init.trunc_normal_(out, a=-2.0, b=2.0)),
        ]
        for name, body in fills:
            seconds = best(args.repeat, body)
            print(f"torch {name:18s} {n}x{n} threads={threads}: {seconds * 1e3:8.1f} ms  {count / seconds / 1e9:6.3f} G elements/s (cpu {CPU_SECONDS[-1] * 1e3:7.1f} ms, {count / CPU_SECONDS[-1] / 1e9:6.3f} G/cpu-s)")
        for size in [int(s) for s in args.orthogonal.split(",") if s]:
            w = torch.empty((size, size), dtype=torch.float32)
            seconds = best(max(1, args.repeat // 2), lambda: torch.nn.init.orthogonal_(w))
            print(f"torch orthogonal {size}x{size} threads={threads}: {seconds:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
