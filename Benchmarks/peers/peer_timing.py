"""Timing shared by the peer scripts (imported from the script's own folder)."""
import time


def timed(repeat, body, warmup=0):
    """Runs `body` `warmup` times untimed, then `repeat` times; returns the wall and process CPU
    seconds of each timed run (CPU time is robust to a loaded machine, where wall time mostly
    measures waiting)."""
    for _ in range(warmup):
        body()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def best_of(repeat, body, warmup=0):
    """(best wall seconds, best process CPU seconds) of `repeat` timed runs of `body`."""
    wall, cpu = timed(repeat, body, warmup)
    return min(wall), min(cpu)


def median_of(repeat, body, warmup=1):
    """Median wall seconds of `repeat` timed runs of `body`, after `warmup` untimed ones."""
    import statistics
    wall, _ = timed(repeat, body, warmup)
    return statistics.median(wall)


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
