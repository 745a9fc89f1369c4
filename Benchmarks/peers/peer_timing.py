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
