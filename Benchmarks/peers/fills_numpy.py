#!/usr/bin/env python3
"""numpy's counterparts of VarianceKit's fills (float32, 4096 x 4096 unless told otherwise).

Prints one line per fill: name, best wall time over the repetitions, elements per second.
numpy's generators are single-threaded. `measure` is what `compare_fills.py` calls.

    python3 Benchmarks/peers/fills_numpy.py [--size 4096] [--repeat 5] [--orthogonal 1024,4096]
"""
import numpy as np


from peer_timing import best_of, fill_arguments, fill_line


def truncated_normal(generator, out, lower=-2.0, upper=2.0):
    """Exact truncated normal by inversion (numpy has no truncated normal of its own).
    Returns False when scipy (for the inverse CDF `ndtri`) is missing."""
    from math import erf, sqrt
    cdf = lambda x: 0.5 * (1 + erf(x / sqrt(2)))
    a, b = cdf(lower), cdf(upper)
    try:
        from scipy.special import ndtri
    except ImportError:
        return False
    u = generator.random(out.shape, dtype=np.float32)
    np.copyto(out, ndtri(a + u * (b - a)).astype(np.float32))
    return True


def measure(n, repeat, seed=1):
    """Best (wall, cpu) seconds per fill name for an n x n float32 fill."""
    generator = np.random.default_rng(seed)
    out = np.empty((n, n), dtype=np.float32)
    bodies = {
        "uniform": lambda: generator.random(out=out, dtype=np.float32),
        "normal": lambda: generator.standard_normal(out=out, dtype=np.float32),
    }
    if truncated_normal(generator, out):
        bodies["truncated-normal"] = lambda: truncated_normal(generator, out)
    return {name: best_of(repeat, body) for name, body in bodies.items()}


def main():
    args = fill_arguments()
    n = args.size
    results = measure(n, args.repeat)
    for name, (seconds, cpu_seconds) in results.items():
        note = " (scipy ndtri)" if name == "truncated-normal" else ""
        print(fill_line(f"numpy {name:18s} {n}x{n}", n, seconds, cpu_seconds) + note)
    if "truncated-normal" not in results:
        print("numpy truncated-normal: skipped (scipy not installed)")
    generator = np.random.default_rng(2)
    for size in [int(s) for s in args.orthogonal.split(",") if s]:
        a = generator.standard_normal((size, size), dtype=np.float32)

        def orthogonal():
            q, r = np.linalg.qr(a)
            q *= np.sign(np.diag(r))

        seconds, cpu_seconds = best_of(max(1, args.repeat // 2), orthogonal)
        print(f"numpy orthogonal {size}x{size}: {seconds:8.3f} s (np.linalg.qr + sign fold)")


if __name__ == "__main__":
    main()
