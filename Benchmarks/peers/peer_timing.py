"""Timing shared by the peer scripts (imported from the script's own folder)."""
import time


def best_of(repeat, body):
    """Runs `body` `repeat` times; returns (best wall seconds, best process CPU seconds).

    CPU time is robust to a loaded machine, where wall time mostly measures waiting."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def fill_arguments():
    """The command line shared by the fill peers: --size, --repeat, --orthogonal."""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orthogonal", default="", help="comma-separated square sizes, e.g. 1024,4096")
    return parser.parse_args()


def fill_line(label, n, seconds, cpu_seconds):
    """One fill's line: best wall time and elements per second, and the same per CPU second."""
    count = n * n
    return (f"{label}: {seconds * 1e3:8.1f} ms  {count / seconds / 1e9:6.3f} G elements/s "
            f"(cpu {cpu_seconds * 1e3:7.1f} ms, {count / cpu_seconds / 1e9:6.3f} G/cpu-s)")
