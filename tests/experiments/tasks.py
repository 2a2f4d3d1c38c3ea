"""Task functions for executor tests: workers import them by name, like experiments.runner."""

import os


def square_or_die(n: int) -> int:
    """Kills its worker process for n < 0 (a crash the pool must survive)."""
    if n < 0:
        os._exit(3)
    return n * n


def pid(_: object) -> int:
    """The worker process that ran the task."""
    return os.getpid()


def nap(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds
