"""Tables and PNG charts of an experiment, for the terminal and for a results folder.

Formatting only: the numbers come from Results (experiments/summary.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments import figures
from experiments.i18n import Translator, translator
from experiments.runner import Results
from experiments.summary import TARGET_COVERAGE, TARGET_MONTH
from model import months


def comparison(summary: pd.DataFrame, target_month: str = TARGET_MONTH,
               target: float = TARGET_COVERAGE, factors: list[str] | None = None) -> str:
    """The summary as a readable text table (one row per scenario, or per scenario and point)."""
    if summary.empty:
        return "no completed runs"
    rows = pd.DataFrame(index=summary.index)
    for column in ["point", *(factors or [])]:
        if column in summary:
            rows[column] = summary[column].map(lambda v: f"{v:,.4g}" if isinstance(v, float) else v)
    rows["scenario"] = summary["scenario"]
    rows["runs"] = summary["replicates"]
    rows[f"coverage {target_month} (90% int.)"] = [
        f"{m:.1%} ({lo:.1%}-{hi:.1%})" for m, lo, hi in
        zip(summary["coverage_mean"], summary["coverage_low"], summary["coverage_high"], strict=True)]
    rows[f"P(>={target:.0%})"] = summary["p_target"].map(lambda p: f"{p:.0%}" if pd.notna(p) else "-")
    rows[f"{target:.0%} reached (median)"] = summary["median_month_reached"].map(lambda m: m or "not reached")
    rows["spend Rp bn"] = (summary["spend_idr_mean"] / 1e9).map(lambda v: f"{v:,.1f}")
    rows["extra active"] = summary["extra_active_mean"].map(lambda v: "-" if pd.isna(v) else f"{v:+,.0f}")
    rows["Rp per extra participant"] = summary["cost_per_additional_idr"].map(
        lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
    text = rows.to_string(index=False)
    if "coverage_chance_pm" in summary:
        text += "\n\n" + uncertainty_parts(summary, target_month)
    return text


def uncertainty_parts(summary: pd.DataFrame, target_month: str = TARGET_MONTH) -> str:
    """The split of each interval into its chance and parameter parts (summary.split), with the
    one-line meaning of the band."""
    from experiments.summary import BAND_MEANING, MIN_SPLIT_REPLICATES

    mode = summary["uncertainty"].iloc[0] if "uncertainty" in summary else "chance"
    rows = pd.DataFrame({"scenario": summary["scenario"]})
    if "point" in summary:
        rows.insert(0, "point", summary["point"])
    # both parts estimated from too few replicates: the split is noise, not printed as a number
    few = [mode == "both" and n < MIN_SPLIT_REPLICATES for n in summary.get("replicates", [0] * len(summary))]
    too_few = f"n/a (<{MIN_SPLIT_REPLICATES} replicates)"

    def pm(values) -> list[str]:
        return [too_few if f and pd.notna(v) else "not varied" if pd.isna(v) else f"±{v:.1%}"
                for v, f in zip(values, few, strict=True)]

    def pm_idr(values) -> list[str]:
        return [too_few if f and pd.notna(v) else "-" if pd.isna(v) else f"±{v:,.0f}"
                for v, f in zip(values, few, strict=True)]

    rows[f"coverage {target_month}: chance"] = pm(summary["coverage_chance_pm"])
    rows["parameters"] = pm(summary["coverage_parameter_pm"])
    rows["Rp per extra (90% int.)"] = [
        "-" if pd.isna(m) else f"{m:,.0f} ({lo:,.0f}-{hi:,.0f})" for m, lo, hi in
        zip(summary["cost_per_additional_idr"], summary["cost_per_additional_low"],
            summary["cost_per_additional_high"], strict=True)]
    rows["Rp: chance"] = pm_idr(summary["cost_per_additional_idr_chance_pm"])
    rows["Rp: parameters"] = pm_idr(summary["cost_per_additional_idr_parameter_pm"])
    return (f"{BAND_MEANING.get(mode, '')}\nParts of each 90% interval (half-widths; law of total "
            "variance, chance measured by runs at the calibrated values):\n" + rows.to_string(index=False))


def drivers_table(results: Results, target_month: str = TARGET_MONTH, baseline: str | None = "baseline",
                  top: int = 5) -> str:
    """The uncertain parameters that move each policy's effect most (summary.drivers), as text;
    empty when the runs carried no parameter uncertainty."""
    from experiments.summary import MIN_DRIVER_REPLICATES, spearman_interval

    table = results.drivers(target_month, baseline, top)
    if table.empty:
        return ""
    lines = [f"What drives each policy's effect on coverage at {target_month} (Spearman rank correlation "
             "of the paired effect with the parameter draws, with its 90% interval; strongest first):"]
    for scenario, group in table.groupby("scenario", sort=False):
        n = int(group["replicates"].min())
        if n < MIN_DRIVER_REPLICATES:
            lines.append(f"  {scenario}: not ranked: {n} replicates, at least {MIN_DRIVER_REPLICATES} needed "
                         "for a rank correlation to tell a driver from chance (--replicates)")
            continue
        parts = ", ".join(f"{r.parameter} {r.spearman:+.2f} ({lo:+.2f} to {hi:+.2f})" for r in group.itertuples()
                          for lo, hi in [spearman_interval(r.spearman, n)])
        lines.append(f"  {scenario}: {parts}")
    return "\n".join(lines)


def pilot_table(results: Results) -> str:
    """Treated vs control coverage and the effect with its intervals, for each scenario with a
    pilot: before treatment, at its end and in the last month (empty when there is no pilot)."""
    from experiments import pilots
    from experiments.summary import pilot_summary

    found = pilots.windows(results)
    if not found or results.table.empty:
        return ""
    summary = pilot_summary(results.table, results.by)
    blocks = []
    for name, window in found.items():
        rows = summary[summary["scenario"] == name]
        if rows.empty:
            continue
        wanted = pilots.report_months(window, rows["month"].max())
        rows = rows[rows["month"].isin(wanted)]
        blocks.append(f"pilot {name}: treated {window[0]} to {window[1]}; coverage of the sampled units' "
                      "informal workers, effect = treated - control\n" + _pilot_rows(rows))
    return "\n\n".join(blocks)


def _pilot_rows(rows: pd.DataFrame) -> str:
    table = pd.DataFrame({
        "month": rows["month"],
        "runs": rows["replicates"],
        "treated": rows["treated_mean"].map(lambda v: f"{v:.1%}"),
        "control": rows["control_mean"].map(lambda v: f"{v:.1%}"),
        "effect": rows["effect_mean"].map(lambda v: f"{100 * v:+.1f} pp"),
        "run's 90% int. (mean)": [f"{100 * lo:+.1f} to {100 * hi:+.1f}" for lo, hi in
                                  zip(rows["effect_low_mean"], rows["effect_high_mean"], strict=True)],
        "90% over replicates": [f"{100 * lo:+.1f} to {100 * hi:+.1f}" for lo, hi in
                                zip(rows["effect_low"], rows["effect_high"], strict=True)],
        "MDE (80% power)": rows["mde"].map(lambda v: f"{100 * v:.1f} pp"),
        "detected": rows["detected_share"].map(lambda v: f"{v:.0%}"),
    })
    if "point" in rows:
        table.insert(0, "point", rows["point"])
    return table.to_string(index=False)


def pilot_design(table: pd.DataFrame) -> str:
    """The pilot-design table: per (units, months), the effect produced and what is detectable."""
    rows = pd.DataFrame({
        "units": table["pilot_units"], "months": table["pilot_months"], "read at": table["month"],
        "runs": table["replicates"],
        "treated": table["treated_mean"].map(lambda v: f"{v:.1%}"),
        "control": table["control_mean"].map(lambda v: f"{v:.1%}"),
        "simulated effect (90% over replicates)": [
            f"{100 * m:+.1f} pp ({100 * lo:+.1f} to {100 * hi:+.1f})"
            for m, lo, hi in zip(table["effect_mean"], table["effect_low"], table["effect_high"], strict=True)],
        "SE": table["se"].map(lambda v: f"{100 * v:.2f} pp"),
        "MDE": table["mde"].map(lambda v: f"{100 * v:.1f} pp"),
        "power vs simulated": table["detected_share"].map(lambda v: f"{v:.0%}"),
    })
    return (rows.to_string(index=False) + "\nMDE = (z_0.95 + z_0.80) x SE = 2.49 x SE: the smallest true"
            " effect whose 90% interval excludes zero in 80% of pilots (two-sided 10% test). SE ="
            " root mean square over replicates of the run's interval half-width / z_0.95; power vs"
            " simulated = share of replicates whose interval excluded zero.")


def design_progress(results: Results) -> str:
    """A line for a sweep that is partial (interrupted, or still running): how many of its
    design points are complete; empty for a complete one or another experiment."""
    from experiments import html_report

    if not results.manifest.get("design"):
        return ""
    complete, points, done, runs = html_report.points_complete(results)
    if complete >= points:
        return ""
    return (f"note: partial sweep: {complete:,} of {points:,} design points complete ({done:,} of {runs:,} runs);"
            " the summary shows the runs that finished. If the sweep is not still running, rerun its command"
            " to complete it")


def write(results: Results, folder: str | Path, target_month: str | None = None,
          target: float | None = None, baseline: str | None = "baseline",
          lang: str = "en") -> list[Path]:
    """summary.csv, per_replicate.csv, bands.csv, PNG charts and report.html (the shareable,
    self-contained report: experiments/html_report.py) in `folder`; returns the paths.
    PNGs and the HTML report share the tables and colours (experiments/figures.py)."""
    from experiments import html_report

    target, target_month = target or results.target[0], target_month or results.target[1]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = results.summary(target_month, target, baseline)
    paths: list[Path | None] = [folder / "summary.csv", folder / "per_replicate.csv", folder / "bands.csv"]
    summary.to_csv(paths[0], index=False)
    results.per_replicate(target_month, target, baseline).to_csv(paths[1], index=False)
    paths += _drivers_csv(results, folder, target_month, baseline)
    bands = results.bands(["coverage", "active", "active_informal", "spend_idr"])
    bands.to_csv(paths[2], index=False)
    order = list(results.manifest.get("scenarios", {}))
    colours = figures.experiment_colours(summary, results.by, order, baseline or figures.BASELINE)
    table = figures.series_table(results.table, results.by)
    t = translator(lang)
    paths.append(_coverage_chart(table, colours, folder / "coverage.png", target_month, target, t))
    paths.append(_spend_chart(table, colours, folder / "spend.png", t))
    paths.append(_regency_chart(results.regency, figures.series_colours(order, baseline or figures.BASELINE),
                                folder / "regency.png", target_month, t))
    factors = list(results.manifest.get("design", {}).get("factors", {}))
    if factors:
        paths.append(_factor_chart(summary, factors, folder / "factors.png", target_month))
    paths += _pilot_outputs(results, folder)
    paths += _provinces_csv(results, folder, baseline)
    paths.append(html_report.write(results, folder / "report.html", target_month=target_month,
                                   target=target, baseline=baseline, lang=lang, order=order))
    return [p for p in paths if p is not None]


def province_summaries(results: Results, baseline: str | None) -> pd.DataFrame:
    """A Kanwil run's summary per province, each at its own target (column `region`); empty otherwise."""
    parts = []
    for region in results.provinces():
        own = results.province(region)
        coverage, month = own.target
        parts.append(own.summary(month, coverage, baseline).assign(region=region, target=coverage,
                                                                   target_month=month))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _provinces_csv(results: Results, folder: Path, baseline: str | None) -> list[Path]:
    table = province_summaries(results, baseline)
    if table.empty:
        return []
    table.to_csv(folder / "summary_provinces.csv", index=False)
    return [folder / "summary_provinces.csv"]


