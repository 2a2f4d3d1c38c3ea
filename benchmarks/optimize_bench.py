"""The default optimisation (`cakupan optimize`, problem reach_50) timed end to end.

    .venv/bin/python -m benchmarks.optimize_bench                      # the default problem, 2 workers
    .venv/bin/python -m benchmarks.optimize_bench --save benchmarks/saved/optimize-after.json
    .venv/bin/python -m benchmarks.optimize_bench --compare benchmarks/saved/optimize-before.json
    .venv/bin/python -m benchmarks.optimize_bench --trials 48          # a shorter smoke run
    .venv/bin/python -m benchmarks.optimize_bench --region kanwil      # the same problem for the Kanwil
    .venv/bin/python -m benchmarks.optimize_bench --no-verify          # without the out-of-sample check

Prints the model runs, the candidates evaluated on each rung, the wall seconds, the CPU seconds
of this process and of its workers (the CPU-bound figure: CPU seconds / workers is the wall time
on idle cores) and the load average before and after; the verdict and the recommended plan, so
a faster search that finds a worse plan is visible. Figures depend on the machine's load: compare
figures taken on the same machine.

Out of sample (issue 24: speed must not come from a search that finds worse plans): after the
search, the recommended plan (or, when none qualifies, the closest) runs again at
VERIFY_SCALE_FACTOR x the last rung's scale with VERIFY_REPLICATES replicates and new seeds (the
root seed + VERIFY_SEED_OFFSET; replicate r still takes parameter draw r of the ensemble, so half
the draws are new too), and the benchmark prints its P(target) and coverage beside the search's
own figures and whether it still meets the target with the stated probability. Its CPU seconds
are counted apart from the search's.
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

from experiments import office, optimize as opt
from experiments.executors import LocalExecutor

VERIFY_SCALE_FACTOR = 2.5      # the last rung's 0.02 -> 0.05
VERIFY_REPLICATES = 16
VERIFY_SEED_OFFSET = 1000


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


def load(problem_ref: str = "reach_50", region: str | None = None) -> opt.OptProblem:
    """A built-in problem (or file), for `region` when given (as `cakupan optimize --region`)."""
    return opt.load_problem(problem_ref, region)


def verify(problem: opt.OptProblem, outcome: opt.Outcome, workers: int) -> dict | None:
    """The recommended (or closest) plan out of sample: a larger scale, more replicates, new seeds."""
    best = outcome.recommended
    if best is None:
        return None
    last = problem.search.rungs[-1]
    rung = opt.Rung(scale=round(last.scale * VERIFY_SCALE_FACTOR, 6), replicates=VERIFY_REPLICATES)
    fresh = problem.model_copy(update={"seed": problem.seed + VERIFY_SEED_OFFSET})
    plan = outcome.scenarios[int(best["trial"])].override(scale=rung.scale)
    executor = LocalExecutor(workers)
    cpu, start = _cpu(), time.perf_counter()
    try:
        m = opt.ModelEvaluator(fresh, executor)([plan], rung)[0]
    finally:
        executor.close()
    wall = time.perf_counter() - start
    time.sleep(0.5)
    o = problem.objective
    meets = m["p_target"] >= o.probability - 1e-12 and (
        not problem.constraints.no_regency_below_status_quo
        or m["regency_shortfall"] <= problem.constraints.regency_tolerance + 1e-12)
    return {"scale": rung.scale, "replicates": rung.replicates, "seed": fresh.seed,
            "trial": int(best["trial"]), "recommended": bool(outcome.reachable),
            "p_target": round(m["p_target"], 4), "coverage_mean": round(m["coverage_mean"], 4),
            "coverage_at_p": round(m["coverage_at_p"], 4), "spend_year_idr": m["spend_year_idr"],
            "regency_shortfall": round(m.get("regency_shortfall", 0.0), 4),
            "meets_target": bool(meets and outcome.reachable),
            "wall_s": round(wall, 1), "cpu_s": round(_cpu() - cpu, 1)}


def measure(problem_ref: str = "reach_50", workers: int = 2, trials: int | None = None,
            region: str | None = None, check: bool = True) -> dict:
    problem = load(problem_ref, region)
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
    region_id = problem.base.region
    return {
        "machine": {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "cores": os.cpu_count(),
                    "python": platform.python_version(), "commit": _commit(),
                    "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in os.getloadavg()]},
        "problem": problem.name, "region": region_id, "dimensions": len(opt.space(problem)),
        "trials": problem.search.trials, "workers": workers,
        "model_runs": evaluator.model_runs, "candidates": evaluator.candidates,
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "cpu_s_per_worker": round(cpu / workers, 1),
        "message": outcome.message(),
        "recommended": {k: best.get(k) for k in ("trial", "spend_year_idr", "p_target", "coverage_mean",
                                                 "coverage_at_p")},
        "reachable": bool(outcome.reachable),
        "out_of_sample": verify(problem, outcome, workers) if check else None,
    }


def show(figures: dict, previous: dict | None = None) -> str:
    rows = [("model runs", "model_runs"), ("wall seconds", "wall_s"), ("CPU seconds", "cpu_s"),
            ("CPU seconds / worker", "cpu_s_per_worker")]
    lines = [f"{figures['problem']} ({figures.get('region', 'sumsel')}, {figures.get('dimensions', '?')} "
             f"dimensions): {figures['trials']} trials, {figures['workers']} workers, "
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
    for label, data in (("out of sample", figures.get("out_of_sample")),
                        ("saved out of sample", (previous or {}).get("out_of_sample"))):
        if data:
            lines.append(f"  {label}: {_verified(figures, data)}")
    return "\n".join(lines)


def _verified(figures: dict, v: dict) -> str:
    plan = "recommended plan" if v["recommended"] else "closest plan (none recommended)"
    verdict = "meets" if v["meets_target"] else "does NOT meet"
    return (f"{plan} trial {v['trial']} at scale {v['scale']:g} x {v['replicates']} replicates, seeds from "
            f"{v['seed']}: P = {v['p_target']:.0%}, coverage {v['coverage_mean']:.1%} (at 1-p quantile "
            f"{v['coverage_at_p']:.1%}), Rp {v['spend_year_idr'] / 1e9:,.1f} bn a year, regency shortfall "
            f"{v['regency_shortfall']:.3f}: {verdict} its target ({v['wall_s']} s wall, {v['cpu_s']} CPU s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="reach_50")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--region", default=None, help=f"a province id or {office.OFFICE!r} (the problem's "
                                                        "region replaced)")
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip the out-of-sample re-run of the recommended plan")
    parser.add_argument("--save", type=Path, default=None)
    parser.add_argument("--compare", type=Path, default=None)
    args = parser.parse_args(argv)
    figures = measure(args.problem, args.workers, args.trials, args.region, args.verify)
    previous = json.loads(args.compare.read_text()) if args.compare else None
    print(show(figures, previous))
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
