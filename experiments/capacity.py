"""Capacity check (issue 22, "no month of any built-in scenario or recommended plan enrols more than
the stated capacity"): each month of a run, what its implementation did against what its
capacities allow.

* **List registrations**: workers the payers registered (or offered) from their lists this month
  (the output `subsidy_offers`, summed over payers), against `list_enrolment_throughput` times
  the number of payers with a budget in force that month (the paying lists). Re-activations of
  beneficiaries already on a list (the late payment after the early-year gap) are not new
  registrations: they are in `new_via_subsidy`, not here.
* **Perisai hires**: agents hired this month (not an output: counted here as the growth of the
  force's roster, which only grows by hires; `perisai_agents_active` also falls when agents
  quit), against `perisai_hiring_capacity`.
* **Village activations**: the month's growth of `villages_active` (villages are never
  deactivated), against `village_activation_capacity`.

Counts are real units (simulated x the population weight; villages are real villages at any
scale). At scale s a capacity of c a month is c / s simulated units a month, whole units whose
running total tracks it (model/levers.cumulative_counts): one month may do up to one simulated
unit (the weight) more than c, never more. `python -m experiments.capacity` prints the largest
month of every built-in scenario in every region at full scale (docs/model.md quotes it).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from experiments.scenario import Scenario, library_names, load_scenario
from model import EnrollmentModel, data

COLUMNS = ["month", "list_registered", "list_capacity", "paying_lists", "perisai_hired",
           "perisai_capacity", "villages_activated", "village_capacity"]
QUANTITIES = (("list_registered", "list_capacity"), ("perisai_hired", "perisai_capacity"),
              ("villages_activated", "village_capacity"))


def monthly(model: EnrollmentModel) -> pd.DataFrame:
    """Run `model` (fresh) to its horizon; one row per month after month 0 with COLUMNS, in real
    units. The capacity columns are the stated capacities (real units a month), not rounded."""
    params, w = model.params, model.pop.weight
    rows, roster = [], len(model.perisai.active)
    while model.running:
        model.step()
        t = model.t
        paying = sum(1 for g in model.governments if g.budget[t] > 0)
        hired = len(model.perisai.active) - roster
        roster = len(model.perisai.active)
        rows.append({"month": model.month_labels[t], "paying_lists": paying,
                     "list_capacity": paying * float(params["list_enrolment_throughput"]),
                     "perisai_hired": hired * w, "perisai_capacity": float(params["perisai_hiring_capacity"]),
                     "village_capacity": float(params["village_activation_capacity"])})
    out = model.results().iloc[1:].reset_index(drop=True)
    frame = pd.DataFrame(rows)
    assert list(frame["month"]) == list(out["month"]), "one row per simulated month"
    frame["list_registered"] = out["subsidy_offers"].to_numpy()
    frame["villages_activated"] = np.diff(model.results()["villages_active"].to_numpy())
    return frame[COLUMNS]


def allowed(frame: pd.DataFrame, weight: float) -> pd.DataFrame:
    """The most each month may do at the run's weight (real units): a capacity of c a month is
    at most ceil(c / weight) whole simulated units (villages: ceil(c) villages)."""
    return pd.DataFrame({
        "list_registered": frame["paying_lists"] * np.ceil(frame["list_capacity"] / frame["paying_lists"].clip(lower=1)
                                                            / weight - 1e-9) * weight,
        "perisai_hired": np.ceil(frame["perisai_capacity"] / weight - 1e-9) * weight,
        "villages_activated": np.ceil(frame["village_capacity"] - 1e-9),
    })


def violations(frame: pd.DataFrame, weight: float) -> list[str]:
    """Months in which a run did more than its capacity allows (empty: none)."""
    most = allowed(frame, weight)
    out = []
    for done, capacity in QUANTITIES:
        over = frame[frame[done] > most[done] + 1e-6 * np.maximum(1.0, most[done])]
        out += [f"{m}: {done} {x:,.0f} > {c:,.0f} allowed ({capacity} {frame.loc[i, capacity]:,.0f})"
                for i, m, x, c in zip(over.index, over["month"], over[done], most.loc[over.index, done], strict=True)]
    return out


def peaks(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """For each quantity, its largest month: the month, what was done, the capacity that month."""
    out = {}
    for done, capacity in QUANTITIES:
        i = int(frame[done].to_numpy().argmax())
        out[done] = {"month": frame.loc[i, "month"], "done": float(frame.loc[i, done]),
                     "capacity": float(frame.loc[i, capacity])}
    return out


def runs(region: str, scale: float, horizon: str | None = None) -> Iterator[tuple[str, Scenario]]:
    """Every built-in scenario in `region` (settings localized to it), at `scale`."""
    for name in library_names():
        yield name, load_scenario(name).override(region=region, scale=scale, horizon=horizon)


def most_demanding_plan(problem_name: str, region: str, scale: float | None = None) -> Scenario:
    """The built-in problem's most demanding candidate in `region`: every moving lever at its
    upper bound in every period (no plan the search can recommend asks for more)."""
    from experiments.optimize.problem import load_problem
    from experiments.optimize.space import lever_values, scenario_of, upper_bound_params

    problem = load_problem(problem_name, region)
    plan = scenario_of(problem, lever_values(problem, upper_bound_params(problem)), problem.search.rungs[0],
                       f"{problem_name}_most_demanding")
    return plan.override(scale=scale if scale is not None else 1.0)


PROBLEMS = ("reach_50", "reach_50_2029")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--horizon", default=None, help="last month (default: each scenario's)")
    parser.add_argument("--region", action="append", help="a region id (default: every region)")
    args = parser.parse_args(argv)
    print("region,scenario,quantity,month,done,capacity,share,seconds")
    bad = 0
    for region in args.region or data.region_ids():
        plans = [(f"{p} (most demanding plan)", most_demanding_plan(p, region, args.scale)) for p in PROBLEMS]
        for name, scenario in [*runs(region, args.scale, args.horizon), *plans]:
            start = time.perf_counter()
            model = EnrollmentModel(**scenario.model_kwargs())
            frame = monthly(model)
            seconds = time.perf_counter() - start
            bad += len(violations(frame, model.pop.weight))
            for quantity, p in peaks(frame).items():
                share = p["done"] / p["capacity"] if p["capacity"] else math.nan
                print(f"{region},{name},{quantity},{p['month']},{p['done']:.0f},{p['capacity']:.0f},"
                      f"{share:.3f},{seconds:.1f}", flush=True)
    print(f"# months above capacity: {bad}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
