"""The search space and its candidates: Optuna parameters of the moving levers, a candidate as a
scenario (what `cakupan run` and Compare accept), the status quo as the first candidate, and
the sampler (TPE or NSGA-II) with its random state, which a resumed search restores."""

from __future__ import annotations

import math
from typing import Any

from experiments import office
from experiments.optimize.problem import Lever, OptProblem, Rung, movable
from experiments.scenario import Scenario
from model import data
from model.parameters import PARAMETERS

Dims = dict[str, tuple[float, float, bool]]


def regency_names(region: str | None = None) -> list[str]:
    """The regencies of the problem's region; for the office, every province's (each province
    takes its own entries of a regency table: office.localize)."""
    regions = office.provinces() if region == office.OFFICE else [region or data.DEFAULT_REGION]
    return [name for r in regions for name in data.load(r).regency_names]


def _parts(problem: OptProblem, lever: Lever) -> list[str]:
    """The keys of a lever's table: regencies (by_regency), provinces (by_region), or none."""
    if lever.by_regency:
        return regency_names(problem.base.region)
    return office.provinces() if lever.by_region else []


def _keys(problem: OptProblem, lever: Lever) -> list[list[tuple[str, str]]]:
    """The lever's parameter names by period: [[(part, name), ...] per period], a part being a
    regency, a province or "" (one value), a name "lever[part]@period" ("@period" only when the
    lever has periods)."""
    parts = _parts(problem, lever) or [""]
    out = []
    for period, _, _ in problem.periods(lever):
        at = f"@{period}" if period else ""
        out.append([(r, f"{lever.name}[{r}]{at}" if r else f"{lever.name}{at}") for r in parts])
    return out


def space(problem: OptProblem) -> Dims:
    """Optuna parameter name -> (low, high, integer): one per lever, or per (lever, regency) or
    (lever, province), and per period of a lever with periods (problem.periods)."""
    out = {}
    for lever in problem.levers:
        for period in _keys(problem, lever):
            out.update({k: (lever.low, lever.high, lever.integer) for _, k in period})
    return out


def lever_values(problem: OptProblem, params: dict[str, float]) -> dict[str, Any]:
    """Model settings of a candidate from its Optuna parameters (regency tables, or tables keyed
    by province, as tables); a lever with periods as windows of months, one a period."""
    out: dict[str, Any] = {}
    for lever in problem.levers:
        values: list[Any] = []
        for period in _keys(problem, lever):
            if period[0][0]:
                values.append({r: _value(lever, params[k]) for r, k in period})
            else:
                values.append(_value(lever, params[period[0][1]]))
        if lever.periods == "once" or problem.decision is None:
            out[lever.name] = values[0]
        else:
            out[lever.name] = [{"from": first, "to": last, "value": v}
                               for (_, first, last), v in zip(problem.periods(lever), values, strict=True)]
    return out


def _value(lever: Lever, x: float) -> float:
    """Clipped to the bounds and rounded to 4 significant digits (readable scenario files)."""
    x = min(max(float(x), lever.low), lever.high)
    return float(round(x)) if lever.integer else float(f"{x:.4g}")


def label(problem: OptProblem, number: int) -> str:
    """A candidate's scenario name: the problem's name and its trial number."""
    return f"{problem.name}_{number:04d}"


def scenario_of(problem: OptProblem, settings: dict[str, Any], rung: Rung, name: str) -> Scenario:
    """The candidate as a scenario file's content (in English; the app rewrites the description
    in the session's language when it sends a plan to Compare)."""
    base = problem.base.override(scale=rung.scale, horizon=problem.objective.month, seed=problem.seed,
                                 start=problem.start)
    return base.with_settings(**settings).model_copy(update={
        "name": name, "description": f"Candidate plan of {problem.name}",
        "rationale": f"Found by `cakupan optimize` ({problem.name}); evaluated at scale "
                     f"{rung.scale:g} with {rung.replicates} replicates."})


def status_quo_params(problem: OptProblem) -> dict[str, float]:
    """The base scenario's own lever values as search parameters (clipped to the bounds), so
    the status quo is the first candidate; a lever given as windows starts at its low bound."""
    settings = {**{n: PARAMETERS[n].default for n in movable()}, **problem.base.settings}
    out = {}
    for lever in problem.levers:
        value = settings[lever.name]
        parts = _parts(problem, lever)
        if lever.by_region and isinstance(value, (int, float)):
            value = dict.fromkeys(parts, value)
        table = value if isinstance(value, dict) else {}
        for period in _keys(problem, lever):
            for r, key in period:
                if r:
                    out[key] = _value(lever, table.get(r, lever.low))
                else:
                    out[key] = _value(lever, value if isinstance(value, (int, float)) else lever.low)
    return out


def upper_bound_params(problem: OptProblem) -> dict[str, float]:
    """Every moving lever at its upper bound (every part, every period): the other end of the
    spend axis from the status quo. The search tries it when its global phase found no plan
    within the constraints (search.py), so a target that the bounds allow at all is reached and
    the local search walks down from there."""
    return {key: int(math.floor(high)) if integer else float(high)
            for key, (_, high, integer) in space(problem).items()}


def distributions(dims: Dims) -> dict[str, Any]:
    """Optuna distributions of the search space (integers for count levers)."""
    from optuna.distributions import FloatDistribution, IntDistribution

    return {k: IntDistribution(int(math.ceil(low)), int(math.floor(high))) if integer else FloatDistribution(low, high)
            for k, (low, high, integer) in dims.items()}


def sampler(problem: OptProblem, batch: int):
    """The problem's Optuna sampler, seeded with the problem's seed."""
    import optuna

    seed = problem.seed
    if problem.search.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=batch, seed=seed)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True,
                                      n_startup_trials=max(10, batch))


def _random_states(chosen) -> list:
    """The numpy random states a sampler draws from (its own and its random sampler's)."""
    return [chosen._rng.rng, chosen._random_sampler._rng.rng]


def sampler_state(chosen) -> list[list]:
    """The sampler's random state as JSON-able lists, so a resumed search continues with the
    state the sampler had after the same batch (a replayed study alone restarts the generator
    from its seed, and the search would take another path)."""
    out = []
    for state in (rng.get_state() for rng in _random_states(chosen)):
        out.append([state[0], [int(x) for x in state[1]], int(state[2]), int(state[3]), float(state[4])])
    return out


def restore_sampler(chosen, state: list[list]) -> None:
    import numpy as np

    for rng, (kind, keys, pos, has_gauss, cached) in zip(_random_states(chosen), state, strict=True):
        rng.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
