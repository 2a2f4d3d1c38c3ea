"""Statistics of replicated runs: pure functions on tidy tables, so they are easy to check by hand.

A results table has one row per (scenario, replicate, month) - plus `point` in sweeps - and one
column per model output (model/outputs.py). Replicate r of every scenario ran with the same seed,
so differences between scenarios are taken replicate by replicate (paired).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from experiments.outcomes import COST_PER_EXTRA, COVERAGE, P_TARGET, cost_per_extra
from model import data, months

# The default region's target (its region.toml [target]; South Sumatra: 50% of eligible workers
# active in 2025, press conference of 2 Aug 2024). Another region's is data.load(id).target.
TARGET_COVERAGE = data.load().target.coverage
TARGET_MONTH = data.load().target.month
LOW, HIGH = 0.05, 0.95  # the 90% interval
BASELINE = "baseline"


def bands(table: pd.DataFrame, outputs: list[str] | None = None, by: tuple[str, ...] = ("scenario",),
          low: float = LOW, high: float = HIGH, sort: bool = True) -> pd.DataFrame:
    """Mean and [low, high] quantiles over replicates: one row per (by, month, output); with
    sort=False the series keep the order they come in (the charts' order)."""
    outputs = outputs or numeric_outputs(table)
    grouped = table.groupby([*by, "month"], sort=sort)[outputs]
    stats = {"mean": grouped.mean(), "low": grouped.quantile(low), "high": grouped.quantile(high)}
    long = pd.concat({k: v.stack(future_stack=True) for k, v in stats.items()}, axis=1)
    long.index = long.index.set_names([*by, "month", "output"])
    return long.reset_index()


def cumulative_spend(table: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Cumulative spend per (series, replicate, month), in rupiah, as column `spend_idr`; series
    stay in the order they come (not alphabetical), as in every chart and report."""
    rank = {name: i for i, name in enumerate(dict.fromkeys(table[by]))}
    ordered = table.assign(_rank=table[by].map(rank)).sort_values(["_rank", "replicate", "month"], kind="stable")
    cumulative = ordered.groupby([by, "replicate"], sort=False)["spend_idr"].cumsum()
    return ordered[[by, "replicate", "month"]].assign(spend_idr=cumulative)


def numeric_outputs(table: pd.DataFrame) -> list[str]:
    skip = {"replicate", "seed", "point"}
    return [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])]


def first_reached(table: pd.DataFrame, target: float = TARGET_COVERAGE, column: str = "coverage",
                  by: tuple[str, ...] = ("scenario",)) -> pd.Series:
    """First month (YYYY-MM) each replicate's `column` is at or above `target`; None if never."""
    keys = [*by, "replicate"]
    everyone = table.groupby(keys, sort=True).size().index
    hits = table.loc[table[column] >= target, [*keys, "month"]]
    first = hits.assign(t=hits["month"].map(months.ordinal)).groupby(keys)["t"].min()
    first = first.reindex(everyone)
    return pd.Series([None if pd.isna(t) else months.label(int(t)) for t in first],
                     index=everyone, name="first_reached", dtype=object)


def median_month(values: pd.Series) -> str | None:
    """The earliest month by which at least half of the replicates had reached it (None: never)."""
    ordinals = sorted(months.ordinal(v) if v else np.inf for v in values)
    middle = ordinals[(len(ordinals) - 1) // 2] if ordinals else np.inf
    return None if np.isinf(middle) else months.label(int(middle))


def per_replicate(table: pd.DataFrame, target_month: str = TARGET_MONTH,
                  target: float = TARGET_COVERAGE, by: tuple[str, ...] = ("scenario",),
                  baseline: str | None = BASELINE) -> pd.DataFrame:
    """One row per (by, replicate): coverage and active at the target month, spend from month 1
    through it, whether and when the target was first reached, and the paired differences from
    the baseline scenario with the cost per additional active participant."""
    keys = [*by, "replicate"]
    upto = table[table["month"].map(months.ordinal) <= months.ordinal(target_month)]
    at = upto[upto["month"] == target_month].set_index(keys)
    out = pd.DataFrame(index=upto.groupby(keys).size().index)
    out["seed"] = upto.groupby(keys)["seed"].first()
    out["coverage"] = at["coverage"]
    out["active"] = at["active"]
    out["spend_idr"] = upto.groupby(keys)["spend_idr"].sum().where(out["coverage"].notna())
    reached = first_reached(table, target, by=by).reindex(out.index)
    out["first_reached"] = reached
    out["reached_target"] = reached.map(lambda m: m is not None and months.ordinal(m) <= months.ordinal(target_month))
    return _versus_baseline(out.reset_index(), by, baseline)


def _versus_baseline(rows: pd.DataFrame, by: tuple[str, ...], baseline: str | None) -> pd.DataFrame:
    """Paired differences: replicate r (at the same sweep point) of the baseline scenario.
    Cost per additional active participant = extra spend / extra active; it is undefined (NaN)
    when the scenario adds no active participant (extra active <= 0)."""
    rows = rows.copy()
    names = ["extra_active", "extra_spend_idr", "cost_per_additional_idr"]
    if baseline is None or baseline not in set(rows["scenario"]):
        rows[names] = np.nan
        return rows
    pair = [k for k in by if k != "scenario"] + ["replicate"]
    base = rows[rows["scenario"] == baseline].set_index(pair)[["seed", "active", "spend_idr"]]
    joined = rows.merge(base, left_on=pair, right_index=True, how="left", suffixes=("", "_base"))
    if (joined["seed"] != joined["seed_base"]).any():
        raise ValueError("replicates are not paired: the baseline ran with other seeds")
    rows["extra_active"] = joined["active"] - joined["active_base"]
    rows["extra_spend_idr"] = joined["spend_idr"] - joined["spend_idr_base"]
    rows[COST_PER_EXTRA.column] = cost_per_extra(rows["extra_spend_idr"], rows["extra_active"])
    return rows


def scenario_summary(table: pd.DataFrame, target_month: str = TARGET_MONTH,
                     target: float = TARGET_COVERAGE, by: tuple[str, ...] = ("scenario",),
                     baseline: str | None = BASELINE) -> pd.DataFrame:
    """One row per scenario (and sweep point): coverage at the target month (mean, 90% interval),
    P(target reached by then), median month first reached, spend to the target month, extra
    active participants and cost per additional participant versus the baseline.

    The cost per additional participant is the ratio of the mean extra spend to the mean extra
    active participants (NaN when the mean extra is <= 0); its interval is over the replicates
    with a gain, and `replicates_without_gain` counts the others."""
    rows = per_replicate(table, target_month, target, by, baseline)
    groups = rows.groupby(list(by), sort=False)
    summary = pd.DataFrame({
        "replicates": groups.size(),
        "coverage_mean": groups[COVERAGE.column].mean(),
        "coverage_low": groups["coverage"].quantile(LOW),
        "coverage_high": groups["coverage"].quantile(HIGH),
        "p_target": groups[P_TARGET.column].mean(),
        "median_month_reached": pd.Series([median_month(g) for _, g in groups["first_reached"]],
                                          index=groups.size().index, dtype=object),
        "spend_idr_mean": groups["spend_idr"].mean(),
        "extra_active_mean": groups["extra_active"].mean(),
        "extra_spend_idr_mean": groups["extra_spend_idr"].mean(),
    })
    summary[COST_PER_EXTRA.name] = cost_per_extra(summary["extra_spend_idr_mean"], summary["extra_active_mean"])
    summary["cost_per_additional_low"] = groups["cost_per_additional_idr"].quantile(LOW)
    summary["cost_per_additional_high"] = groups["cost_per_additional_idr"].quantile(HIGH)
    summary["replicates_without_gain"] = groups["extra_active"].apply(lambda s: int((s <= 0).sum()))
    summary.loc[summary["extra_active_mean"].isna(), "replicates_without_gain"] = np.nan
    return summary.reset_index()


# ---------------------------------------------------------------- pilots (model/pilot.py)
# The pilot's outputs (pilot_treated_coverage, pilot_control_coverage, pilot_effect and its
# interval) are named once, by the model (model.outputs.PILOT_OUTPUTS); these read them.
# The model's per-run interval is a two-sided 90% interval, effect ± Z_LEVEL x SE.
Z_LEVEL = float(norm.ppf(HIGH))
POWER = 0.8              # the usual design power
Z_POWER = float(norm.ppf(POWER))


def minimum_detectable_effect(se, z_level: float = Z_LEVEL, z_power: float = Z_POWER):
    """Smallest true effect a two-sided test at the 10% level (the 90% interval excludes zero)
    detects with 80% power: MDE = (z_0.95 + z_0.80) x SE = 2.486 x SE (Bloom 1995)."""
    return (z_level + z_power) * se


def pilot_summary(table: pd.DataFrame, by: tuple[str, ...] = ("scenario",)) -> pd.DataFrame:
    """Per (by, month) for runs with a pilot: mean treated and control informal coverage of the
    sampled units, the mean effect (treated - control), the means of the per-run 90% interval
    bounds, the 90% interval of the effect across replicates, the standard error implied by the
    per-run intervals (root mean square of (high - low) / (2 z_0.95)), the minimum detectable
    effect at that SE, and the share of replicates whose interval excludes zero (the simulated
    power against the effect the treatment produced)."""
    rows = table.dropna(subset=["pilot_effect"]) if "pilot_effect" in table else table.iloc[0:0]
    rows = rows.assign(se=(rows.get("pilot_effect_high") - rows.get("pilot_effect_low")) / (2 * Z_LEVEL),
                       detected=(rows.get("pilot_effect_low") > 0) | (rows.get("pilot_effect_high") < 0))
    groups = rows.groupby([*by, "month"], sort=True)
    out = pd.DataFrame({
        "replicates": groups.size(),
        "treated_mean": groups["pilot_treated_coverage"].mean(),
        "control_mean": groups["pilot_control_coverage"].mean(),
        "effect_mean": groups["pilot_effect"].mean(),
        "effect_low_mean": groups["pilot_effect_low"].mean(),
        "effect_high_mean": groups["pilot_effect_high"].mean(),
        "effect_low": groups["pilot_effect"].quantile(LOW),
        "effect_high": groups["pilot_effect"].quantile(HIGH),
        "se": np.sqrt(groups["se"].apply(lambda s: float(np.mean(s ** 2)))),
        "detected_share": groups["detected"].mean(),
    })
    out["mde"] = minimum_detectable_effect(out["se"])
    return out.reset_index()


# ---------------------------------------------------------------- chance and parameter parts
SPLIT_OUTPUTS = ("coverage", "cost_per_additional_idr")


def split(summary: pd.DataFrame, table: pd.DataFrame, companion: pd.DataFrame, uncertainty: str,
          target_month: str = TARGET_MONTH, by: tuple[str, ...] = ("scenario",),
          baseline: str | None = BASELINE) -> pd.DataFrame:
    """Add the chance and parameter parts of the coverage and cost intervals (90% half-widths,
    `<output>_chance_pm` and `<output>_parameter_pm`) by the law of total variance:
    Var(total) = E[Var(y | parameters)] (chance) + Var(E[y | parameters]) (parameters).

    With uncertainty "both" the chance variance is measured by the companion runs at the
    calibrated values (same seeds, no draws) and the parameter part is the rest, at least 0;
    with "chance" or "parameters" the runs carry only that part and the other is NaN (not
    varied). The headline interval, P(target) and the month reached stay those of the runs
    themselves, which carry both parts."""
    if summary.empty:
        return summary
    out = summary.copy()
    out["uncertainty"] = uncertainty
    total = _variances(per_replicate(table, target_month, by=by, baseline=baseline), by)
    chance = (_variances(per_replicate(companion, target_month, by=by, baseline=baseline), by)
              if uncertainty == "both" and not companion.empty else None)
    z = float(norm.ppf(HIGH))
    for name in SPLIT_OUTPUTS:
        var = total[name].reindex(pd.MultiIndex.from_frame(out[list(by)]) if len(by) > 1 else out[by[0]])
        if uncertainty == "chance":
            parts = (var, var * np.nan)
        elif uncertainty == "parameters":
            parts = (var * np.nan, var)
        elif chance is None:
            parts = (var * np.nan, var * np.nan)
        else:
            c = chance[name].reindex(var.index)
            parts = (c, (var - c).clip(lower=0))
        out[f"{name}_chance_pm"] = z * np.sqrt(parts[0].to_numpy(dtype=float))
        out[f"{name}_parameter_pm"] = z * np.sqrt(parts[1].to_numpy(dtype=float))
    return out


def _variances(rows: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Variance over replicates of each split output per group (cost: replicates with a gain)."""
    return rows.groupby(list(by), sort=False)[list(SPLIT_OUTPUTS)].var(ddof=1)


# ---------------------------------------------------------------- what drives a difference
def drivers(table: pd.DataFrame, draws: pd.DataFrame, target_month: str = TARGET_MONTH,
            baseline: str | None = BASELINE, by: tuple[str, ...] = ("scenario",),
            top: int | None = None) -> pd.DataFrame:
    """Rank the uncertain parameters by how much they move each policy's effect: the Spearman
    rank correlation, over replicates, of the paired effect (coverage at the target month minus
    the baseline's in the same replicate) with the value of each parameter in that replicate's
    draw (replicate r used draw r). One row per (scenario, parameter), strongest first; parameters
    that did not vary are left out. Needs runs with parameter uncertainty and a baseline."""
    from scipy.stats import spearmanr

    columns = [*by, "parameter", "spearman", "abs_spearman", "rank", "replicates"]
    if draws is None or draws.empty or baseline is None:
        return pd.DataFrame(columns=columns)
    rows = per_replicate(table, target_month, by=by, baseline=baseline)
    if baseline not in set(rows["scenario"]):
        return pd.DataFrame(columns=columns)
    pair = [k for k in by if k != "scenario"] + ["replicate"]
    base = rows[rows["scenario"] == baseline].set_index(pair)["coverage"]
    values = draws.set_index("draw")
    varied = [c for c in values.columns if values[c].nunique() > 1]
    out = []
    for keys, group in rows[rows["scenario"] != baseline].groupby(list(by), sort=False):
        effect = group["coverage"].to_numpy() - base.reindex(pd.MultiIndex.from_frame(group[pair])
                                                              if len(pair) > 1 else group[pair[0]]).to_numpy()
        draw_of = group["replicate"].to_numpy() % len(values)
        ok = np.isfinite(effect)
        if ok.sum() < 3 or np.nanstd(effect) == 0:
            continue
        keys = keys if isinstance(keys, tuple) else (keys,)
        for name in varied:
            x = values[name].to_numpy()[draw_of]
            rho = spearmanr(x[ok], effect[ok]).statistic if np.std(x[ok]) > 0 else np.nan
            out.append({**dict(zip(by, keys, strict=True)), "parameter": name, "spearman": float(rho),
                        "abs_spearman": abs(float(rho)), "replicates": int(ok.sum())})
    frame = pd.DataFrame(out, columns=[c for c in columns if c != "rank"])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values([*by, "abs_spearman"], ascending=[True] * len(by) + [False], kind="stable")
    frame["rank"] = frame.groupby(list(by)).cumcount() + 1
    frame = frame[columns]
    return frame[frame["rank"] <= top] if top else frame.reset_index(drop=True)


# ---------------------------------------------------------------- how many replicates a statistic needs
# Below these replicate counts the split of an interval and a rank correlation are not shown as
# numbers (docs/calibration.md, "Small samples"). A variance estimated from n replicates has a
# relative standard error of sqrt(2 / (n - 1)): 71% at 5 replicates, 37% at 16, so below 16 the
# parameter part (the total variance minus the chance variance, two such estimates) is mostly
# noise ("±0,0%", or a chance part wider than the whole interval). A Spearman correlation from n
# pairs has a standard error of about 1 / sqrt(n - 1) under no association: at 5 replicates
# |rho| = 1 happens by chance for 1 parameter in 60 (2 of the 120 orders) and the largest |rho|
# of 20 unrelated parameters has a median of 0.90; at 16 it is 0.54 (simulated, 2,000 trials)
# and rho's 90% interval around 0 is ±0.43, so the strong drivers found (0.5 to 0.7 at 16,
# docs/calibration.md) can be told from noise; from 16 on each rho is shown with its interval.
MIN_SPLIT_REPLICATES = 16
MIN_DRIVER_REPLICATES = 16


def spearman_interval(rho: float, n: int, level: float = HIGH - LOW) -> tuple[float, float]:
    """A `level` interval (default 90%) of a Spearman correlation from n pairs: Fisher's z with
    the Bonett-Wright standard error sqrt((1 + rho^2 / 2) / (n - 3)); (nan, nan) below 4 pairs."""
    if n < 4 or not np.isfinite(rho):
        return float("nan"), float("nan")
    z = float(norm.ppf(0.5 + level / 2))
    clipped = float(np.clip(rho, -0.999999, 0.999999))
    se = np.sqrt((1 + clipped ** 2 / 2) / (n - 3))
    centre = np.arctanh(clipped)
    return float(np.tanh(centre - z * se)), float(np.tanh(centre + z * se))


# What a 90% band means under each uncertainty setting: one line, shared by the CLI, the report
# and the app.
BAND_MEANING = {
    "chance": "Band: 90% of replicates with different random seeds at the calibrated parameter "
              "values (chance only; what the data could not pin down is not included).",
    "parameters": "Band: 90% of replicates with different parameter draws from the ensemble, one "
                  "seed (what the calibration targets could not pin down, and the costs; no chance).",
    "both": "Band: 90% of replicates, each with its own seed and its own parameter draw: chance "
            "and what the calibration targets could not pin down (including the costs).",
}