def _drivers_csv(results: Results, folder: Path, target_month: str, baseline: str | None) -> list[Path]:
    """drivers.csv: the parameter ranking (only when the runs carried parameter uncertainty)."""
    table = results.drivers(target_month, baseline)
    if table.empty:
        return []
    table.to_csv(folder / "drivers.csv", index=False)
    return [folder / "drivers.csv"]


def _pilot_outputs(results: Results, folder: Path) -> list[Path]:
    """pilot.csv (experiments.summary.pilot_summary) and pilot.png when a scenario has a pilot."""
    from experiments import pilots
    from experiments.summary import pilot_summary

    found = pilots.windows(results)
    if not found:
        return []
    summary = pilot_summary(results.table, results.by)
    summary.to_csv(folder / "pilot.csv", index=False)
    return [folder / "pilot.csv", _pilot_chart(summary, found, results.by, folder / "pilot.png")]


def _pilot_chart(summary: pd.DataFrame, found: dict, by, path: Path) -> Path:
    """Per pilot scenario (first 4): treated vs control coverage, and the effect with the mean of
    the per-run 90% intervals and the 90% interval over replicates; the treatment is shaded."""
    names = [n for n in found if n in set(summary["scenario"])][:4]
    fig, axes = figure((6.5 * len(names), 7.5), 2, len(names), squeeze=False, sharex="col")
    for col, name in enumerate(names):
        rows = summary[summary["scenario"] == name]
        if "point" in by:
            rows = rows[rows["point"] == rows["point"].min()]
        x = pd.to_datetime(rows["month"])
        top, bottom = axes[0][col], axes[1][col]
        top.plot(x, 100 * rows["treated_mean"], label="treated", color="C1")
        top.plot(x, 100 * rows["control_mean"], label="control", color="C0")
        bottom.plot(x, 100 * rows["effect_mean"], color="C3", label="effect (mean of replicates)")
        bottom.fill_between(x, 100 * rows["effect_low_mean"], 100 * rows["effect_high_mean"], color="C3",
                            alpha=0.2, label="a run's 90% interval (mean bounds)")
        bottom.plot(x, 100 * rows["effect_low"], color="C3", linestyle=":", linewidth=1,
                    label="90% of replicates' effects")
        bottom.plot(x, 100 * rows["effect_high"], color="C3", linestyle=":", linewidth=1)
        bottom.axhline(0, color="black", linewidth=0.8)
        first, last = found[name]
        for ax in (top, bottom):
            ax.axvspan(pd.to_datetime(first), pd.to_datetime(last), color="grey", alpha=0.1)
            ax.grid(alpha=0.3)
        top.set(title=f"{name}: informal coverage of the sampled units", ylabel="% active")
        bottom.set(title="effect = treated - control (shaded: treatment)", ylabel="percentage points",
                   xlabel="month")
        top.legend(fontsize=8)
        bottom.legend(fontsize=8)
    return _save(fig, path)


