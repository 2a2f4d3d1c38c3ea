"""One measurement: build and run one configuration in this process; time, throughput, memory.

The benchmark command runs each measurement in a fresh interpreter
(`python -m benchmarks.measure '<json spec>'`, one JSON line out), so the peak memory reported is
that configuration's own and no run warms caches for the next.

A spec names what to run:
    {"kind": "model" | "reference", "scale": 0.05, "data_set": "article", "seed": 1,
     "settings": "regional_plan" | "reference_rules", "horizon": "2030-12"}
"model" is the EnrollmentModel with the named settings; "reference" is the object-per-agent
reference (benchmarks/reference_model.py) built from the EnrollmentModel's month 0 with the
reference rules.
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
    start = time.perf_counter()
    model.run()
    run = time.perf_counter() - start
    return _figures(spec, model.pop.n, informal, model.n_months, build, run, rss_imports)


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
    print(json.dumps(measure(json.loads(argv[0]))))


if __name__ == "__main__":
    main(sys.argv[1:])
