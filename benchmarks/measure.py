"""One measurement: build and run one configuration in this process; time, throughput, memory.

The benchmark command runs each measurement in a fresh interpreter
(`python -m benchmarks.measure '<json spec>'`, one JSON line out), so the peak memory reported is
that configuration's own and no run warms caches for the next.

A spec names what to run:
    {"kind": "model" | "reference" | "kanwil", "scale": 0.05, "data_set": "article", "seed": 1,
     "settings": "regional_plan" | "reference_rules", "horizon": "2030-12", "floor": true,
     "clock": "cpu"}
"model" is the EnrollmentModel with the named settings; "reference" is the object-per-agent
reference (benchmarks/reference_model.py) built from the EnrollmentModel's month 0 with the
reference rules; "kanwil" runs the office's three provinces one after the other in this process
(each its default data set and its part of the settings, experiments/office.py::localize), as a
Kanwil run's worker does, keeping each province's tables. With "floor", the bare numpy floor
(benchmarks/floor.py) runs after the model on the same population: `floor_s` and
`floor_ratio` (floor s / run s). With "clock": "cpu", run and floor seconds (not the build's)
are this process's CPU seconds (`time.process_time`) instead of wall seconds: on a machine
shared with other work, wall time counts the waits for a core, CPU time does not.
"""

from __future__ import annotations

import json
import resource
import sys
import time

SETTINGS = ("regional_plan", "reference_rules")


def settings(name: str) -> dict:
    from benchmarks import plan

    if name not in SETTINGS:
        raise ValueError(f"unknown settings {name!r}; choose from {', '.join(SETTINGS)}")
    return plan.REGIONAL_PLAN if name == "regional_plan" else plan.REFERENCE_RULES


def _status_gb(field: str) -> float | None:
    """A memory line of /proc/self/status (Linux) in GB, or None elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        return None
    return None


def current_rss_gb() -> float | None:
    """Resident memory now."""
    return _status_gb("VmRSS")


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far: the kernel's high-water mark (VmHWM), which
    counts the current RSS too (ru_maxrss can lag it by a few pages), else ru_maxrss (KiB)."""
    hwm = _status_gb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _clock(spec: dict):
    return time.process_time if spec.get("clock") == "cpu" else time.perf_counter


def measure(spec: dict) -> dict:
    """Build and run `spec` here; returns seconds, workers, worker-months per second, memory."""
    from model import EnrollmentModel

    chosen = settings(spec["settings"])   # imports the scenario library: not part of the build
    rss_imports = current_rss_gb()
    start = time.perf_counter()
    model = EnrollmentModel(scale=spec["scale"], seed=spec.get("seed", 1),
                            data_set=spec["data_set"], horizon=spec.get("horizon", "2030-12"),
                            **chosen)
    build = time.perf_counter() - start
    if spec["kind"] == "reference":
        return _measure_reference(spec, model, rss_imports)
    informal = int(model.pop.informal().sum())   # at month 0, as the reference counts them
    clock = _clock(spec)
    start = clock()
    model.run()
    run = clock() - start
    figures = _figures(spec, model.pop.n, informal, model.n_months, build, run, rss_imports)
    if not spec.get("floor"):
        return figures
    from benchmarks import floor   # after the model: its peak memory is the model's

    floor_s = floor.of_model(model, clock)
    return {**figures, "floor_s": floor_s, "floor_ratio": floor_s / run}


def measure_kanwil(spec: dict) -> dict:
    """The three provinces one after the other, each model dropped once its tables are taken."""
    from experiments.office import localize, provinces
    from model import EnrollmentModel

    chosen = settings(spec["settings"])
    clock = _clock(spec)
    rss_imports = current_rss_gb()
    build = run = 0.0
    workers = informal = worker_months = 0
    tables, floors = [], []
    for region in provinces():
        start = time.perf_counter()
        model = EnrollmentModel(scale=spec["scale"], seed=spec.get("seed", 1), region=region,
                                horizon=spec.get("horizon", "2030-12"), **localize(chosen, region))
        build += time.perf_counter() - start
        workers += model.pop.n
        worker_months += model.pop.n * model.n_months
        informal += int(model.pop.informal().sum())
        start = clock()
        model.run()
        run += clock() - start
        tables.append((model.results(), model.regency_table()))
        floors.append((model.pop.peer_group.copy(), model.pop.places.n_groups, model.n_months))
        del model
    # months: the provinces' worker-weighted mean (Bengkulu starts four months later)
    figures = _figures(spec, workers, informal, worker_months / workers, build, run, rss_imports)
    if not spec.get("floor"):
        return figures
    from benchmarks import floor

    floor_s = sum(floor.run(groups, n, months, spec.get("seed", 1), clock) for groups, n, months in floors)
    return {**figures, "floor_s": floor_s, "floor_ratio": floor_s / run}


def _measure_reference(spec: dict, model, rss_imports) -> dict:
    """The reference is built from the model's month 0; its build time is the copy only."""
    from benchmarks.reference_model import ReferenceModel

    start = time.perf_counter()
    reference = ReferenceModel.from_model(model, seed=spec.get("seed", 1))
    build = time.perf_counter() - start
    start = time.perf_counter()
    reference.run()
    run = time.perf_counter() - start
    n = len(reference.agents)
    return _figures(spec, n, n, reference.n_months, build, run, rss_imports)


def _figures(spec, workers, informal, months, build, run, rss_imports) -> dict:
    return {
        **spec, "workers": workers, "informal_workers": informal, "months": months,
        "build_s": build, "run_s": run, "total_s": build + run,
        "worker_months_per_s": workers * months / run,
        "informal_worker_months_per_s": informal * months / run,
        # the kernel's high-water mark can lag a reading of VmRSS (per-CPU counters synced
        # lazily): the peak is at least every resident size read in this process
        "rss_after_imports_gb": rss_imports,
        "peak_rss_gb": max(peak_rss_gb(), rss_imports or 0.0, current_rss_gb() or 0.0),
    }


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    print(json.dumps(measure_kanwil(spec) if spec["kind"] == "kanwil" else measure(spec)))


if __name__ == "__main__":
    main(sys.argv[1:])