def _band_lines(ax, band: pd.DataFrame, colours: dict[str, str], scale: float, t: Translator) -> None:
    """Every series of `band` (one row per series and month): coloured ones with their 90%
    interval, the others thin and grey under them with one legend entry; none left out."""
    names = list(dict.fromkeys(band["series"]))
    grey = [n for n in names if n not in colours]
    for name in grey + [n for n in names if n in colours]:
        rows = band[band["series"] == name]
        x = pd.to_datetime(rows["month"])
        if name not in colours:
            ax.plot(x, scale * rows["mean"], color=figures.OTHER_COLOUR, linewidth=0.8, zorder=1)
            continue
        ax.plot(x, scale * rows["mean"], color=colours[name], linewidth=2, label=name, zorder=3)
        ax.fill_between(x, scale * rows["low"], scale * rows["high"], color=colours[name],
                        alpha=figures.BAND_OPACITY, linewidth=0, zorder=2)
    if grey:
        ax.plot([], [], color=figures.OTHER_COLOUR, linewidth=0.8,
                label=t("{count} other series (grey)", count=len(grey)))


def _coverage_chart(table: pd.DataFrame, colours: dict, path: Path, target_month: str, target: float,
                    t: Translator) -> Path:
    fig, ax = figure((10, 5.5))
    _band_lines(ax, figures.bands(table, "coverage", by="series"), colours, 100, t)
    ax.axhline(100 * target, color="black", linestyle="--", linewidth=1,
               label=t("target {share}", share=t.percent(target, 0)))
    ax.axvline(pd.to_datetime(target_month), color="grey", linestyle=":", linewidth=1)
    ax.set(title=t("Coverage over time (line: mean; band: 90% of replicates)"),
           ylabel=t("active participants, % of workers"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def _spend_chart(table: pd.DataFrame, colours: dict, path: Path, t: Translator) -> Path:
    fig, ax = figure((10, 5))
    spend = figures.bands(figures.cumulative_spend(table, by="series"), "spend_idr", by="series")
    _band_lines(ax, spend, colours, 1 / figures.BILLION, t)
    ax.set(title=t("Spend over time"), ylabel=t("billion rupiah, cumulative"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _regency_chart(regency: pd.DataFrame, colours: dict, path: Path, target_month: str, t: Translator) -> Path | None:
    month = target_month if target_month in set(regency["month"]) else regency["month"].max()
    at = regency[regency["month"] == month]
    if at.empty:
        return None
    table = figures.regency_coverage(at, month)  # scenarios in their order, mean over points
    table = table.loc[table.mean(axis=1).sort_values().index]
    fig, ax = figure((10, 7))
    (100 * table).plot.barh(ax=ax, width=0.8, color=[figures.colour_of(colours, s) for s in table.columns])
    ax.set(title=t("Coverage by regency, {month}", month=t.month(month)), xlabel=t("% of workers"), ylabel="")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _factor_chart(summary: pd.DataFrame, factors: list[str], path: Path, target_month: str) -> Path:
    fig, axes = figure((4 * len(factors), 4), 1, len(factors), sharey=True, squeeze=False)
    for ax, factor in zip(axes[0], factors, strict=True):
        colours = figures.series_colours(summary["scenario"])
        for scenario, group in summary.groupby("scenario", sort=False):
            ax.scatter(group[factor], 100 * group["coverage_mean"], label=scenario, s=18,
                       color=figures.colour_of(colours, scenario))
        ax.set(xlabel=factor)
        ax.grid(alpha=0.3)
    axes[0][0].set(ylabel=f"coverage {target_month}, %")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Coverage at the target month across the design")
    return _save(fig, path)


def figure(size: tuple[float, float], *grid: int, **options: Any) -> tuple[Figure, Any]:
    """A figure on its own Agg canvas and its axes (fig.subplots(*grid, **options)): PNG files
    only, without pyplot, so no chart of cakupan changes matplotlib's global backend or figure
    list (the charts of report, sensitivity and calibration all start here)."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(*grid, **options)


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def target_month_in_range(results: Results, target_month: str) -> bool:
    """Whether every run reaches the target month (else coverage there is missing)."""
    last = results.table.groupby("scenario")["month"].max()
    return bool((last.map(months.ordinal) >= months.ordinal(target_month)).all())


def calibration(result) -> str:
    """A calibration's fitted values with their 90% intervals and its fit to every target."""
    params = result.parameters
    lines = [f"fitted ({result.evaluations} evaluations; {result.method}):"]
    for row in params.itertuples():
        status = "identified" if row.identified else "NOT identified by the targets"
        lines.append(f"  {row.name:<24} {row.value:<10.4g} 90% interval {row.low90:.4g} to {row.high90:.4g}"
                     f" (searched {row.search_low:g} to {row.search_high:g}; prior {row.prior:g}): {status}")
    fit = result.fit
    lines.append(f"fit: loss {result.loss:.3f} (targets {result.data_loss:.3f} + prior "
                 f"{result.loss - result.data_loss:.3f}); {int(fit.loc[fit.fitted, 'within'].sum())} of "
                 f"{int(fit.fitted.sum())} fitted targets met, checks: "
                 f"{int(fit.loc[~fit.fitted, 'within'].sum())} of {int((~fit.fitted).sum())}")
    for row in fit.itertuples():
        goal = (f"{row.value:,.4g} ± {row.tolerance:,.3g}" if pd.notna(row.value)
                else f"in [{row.min:g}, {row.max:g}]")
        lines.append(f"  {'ok  ' if row.within else 'MISS'} {row.target:<64} {row.simulated:>12,.4g}  target {goal}"
                     f"{'' if row.fitted else '  (check)'}")
    return "\n".join(lines)


# ---------------------------------------------------------------- optimisation (experiments/optimize/)
def plans(frame: pd.DataFrame, objective: str) -> str:
    """Candidate plans (a front or the closest) as a text table, cheapest first."""
    if frame.empty:
        return "no candidates"
    rows = pd.DataFrame({
        "trial": frame["trial"].astype(int),
        "Rp bn / year": (frame["spend_year_idr"] / 1e9).map(lambda v: f"{v:,.1f}"),
        "office": (frame["office_year_idr"] / 1e9).map(lambda v: f"{v:,.1f}"),
        "local gov.": (frame["local_year_idr"] / 1e9).map(lambda v: f"{v:,.1f}"),
        objective: frame["objective"].map(lambda v: f"{v:.3f}"),
        "coverage (mean)": frame["coverage_mean"].map(lambda v: f"{v:.1%}"),
        "P(target)": frame["p_target"].map(lambda v: f"{v:.0%}"),
        "within constraints": frame["feasible"].map(lambda v: "yes" if v else "no"),
    })
    return rows.to_string(index=False)


def plan_by_regency(table: pd.DataFrame) -> str:
    """The recommended plan's levers: rates that are the same everywhere on one line, the
    others by regency; each value as "plan (status quo)"."""
    from experiments.optimize import EXPECTED_SPEND, lever_columns

    if table.empty:
        return ""
    levers = lever_columns(table)
    same = [lever for lever in levers
            if table[lever].nunique() == 1 and table[f"{lever} (status quo)"].nunique() == 1]
    lines = []
    if same:
        lines.append("everywhere: " + "; ".join(
            f"{lever} {table[lever].iat[0]:,.4g} ({table[f'{lever} (status quo)'].iat[0]:,.4g})" for lever in same))
    spread = [lever for lever in levers if lever not in same]
    if spread or EXPECTED_SPEND in table:
        rows = pd.DataFrame({"regency": table["regency"]})
        for lever in spread:
            rows[lever] = [f"{v:,.4g} ({s:,.4g})"
                           for v, s in zip(table[lever], table[f"{lever} (status quo)"], strict=True)]
        if EXPECTED_SPEND in table:
            rows["expected spend Rp bn/yr"] = (table[EXPECTED_SPEND] / 1e9).map(lambda v: f"{v:,.2f}")
        lines.append(rows.to_string(index=False))
    return "\n".join(lines)


def plan_sensitivity(table: pd.DataFrame, objective: str) -> str:
    """Change in the objective and in yearly spend when one lever moves down or up a step."""
    if table.empty:
        return ""
    rows = pd.DataFrame({"lever": table["lever"]})
    for side in ("down", "up"):
        rows[f"{objective} {side}"] = table[f"objective_{side}"].map(lambda v: f"{v:+.4f}")
        rows[f"Rp bn/yr {side}"] = (table[f"spend_year_idr_{side}"] / 1e9).map(lambda v: f"{v:+,.1f}")
    return rows.to_string(index=False)


def spend_by_year_text(table: pd.DataFrame) -> str:
    """The plan's spend by budget year and payer, one line a payer, a total per year."""
    lines = []
    for year, rows in table.groupby("year", sort=True):
        lines.append(f"  {year}: Rp {rows['spend_idr'].sum() / 1e9:,.2f} bn")
        lines += [f"    {row.payer:<48} Rp {row.spend_idr / 1e9:,.3f} bn" for row in rows.itertuples()]
    return "\n".join(lines)


def optimisation(outcome) -> str:
    """The whole report of `cakupan optimize`: verdict, front, recommended plan, sensitivity."""
    from experiments.optimize import objective_label

    p = outcome.problem
    label = objective_label(p)
    last = p.search.rungs[-1]
    parts = [outcome.message(), "",
             f"Pareto front of yearly spend against {label} (scale {last.scale:g}, "
             f"{last.replicates} paired replicates; coverage statistic: {p.objective.statistic}):",
             plans(outcome.front, label)]
    if not outcome.reachable:
        parts += ["", "Closest plans:", plans(outcome.closest, label)]
    if not outcome.by_regency.empty:
        parts += ["", f"Recommended plan (trial {int(outcome.recommended['trial'])}) by regency, "
                      f"at {p.objective.month}, "
                      "plan (status quo); counts and budgets per month or year as in the scenario file:",
                  plan_by_regency(outcome.by_regency)]
    if not outcome.spend_by_year.empty:
        parts += ["", f"Recommended plan: spend by budget year and payer, {p.spend_from} to {p.objective.month} "
                      "(rupiah, mean of the replicates; a year the plan covers in part: its months):",
                  spend_by_year_text(outcome.spend_by_year)]
    if not outcome.sensitivity.empty:
        parts += ["", f"Most sensitive to (one lever moved by {p.search.step:.0%} of its range):",
                  plan_sensitivity(outcome.sensitivity, label)]
    return "\n".join(parts)
