#!/usr/bin/env python3
"""numpy's counterparts of VarianceKit's fills (float32, 4096 x 4096 unless told otherwise).

Prints one line per fill: name, best wall time over the repetitions, elements per second.
numpy's generators are single-threaded; the 2-thread line is the same call (numpy has no
threaded fill), printed so the table lines up with VarianceKit's.

    python3 Benchmarks/peers/fills_numpy.py [--size 4096] [--repeat 5] [--orthogonal 1024,4096]
"""
import argparse

import numpy as np


from peer_timing import best_of


def truncated_normal(generator, out, lower=-2.0, upper=2.0):
    """Exact truncated normal by inversion (numpy has no truncated normal of its own)."""
    from math import erf, sqrt
    cdf = lambda x: 0.5 * (1 + erf(x / sqrt(2)))
    a, b = cdf(lower), cdf(upper)
    u = generator.random(out.shape, dtype=np.float32)
    # scipy's ndtri is the inverse CDF; fall back to numpy's erfinv-free route if scipy is missing.
    try:
        from scipy.special import ndtri
        np.copyto(out, ndtri(a + u * (b - a)).astype(np.float32))
    except ImportError:
        return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orthogonal", default="")
    args = parser.parse_args()
    n = args.size
    generator = np.random.default_rng(1)
    out = np.empty((n, n), dtype=np.float32)
    count = n * n
    rows = [
        ("uniform", lambda: generator.random(out=out, dtype=np.float32)),
        ("normal", lambda: generator.standard_normal(out=out, dtype=np.float32)),
    ]
    for name, body in rows:
        seconds, cpu_seconds = best_of(args.repeat, body)
        print(f"numpy {name:18s} {n}x{n}: {seconds * 1e3:8.1f} ms  {count / seconds / 1e9:6.3f} G elements/s (cpu {cpu_seconds * 1e3:7.1f} ms, {count / cpu_seconds / 1e9:6.3f} G/cpu-s)")
    if truncated_normal(generator, out):
        seconds, cpu_seconds = best_of(args.repeat, lambda: truncated_normal(generator, out))
        print(f"numpy {'truncated-normal':18s} {n}x{n}: {seconds * 1e3:8.1f} ms  {count / seconds / 1e9:6.3f} G elements/s (cpu {cpu_seconds * 1e3:7.1f} ms, {count / cpu_seconds / 1e9:6.3f} G/cpu-s) (scipy ndtri)")
    else:
        print("numpy truncated-normal: skipped (scipy not installed)")
    for size in [int(s) for s in args.orthogonal.split(",") if s]:
        a = generator.standard_normal((size, size), dtype=np.float32)

        def orthogonal():
            q, r = np.linalg.qr(a)
            q *= np.sign(np.diag(r))

        seconds, cpu_seconds = best_of(max(1, args.repeat // 2), orthogonal)
        print(f"numpy orthogonal {size}x{size}: {seconds:8.3f} s (np.linalg.qr + sign fold)")


if __name__ == "__main__":
    main()
