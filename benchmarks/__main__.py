"""`python -m benchmarks`: speed and memory of the model, printed, never asserted.

    python -m benchmarks                      # everything (about 3 minutes on 2 cores)
    python -m benchmarks --quick              # smoke test at small scales (under a minute)
    python -m benchmarks --only runs          # one section: runs, reference or sweep
    python -m benchmarks --repeat 3           # median of 3 fresh processes per model run
    python -m benchmarks --save out.json      # keep the figures
    python -m benchmarks --compare out.json   # print them beside a saved run's

Sections:
  runs       population build and a 76-month run of the combined regional plan at scales 0.01
             (the optimiser's), 0.05, 0.25 and 1.0 for both data sets, each in a fresh process: wall time, worker-months
             per second, peak memory; at the largest scale also the Kanwil (three provinces in one
             process) and the bare numpy floor beside each (throughput ratio to the floor);
  reference  the object-per-agent Mesa reference and the model with the same rules, side by
             side on the same population: the speed ratio;
  sweep      200 runs at scale 0.01 on all local cores: runs per minute, executor overhead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from benchmarks import report
from benchmarks.sweep import sweep

DATA_SETS = ("office-2024-08", "article")
KANWIL = "kanwil"   # the runs' label for the three provinces' default data sets
SECTIONS = ("runs", "reference", "sweep")
FULL: dict[str, Any] = {"scales": (0.01, 0.05, 0.25, 1.0), "reference_scale": 0.25, "sweep_runs": 200}
QUICK: dict[str, Any] = {"scales": (0.01, 0.05), "reference_scale": 0.01, "sweep_runs": 20}


def measure_in_subprocess(spec: dict, repeat: int = 1) -> dict:
    """The median of `repeat` measurements, each in a fresh interpreter (benchmarks/measure.py).

    Other work on the machine slows some measurements down; the median of a few is steadier.
    """
    results = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-m", "benchmarks.measure", json.dumps(spec)],
                              capture_output=True, text=True, cwd=report.ROOT)
        if done.returncode:
            raise RuntimeError(f"measurement {spec} failed:\n{done.stderr}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    results.sort(key=lambda r: r["total_s"])
    return {**results[len(results) // 2], "repeats": repeat,
            "total_s_each": [r["total_s"] for r in results]}


def runs(scales, repeat: int) -> list[dict]:
    """Each data set at each scale; at the largest scale also the bare numpy floor in the same
    process (benchmarks/floor.py), and the Kanwil's three provinces one after the other."""
    top = max(scales)
    rows = [measure_in_subprocess({"kind": "model", "scale": scale, "data_set": data_set,
                                   "seed": 1, "settings": "regional_plan", "floor": scale == top},
                                  repeat)
            for data_set in DATA_SETS for scale in scales]
    return rows + [measure_in_subprocess({"kind": "kanwil", "scale": top, "data_set": KANWIL,
                                          "seed": 1, "settings": "regional_plan", "floor": True},
                                         repeat)]


def reference(scale: float, repeat: int) -> dict:
    """The model and the reference on the same population and rules, one after the other."""
    spec = {"scale": scale, "data_set": "office-2024-08", "seed": 1, "settings": "reference_rules"}
    model = measure_in_subprocess({"kind": "model", **spec}, repeat)
    ref = measure_in_subprocess({"kind": "reference", **spec})
    return {"model": model, "reference": ref, "ratio": ref["run_s"] / model["run_s"]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small scales, 20 sweep runs")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="measure each model run N times and report the median (default 1)")
    parser.add_argument("--reference-scale", type=float, metavar="S",
                        help="population scale of the reference comparison (default 0.25; "
                             "0.01 with --quick; 1.0 takes about 10 minutes)")
    parser.add_argument("--save", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--compare", metavar="PATH", help="compare with figures saved by --save")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    sections = args.only or SECTIONS
    figures = {"machine": report.machine(), "quick": args.quick}
    report.print_machine(figures["machine"])
    if "runs" in sections:
        figures["runs"] = runs(plan["scales"], args.repeat)
        report.print_runs(figures["runs"])
    if "reference" in sections:
        figures["reference"] = reference(args.reference_scale or plan["reference_scale"],
                                         args.repeat)
        report.print_reference(figures["reference"])
    if "sweep" in sections:
        figures["sweep"] = sweep(runs=plan["sweep_runs"])
        report.print_sweep(figures["sweep"])
    figures["load_after"] = report.load()
    report.print_load(figures["machine"]["load"], figures["load_after"])
    if args.compare:
        report.compare(figures, args.compare)
    if args.save:
        report.save(figures, args.save)


if __name__ == "__main__":
    main()
