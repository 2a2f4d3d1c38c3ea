"""CPU cost a month of small runs (issue 24's small-scale target): build outside the timing,
`process_time` of `run()` over its months, several seeds in one process after a warm-up run.

    python -m benchmarks.per_month [scale] [seeds] [out.json]
    PYTHONPATH=/other/tree python benchmarks/per_month.py ...   # another tree's model

CPU seconds are less load-sensitive than wall time; compare trees side by side (alternating).
"""
import json
import os
import sys
import time


def per_month(scale: float = 0.01, seeds: int = 5) -> dict:
    from benchmarks.plan import REGIONAL_PLAN
    from model import EnrollmentModel

    EnrollmentModel(scale=0.005, seed=99, horizon="2025-06", **REGIONAL_PLAN).run()   # warm-up
    out: dict[str, list[float]] = {}
    for name, plan in (("status_quo", {}), ("regional_plan", REGIONAL_PLAN)):
        for seed in range(1, seeds + 1):
            model = EnrollmentModel(scale=scale, seed=seed, **plan)
            start = time.process_time()
            model.run()
            out.setdefault(name, []).append((time.process_time() - start) / model.n_months * 1e3)
    return out


def main(argv: list[str]) -> None:
    scale = float(argv[0]) if argv else 0.01
    seeds = int(argv[1]) if len(argv) > 1 else 5
    ms = per_month(scale, seeds)
    for name, values in ms.items():
        values = sorted(values)
        print(f"{name} {scale}: CPU ms a month min {values[0]:.3f} median {values[len(values) // 2]:.3f}")
    if len(argv) > 2:
        with open(argv[2], "w", encoding="utf-8") as f:
            json.dump({"load": list(os.getloadavg()), "scale": scale, "cpu_ms_a_month": ms}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
