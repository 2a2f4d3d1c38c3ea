"""The default optimisation (`cakupan optimize`, problem reach_50) timed end to end.

    .venv/bin/python -m benchmarks.optimize_bench                      # the default problem, 2 workers
    .venv/bin/python -m benchmarks.optimize_bench --save benchmarks/saved/optimize-after.json
    .venv/bin/python -m benchmarks.optimize_bench --compare benchmarks/saved/optimize-before.json
    .venv/bin/python -m benchmarks.optimize_bench --trials 48          # a shorter smoke run

Prints the model runs, the candidates evaluated on each rung, the wall seconds, the CPU seconds
of this process and of its workers (the CPU-bound figure: CPU seconds / workers is the wall time
on idle cores) and the load average before and after; the verdict and the recommended plan, so
a faster search that finds a worse plan is visible. Figures depend on the machine's load: compare
figures taken on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from experiments import optimize as opt
from experiments.executors import LocalExecutor


class CountingEvaluator(opt.ModelEvaluator):
    """The model evaluator, counting the model runs and the candidates of each rung."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model_runs = 0
        self.candidates: dict[str, int] = {}

    def specs(self, *args, **kwargs):
        out = super().specs(*args, **kwargs)
        self.model_runs += len(out)
        return out

    def run(self, scenarios, rung, *args, **kwargs):
        key = f"scale {rung.scale:g} x {rung.replicates}"
        self.candidates[key] = self.candidates.get(key, 0) + len(scenarios)
        return super().run(scenarios, rung, *args, **kwargs)


def _cpu() -> float:
    """CPU seconds of this process, its children and the workers: the process pool's workers are
    children of multiprocessing's forkserver, which reaps them, so they count in its cutime."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def measure(problem_ref: str = "reach_50", workers: int = 2, trials: int | None = None) -> dict:
    problem = opt.load_problem(problem_ref)
    if trials is not None:
        problem = problem.with_trials(trials)
    load_before = os.getloadavg()
    executor = LocalExecutor(workers)
    evaluator = CountingEvaluator(problem, executor)
    cpu, start = _cpu(), time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as folder:
            outcome = opt.optimize(problem, folder, executor, evaluator=evaluator)
    finally:
        executor.close()
    wall = time.perf_counter() - start
    time.sleep(0.5)                           # the forkserver reaps the last workers
    cpu = _cpu() - cpu
    best = outcome.recommended or {}
    return {
        "machine": {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "cores": os.cpu_count(),
                    "python": platform.python_version(), "commit": _commit(),
                    "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in os.getloadavg()]},
        "problem": problem.name, "trials": problem.search.trials, "workers": workers,
        "model_runs": evaluator.model_runs, "candidates": evaluator.candidates,
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "cpu_s_per_worker": round(cpu / workers, 1),
        "message": outcome.message(),
        "recommended": {k: best.get(k) for k in ("trial", "spend_year_idr", "p_target", "coverage_mean",
                                                 "coverage_at_p")},
    }


def show(figures: dict, previous: dict | None = None) -> str:
    rows = [("model runs", "model_runs"), ("wall seconds", "wall_s"), ("CPU seconds", "cpu_s"),
            ("CPU seconds / worker", "cpu_s_per_worker")]
    lines = [f"{figures['problem']}: {figures['trials']} trials, {figures['workers']} workers, "
             f"load {figures['machine']['load_before']} -> {figures['machine']['load_after']}"]
    for label, key in rows:
        old = f"   (saved: {previous[key]})" if previous and key in previous else ""
        lines.append(f"  {label:<22}{figures[key]:>10}{old}")
    lines.append(f"  candidates by rung: {figures['candidates']}")
    if previous:
        lines.append(f"  saved candidates:   {previous.get('candidates')}")
    lines.append(f"  {figures['message']}")
    if previous:
        lines.append(f"  saved: {previous.get('message')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="reach_50")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--save", type=Path, default=None)
    parser.add_argument("--compare", type=Path, default=None)
    args = parser.parse_args(argv)
    figures = measure(args.problem, args.workers, args.trials)
    previous = json.loads(args.compare.read_text()) if args.compare else None
    print(show(figures, previous))
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
