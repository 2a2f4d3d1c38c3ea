"""Pilots: when a scenario's treatment runs, and what a pilot of a given size could detect.

A scenario's `[pilot]` section (model/pilot.py) randomises units (workers, villages or markets)
into treatment and control; every run reports treated and control coverage and the effect with
its 90% interval, summarised over replicates by experiments.summary.pilot_summary.

`design(...)` answers the planner's question "how many villages, for how long?": it runs the
pilot scenario for every combination of `pilot_units` and `pilot_months` (a small sweep through
the same runner, executors and resumable store) and reports, per design at the end of its
treatment, the effect the simulated treatment produced and the minimum detectable effect
MDE = (z_0.95 + z_0.80) x SE (80% power for the two-sided 10% test whose 90% interval is reported).

Scale matters: at scale s a village or market holds s of its real residents, so the
within-unit sampling noise, and the interval, are wider than in the field. Design runs should use
scale 1 (the shipped pilot scenario does; a two-year run at scale 1 takes a few seconds); a
smaller scale gives a conservative (too large) MDE, and the table says so.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from experiments import summary as stats
from experiments.errors import UserError
from experiments.runner import Results, as_scenarios, experiment, plan, replicate_seeds
from experiments.scenario import Scenario
from model import data, months
from model.parameters import PARAMETERS


class PilotError(UserError, ValueError):
    """A pilot design that cannot run (no pilot in the scenario, a bad list of sizes)."""


def treatment_window(scenario: Scenario) -> tuple[str, str] | None:
    """First and last treated month of a scenario's pilot (None without a pilot)."""
    settings = {n: PARAMETERS[n].default for n in PARAMETERS if n.startswith("pilot_")}
    settings.update({k: v for k, v in scenario.settings.items() if k.startswith("pilot_")})
    if settings["pilot_unit"] == "none":
        return None
    month0 = data.data_set(scenario.data_set).month0
    first = settings["pilot_start"] or _shift(month0, 1)
    return first, _shift(first, int(settings["pilot_months"]) - 1)


def windows(results: Results) -> dict[str, tuple[str, str]]:
    """Treatment window of every scenario with a pilot in a finished experiment."""
    from experiments.scenario import parse_scenario

    found = {}
    for name, text in results.manifest.get("scenarios", {}).items():
        window = treatment_window(parse_scenario(text, source=name))
        if window:
            found[name] = window
    return found


def report_months(window: tuple[str, str], last: str) -> list[str]:
    """Months worth showing: before treatment, its end, and the last simulated month."""
    first, end = window
    wanted = [_shift(first, -1), end, last]
    return [m for m in dict.fromkeys(wanted) if months.ordinal(m) <= months.ordinal(last)]


# ---------------------------------------------------------------- design
def design(scenario: Scenario | str | Path, units: list[int], durations: list[int],
           replicates: int = 10, seed: int | None = None, scale: float | None = None,
           executor=None, progress: bool | None = None, out: str | Path | None = None,
           yes: bool = False) -> pd.DataFrame:
    """Run every (units, months) design of a pilot scenario and tabulate what each can detect.

    Replicates are paired (the same seeds for every design); `out` makes it resumable; `yes`
    confirms a request above limits.CONFIRM_RUNS runs."""
    results = run_designs(scenario, units, durations, replicates, seed, scale, executor, progress, out, yes)
    return design_table(results)


def run_designs(scenario, units, durations, replicates=10, seed=None, scale=None, executor=None,
                progress=None, out=None, yes=False) -> Results:
    """The runs of a pilot design: one sweep point per (pilot_units, pilot_months)."""
    base = as_scenarios(scenario)[0]
    window = treatment_window(base)
    if window is None:
        raise PilotError(f"{base.name}: has no pilot; set [pilot] unit = \"village\", \"market\" or"
                         " \"worker\" (see experiments/library/pilot_village_subsidy.toml)")
    _check_sizes(units, durations)
    points = [{"pilot_units": float(u), "pilot_months": float(m)} for u, m in itertools.product(units, durations)]
    horizon = _shift(window[0], max(durations) - 1)
    overrides = {"scale": scale or base.scale, "horizon": horizon}
    specs = plan([base], replicates, base.seed if seed is None else seed,
                 [(p, p) for p in points], overrides)
    details = {"replicates": replicates, "seed": specs[0].seed, "overrides": overrides,
               "seeds": replicate_seeds(base.seed if seed is None else seed, replicates),
               "design": {"kind": "pilot", "factors": {"pilot_units": {}, "pilot_months": {}},
                          "points": points, "start": window[0]}}
    return experiment("pilot-design", base.name, [base], specs, out, executor, progress, details, yes)


def _check_sizes(units: list[int], durations: list[int]) -> None:
    """A design needs at least 2 units (one treated, one control) and whole months in range."""
    for name, values, low in (("pilot_units", units, 2), ("pilot_months", durations, 1)):
        high = PARAMETERS[name].bounds[1]
        bad = [v for v in values if not (low <= v <= high and float(v).is_integer())]
        if not values or bad:
            raise PilotError(f"{name}: give whole numbers from {low:g} to {high:g}; got {values}")


def design_table(results: Results) -> pd.DataFrame:
    """One row per design, read at the end of its treatment: units, months, the mean treated and
    control coverage, the mean effect and its spread over replicates, the SE from the per-run
    intervals, the MDE and the share of replicates whose interval excluded zero."""
    start = results.manifest["design"]["start"]
    summary = stats.pilot_summary(results.table, ("scenario", "point"))
    points = pd.DataFrame(results.manifest["design"]["points"]).rename_axis("point").reset_index()
    points["month"] = [_shift(start, int(m) - 1) for m in points["pilot_months"]]
    table = points.merge(summary, on=["point", "month"], how="left")
    table["scale"] = results.manifest["overrides"]["scale"]
    columns = ["pilot_units", "pilot_months", "month", "replicates", "treated_mean", "control_mean",
               "effect_mean", "effect_low", "effect_high", "se", "mde", "detected_share", "scale"]
    return table[columns].astype({"pilot_units": int, "pilot_months": int})


def scale_note(scale: float, unit: str | None = None) -> str:
    """What the scale means for the intervals (the design table's footnote)."""
    if scale >= 1 or unit == "worker":
        return ""
    return (f"note: scale {scale:g} puts {scale:g} of each unit's real workers in the pilot, so the"
            " SE and MDE are larger than a field pilot's; use --scale 1 for a design.")


def _shift(month: str, k: int) -> str:
    return months.label(months.ordinal(month) + k)
