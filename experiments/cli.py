"""`cakupan`: scenarios, replicated runs, sweeps, reports and the app from the command line.

Every user error (bad file, key, name, range, unreachable scheduler) ends with a one-paragraph
message on stderr and exit code 2, never a traceback; Ctrl-C saves what finished (exit 130).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import pandas as pd
import typer

from experiments.errors import UserError

if TYPE_CHECKING:
    from experiments.executors import Executor

app = typer.Typer(help="cakupan: scenarios, replicated runs, sweeps, reports and the browser app.",
                  no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)

APP_MODULE = "viz"   # the browser app: `python -m viz` starts it (viz/ knows its own files)

def _path(text: str) -> Path:
    """A file or folder option's value: an empty or blank name is refused (it would mean the
    current folder), so a missing shell variable never writes results where the user stands."""
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("an empty name; give a file or folder, e.g. results/mine")
    return Path(text)


Replicates = Annotated[int, typer.Option("--replicates", "-r", min=1, help="Replicates per scenario (paired seeds).")]
Seed = Annotated[Optional[int], typer.Option(min=0, help="Root seed [default: the first scenario's].")]
CalibrationRegion = Annotated[Optional[str], typer.Option(
    help="Province whose targets are fitted and whose files are written: a folder of "
         "model/data/regions/ (default: sumsel).")]
Scale = Annotated[Optional[float], typer.Option(
    help="Fraction of workers simulated, (0, 1] [default: the first scenario's].")]
Horizon = Annotated[Optional[str], typer.Option(help="Last month simulated, YYYY-MM [default: each scenario's].")]
Out = Annotated[Optional[Path], typer.Option("--out", "-o", parser=_path,
    help="Results folder (resumable; `cakupan report` reads it).")]
Workers = Annotated[Optional[int], typer.Option(min=1, help="Local worker processes [default: all cores].")]
Scheduler = Annotated[Optional[str], typer.Option(
    help="Dask scheduler address, e.g. tcp://10.0.0.5:8786, instead of local processes.")]
ConnectTimeout = Annotated[float, typer.Option(min=0.1, help="Seconds to wait for the Dask scheduler.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
Yes = Annotated[bool, typer.Option("--yes", "-y",
    help="Start a request above the run limit (its estimate is shown without --yes).")]
TargetMonth = Annotated[Optional[str], typer.Option(
    help="Month at which coverage, P(target) and cost are reported [default: the region's target month, "
         "model/data/regions/<id>/region.toml].")]


def user_errors(command):
    """Turn user errors into a message and exit 2, Ctrl-C into exit 130."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from experiments.runner import Interrupted

        try:
            return command(*args, **kwargs)
        except UserError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        except Interrupted as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(130) from None
    return wrapper


# ---------------------------------------------------------------- scenarios and parameters
@app.command()
@user_errors
def scenarios(scenario: Annotated[Optional[str], typer.Argument(
        help="A built-in name or a .toml file: check it and print it resolved (base merged).")] = None):
    """List the built-in scenarios, or check one scenario and print it fully resolved."""
    from experiments.scenario import library, load_scenario

    if scenario:
        typer.echo(load_scenario(scenario).to_toml(), nl=False)
        return
    names = library()
    width = max(map(len, names))
    for name, description in names.items():
        typer.echo(f"{name:<{width}}  {description}")


@app.command()
def parameters(kind: Annotated[Optional[str], typer.Option(
        help="Only this kind: lever, uncertain, cost, rule or pilot.")] = None):
    """The model's inputs: name, kind, group, default, unit and allowed range."""
    from model.parameters import table

    rows = pd.DataFrame(table())
    if kind:
        if kind not in set(rows["kind"]):
            typer.echo(f"error: unknown kind {kind!r}; choose from {', '.join(dict.fromkeys(rows['kind']))}", err=True)
            raise typer.Exit(2)
        rows = rows[rows["kind"] == kind]
    rows["default"] = rows["default"].map(_short)
    rows["range"] = [f"{lo:,.6g} to {hi:,.6g}" if lo != hi else ""
                     for lo, hi in zip(rows["min"], rows["max"], strict=True)]
    with pd.option_context("display.max_colwidth", 60, "display.width", 250):
        typer.echo(rows[["name", "kind", "group", "default", "unit", "range"]].to_string(index=False))


def _short(value) -> str:
    if isinstance(value, dict):
        return f"table of {len(value)} regencies"
    if isinstance(value, tuple):
        return ",".join(value)
    return f"{value:,.6g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- experiments
@app.command()
@user_errors
def run(scenario_refs: Annotated[list[str], typer.Argument(metavar="FILE_OR_NAME...",
            help="Built-in scenario names or scenario .toml files.")],
        replicates: Replicates = 10, seed: Seed = None, scale: Scale = None, horizon: Horizon = None,
        out: Out = None, workers: Workers = None, scheduler: Scheduler = None,
        connect_timeout: ConnectTimeout = 10.0,
        baseline: Annotated[str, typer.Option(help="Reference scenario, added if not given.")] = "baseline",
        no_baseline: Annotated[bool, typer.Option("--no-baseline", help="Do not add the baseline.")] = False,
        uncertainty: Annotated[str, typer.Option(
            help="What replicates vary: chance (seeds only, for checking a model change), parameters "
                 "(ensemble draws) or both (seed r and draw r; intervals split into chance and parameter "
                 "parts).")] = "both",
        target_month: Annotated[Optional[str], typer.Option(
            help="Month at which coverage, P(target) and cost are reported [default: the region's target "
                 "month, model/data/regions/<id>/region.toml]; refused when it lies after the horizon.")] = None,
        quiet: Quiet = False, yes: Yes = False,
        region: Annotated[Optional[str], typer.Option(
            help="Province to simulate: a folder of model/data/regions/, or kanwil for the three "
                 "provinces together (default: the scenarios' region, sumsel).")] = None,
        decision_month: Annotated[Optional[str], typer.Option(
            help="Run every scenario through the region's history (history.toml) up to this month, "
                 "YYYY-MM, 'default' (the first January after the history: 2027-01) or 'none' (no "
                 "history: month 0's status quo carried forward, levers as written); the scenarios' "
                 "levers act from it on [default: the scenarios' own, 'default' in the built-in ones].")] = None):
    """Run replicates of scenarios with paired seeds and print a comparison table."""
    from experiments import runner
    from experiments.scenario import load_scenario

    from experiments.office import target

    asked = target_month
    if target_month is not None:
        _check_month(target_month)
    if out is not None:
        _writable_folder(out, "--out")
    chosen = [load_scenario(ref) for ref in scenario_refs]
    seed = chosen[0].seed if seed is None else seed
    scale = chosen[0].scale if scale is None else scale
    region = region or chosen[0].region          # the added baseline runs where the scenarios do
    if not no_baseline and baseline not in [s.name for s in chosen]:
        chosen.insert(0, load_scenario(baseline))
    chosen = [s.override(region=region, decision_month=decision_month) for s in chosen]
    target_month = target_month or target(region)[1]
    reach = [s.override(horizon=horizon) for s in chosen] if horizon else chosen   # horizon checked as the run does
    last = min(s.horizon for s in reach)
    if asked and target_month > last:     # (the default target month: a note says the runs end before it)
        shortest = min(reach, key=lambda s: s.horizon).name
        where = f"--horizon {horizon}" if horizon else f"the horizon {last} of {shortest}"
        raise UserError(f"--target-month {target_month} lies after {where}: the runs never reach it; choose a "
                        f"target month no later than {last} or a later --horizon")
    idle = [s for s in reach if not s.acts()]
    if idle:
        typer.echo(f"note: the runs end at {idle[0].horizon}, before the decision month {idle[0].decision()}: "
                   f"{', '.join(s.name for s in idle)} run the region's history only (their levers act from "
                   "the decision month); choose a later --horizon, or --decision-month", err=True)
    with _executor(workers, scheduler, connect_timeout) as executor:
        results = runner.run(chosen, replicates, seed, scale, horizon, executor, _progress(quiet), out,
                             uncertainty=uncertainty, yes=yes)
    _print_outcome(results, target_month, None if no_baseline else baseline, repaired=True)
    if out:
        typer.echo(f"results in {out}; charts: cakupan report {out}")


@app.command()
@user_errors
def sweep(sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP.toml",
        help="Sweep file (see experiments/examples/).")],
          out: Annotated[Path, typer.Option("--out", "-o", parser=_path,
                                            help="Results folder; rerun the same command to resume.")],
          workers: Workers = None, scheduler: Scheduler = None,
          connect_timeout: ConnectTimeout = 10.0,
          target_month: TargetMonth = None, quiet: Quiet = False, yes: Yes = False):
    """Run a sweep file's design x scenarios x replicates; resumes where it stopped."""
    from experiments.sweep import load_sweep, sweep as run_sweep

    if target_month is not None:
        _check_month(target_month)
    _writable_folder(out, "--out")
    spec = load_sweep(sweep_file)
    with _executor(workers, scheduler, connect_timeout) as executor:
        results = run_sweep(spec, out, executor, _progress(quiet), yes)
    _print_outcome(results, target_month or results.target[1], spec.baseline, factors=list(spec.factors), repaired=True)
    typer.echo(f"results in {out}; charts: cakupan report {out}")


@app.command("report")
@user_errors
def report_(folder: Annotated[Path, typer.Argument(metavar="DIR", help="A results folder (--out of run or sweep).")],
            target_month: TargetMonth = None,
            baseline: Annotated[str, typer.Option(
                help="Reference scenario for extra participants and cost.")] = "baseline",
            into: Annotated[Optional[Path], typer.Option("--into", parser=_path,
                help="Where to write [default: DIR/report].")] = None,
            lang: Annotated[str, typer.Option("--lang",
                help="Language of report.html and the charts: en or id.")] = "en"):
    """Summary tables (CSV), PNG charts and report.html (one self-contained file to share: interactive
    charts, summary, every scenario's TOML, seeds, scale, data set, code version; opens offline)."""
    from experiments.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r} is not offered; choose one of {', '.join(LANGUAGES)}", param_hint="--lang")
    from experiments import report
    from experiments.runner import Results
    from experiments.store import Store, StoreError

    target = _writable_folder(into or folder / "report", "--into")
    if target_month is not None:
        _check_month(target_month)
    results = Results.load(folder)
    target_month = target_month or results.target[1]     # the folder's region's (its manifest)
    _writable_folder(target, "--into", create=True)
    if results.table.empty:
        raise StoreError(f"{folder} holds no intact runs yet" + (f"; {results.repair_hint()}" if results.damaged else
                         "; rerun the command that wrote it to compute them"))
    factors = list(results.manifest.get("design", {}).get("factors", {}))
    _say_if_partial(results, Store(folder).writer())
    _print_outcome(results, target_month, baseline, factors)
    paths = report.write(results, target, target_month, baseline=baseline, lang=lang)
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


def _say_if_partial(results, writer: str | None) -> None:
    """A note on stderr when the folder holds only part of what its command planned: how many
    design points (in a sweep) and runs of how many, and whether it is still being written."""
    done = results.completeness()
    if done["runs_done"] >= done["runs"]:
        return
    parts = f"{done['runs_done']} of {done['runs']} runs"
    if results.manifest.get("design"):
        parts = f"{done['points_done']} of {done['points']} design points complete ({parts})"
    why = (f"it is still being written by {writer}; report again when it finishes" if writer else
           "rerun the command that wrote it to finish it")
    typer.echo(f"note: partial results: {parts}; {why}", err=True)


def _print_outcome(results, target_month: str, baseline: str | None, factors: list[str] | None = None,
                   repaired: bool = False) -> None:
    from experiments import report

    if not results.table.empty and not report.target_month_in_range(results, target_month):
        typer.echo(f"note: some runs end before {target_month}; their coverage there is missing", err=True)
    summary = results.summary(target_month, baseline=baseline)
    if results.provinces():
        typer.echo(f"Kanwil (the office: {', '.join(results.provinces())} summed, from "
                   f"{results.table['month'].min()}; target {results.target[0]:.1%}):")
    typer.echo(report.comparison(summary, target_month, results.target[0], factors=factors))
    for region in results.provinces():
        own = results.province(region)
        typer.echo(f"\n{region} (target {own.target[0]:.0%} by {own.target[1]}):")
        typer.echo(report.comparison(own.summary(target_month, baseline=baseline), target_month, own.target[0],
                                     factors=factors))
    drivers = report.drivers_table(results, target_month, baseline)
    if drivers:
        typer.echo("\n" + drivers)
    pilot = report.pilot_table(results)
    if pilot:
        typer.echo("\n" + pilot)
    if len(results.failures):
        typer.echo(f"{len(results.failures)} runs failed; first error: {results.failures['error'].iloc[0]}", err=True)
    sessions = results.manifest.get("sessions") or [{}]
    if repaired and sessions[-1].get("runs_repaired"):
        typer.echo(f"note: {sessions[-1]['runs_repaired']} runs had missing or damaged files and were"
                   " recomputed", err=True)
    if results.damaged:
        typer.echo(f"warning: {results.repair_hint()}", err=True)
    if report.design_progress(results):
        typer.echo(report.design_progress(results), err=True)


def _writable_folder(path: Path, option: str, create: bool = False) -> Path:
    """`path` as a folder this process can write (checked before any run; created only with
    `create`); UserError naming the option otherwise."""
    from experiments.store import writable_folder

    return writable_folder(path, f"{option} {path}", create)


def _check_month(month: str, option: str = "--target-month") -> str:
    """A month YYYY-MM within the data and the model's last horizon (limits.check_horizon)."""
    from experiments import limits

    limits.check_horizon(month, field=option)
    return month


def _executor(workers: int | None, scheduler: str | None, timeout: float) -> Executor:
    """The command's executor; open it with `with`, so its workers end with the command."""
    from experiments.executors import make_executor

    return make_executor(workers, scheduler, timeout)


def _progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


# ---------------------------------------------------------------- calibration, pilots, sensitivity
@app.command()
@user_errors
def calibrate(targets: Annotated[Optional[Path], typer.Option(parser=_path,
        help="Targets file with its calibration settings (default: the region's targets.toml).")] = None,
              fit: Annotated[Optional[str], typer.Option(
                  help="Comma-separated parameters to fit (default: the file's).")] = None,
              scale: Scale = None,
              replicates: Annotated[Optional[int], typer.Option("--replicates", "-r", min=1,
                  help="Replicate seeds per evaluation (default: the file's).")] = None,
              initial_points: Annotated[Optional[int], typer.Option(min=0,
                  help="Sobol points before Nelder-Mead (default: the file's).")] = None,
              max_evaluations: Annotated[Optional[int], typer.Option(min=0,
                  help="Nelder-Mead evaluations (default: the file's).")] = None,
              profile_points: Annotated[Optional[int], typer.Option(min=0,
                  help="Scan points per parameter for the intervals (default: the file's).")] = None,
              out: Annotated[Optional[Path], typer.Option("--out", "-o", parser=_path,
                  help="Calibration file to write (default: the region's calibration.toml, the model's "
                       "defaults).")] = None,
              plot: Annotated[Optional[Path], typer.Option(parser=_path,
                  help="Fit-versus-targets PNG (default: docs/calibration_fit.png for sumsel, "
                       "docs/calibration_fit_<id>.png for another region, or beside --out).")] = None,
              folder: Annotated[Optional[Path], typer.Option(parser=_path,
                  help="Results folder keeping every run, so an interrupted fit resumes (default: "
                       "results/calibration-runs, or results/calibration-runs-<id>).")] = None,
              workers: Workers = None, scheduler: Scheduler = None, connect_timeout: ConnectTimeout = 10.0,
              quiet: Quiet = False, region: CalibrationRegion = None):
    """Fit uncertain parameters to the calibration targets; write the model's defaults and a plot."""
    from experiments import calibration, layout, report

    spec = calibration.load_targets(targets, _names(fit), _region(region), scale=scale,
                                    replicates=replicates, initial_points=initial_points,
                                    max_evaluations=max_evaluations, profile_points=profile_points)
    with _executor(workers, scheduler, connect_timeout) as executor:
        result = calibration.calibrate(spec, executor, _progress(quiet),
                                       folder=folder or layout.calibration_runs(spec.region))
    path = calibration.write(result, out)
    picture = calibration.plot(result, plot or (out.with_suffix(".png") if out else None))
    typer.echo(report.calibration(result))
    typer.echo(f"wrote {path} and {picture}")


@app.command()
@user_errors
def ensemble(proposals: Annotated[int, typer.Option(min=2, max=5000,
        help="Parameter sets proposed and run (each runs the calibration's arms).")] = 160,
             keep: Annotated[int, typer.Option(min=1, max=1000,
                 help="Equally weighted draws kept (replicate r uses draw r).")] = 40,
             seed: Annotated[int, typer.Option(min=0, help="Seed of the Sobol proposal and of the resampling.")] = 11,
             scale: Scale = None,
             folder: Annotated[Optional[Path], typer.Option(parser=_path,
                 help="Results folder of the proposals' runs (resumable; default: results/ensemble-build, "
                      "or results/ensemble-build-<id>).")] = None,
             workers: Workers = None, scheduler: Scheduler = None, connect_timeout: ConnectTimeout = 10.0,
             quiet: Quiet = False, region: CalibrationRegion = None):
    """Build the parameter ensemble (approximate posterior) into the region's ensemble.{csv,toml}."""
    from experiments import ensemble as ens

    region = _region(region)
    with _executor(workers, scheduler, connect_timeout) as executor:
        table, info = ens.build(proposals, keep, seed, scale, executor=executor, folder=folder,
                                progress=_progress(quiet), region=region)
    paths = ens.write(table, info, region=region)
    typer.echo(ens.describe(info))
    typer.echo(f"wrote {paths[0]} and {paths[1]}")


@app.command("pilot-design")
@user_errors
def pilot_design(scenario: Annotated[str, typer.Argument(metavar="FILE_OR_NAME",
        help="A scenario with a pilot section.")],
                 units: Annotated[str, typer.Option(
                     help="Comma-separated numbers of units (treated and control together).")] = "20,40,80",
                 months: Annotated[str, typer.Option(help="Comma-separated treatment lengths in months.")] = "6,12",
                 replicates: Replicates = 10, seed: Seed = None,
                 scale: Annotated[Optional[float], typer.Option(
                     help="Fraction of workers simulated (default: the scenario's; use 1 for village or "
                          "market pilots).")] = None,
                 out: Out = None, workers: Workers = None, scheduler: Scheduler = None,
                 connect_timeout: ConnectTimeout = 10.0, quiet: Quiet = False, yes: Yes = False):
    """What effect could a pilot of each size and length detect? MDE and simulated effect per design."""
    from experiments import pilots, report
    from experiments.scenario import load_scenario

    chosen = load_scenario(scenario)
    with _executor(workers, scheduler, connect_timeout) as executor:
        table = pilots.design(chosen, _numbers("--units", units), _numbers("--months", months), replicates,
                              seed, scale, executor, _progress(quiet), out, yes)
    typer.echo(report.pilot_design(table))
    note = pilots.scale_note(float(table["scale"].iloc[0]), chosen.settings.get("pilot_unit"))
    if note:
        typer.echo(note, err=True)


def _numbers(option: str, text: str) -> list[int]:
    from experiments.pilots import PilotError

    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise PilotError(f"{option}: give comma-separated whole numbers, e.g. 20,40,80; got {text!r}") from None


@app.command()
@user_errors
def sensitivity(spec: Annotated[Optional[Path], typer.Argument(metavar="[SPEC.toml]",
        help="Sensitivity spec, a sweep file with design saltelli or morris (default: "
             "experiments/examples/sensitivity.toml).")] = None,
                out: Annotated[Path, typer.Option("--out", "-o", parser=_path,
                    help="Results folder; rerun the same command to resume.")] = ...,  # type: ignore[assignment]
                # (typer's required option after an optional argument: `...` as the default means required)
                method: Annotated[Optional[str], typer.Option(
                    help="sobol (Sobol indices, Saltelli design) or morris (screening) (default: the "
                         "spec's).")] = None,
                samples: Annotated[Optional[int], typer.Option(min=1,
                    help="Sobol base samples N (a power of two) or Morris trajectories.")] = None,
                factor: Annotated[Optional[list[str]], typer.Option(
                    help="NAME=MIN:MAX, or NAME for a default range; repeat to replace the spec's factors.")] = None,
                scenario: Annotated[Optional[str], typer.Option(help="Policy scenario (default: the spec's).")] = None,
                replicates: Annotated[Optional[int], typer.Option("--replicates", "-r", min=1,
                    help="Replicates per point (paired seeds).")] = None,
                scale: Scale = None,
                target_month: Annotated[Optional[str], typer.Option(
                    help="Month analysed, also the horizon (default: the spec's horizon).")] = None,
                workers: Workers = None, scheduler: Scheduler = None, connect_timeout: ConnectTimeout = 10.0,
                quiet: Quiet = False, yes: Yes = False,
                decision_month: Annotated[Optional[str], typer.Option(
                    help="The scenarios' decision month: YYYY-MM, 'default' (2027-01, after the history) "
                         "or 'none' (levers as written from month 0) [default: the spec's, else the "
                         "scenarios'].")] = None):
    """Sobol indices or Morris screening of coverage and cost per extra participant, with CIs and a chart."""
    from experiments import sensitivity as sa

    fields: dict[str, Any] = {"scale": scale, "replicates": replicates, "horizon": target_month,
                              "decision_month": decision_month}
    base = sa.load_spec(spec)
    if scenario:
        fields["scenarios"] = [base.baseline, scenario]
    chosen = sa.load_spec(spec, method, samples, _factors(factor), **fields)
    month = target_month or chosen.horizon or _default_target_month()
    with _executor(workers, scheduler, connect_timeout) as executor:
        result = sa.sensitivity(chosen, out, executor, _progress(quiet), month, yes)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    paths = sa.write(result, out / "sensitivity")
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4g}".format):
        typer.echo(sa.table(result.indices).to_string(index=False))
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


def _factors(items: list[str] | None) -> dict[str, tuple[float | None, float | None]] | None:
    """--factor NAME=MIN:MAX (or NAME) options as name -> (min, max)."""
    from experiments.sensitivity import SensitivityError

    if not items:
        return None
    out: dict[str, tuple[float | None, float | None]] = {}
    for item in items:
        name, _, span = item.partition("=")
        low, sep, high = span.partition(":")
        try:
            out[name.strip()] = (float(low), float(high)) if span else (None, None)
        except ValueError:
            sep = ""
        if span and not sep:
            raise SensitivityError(f"--factor {item!r}: write NAME=MIN:MAX (e.g. stop_rate=0.04:0.1) or NAME")
    return out


def _default_target_month() -> str:
    from experiments.office import target

    return target()[1]


def _region(region: str | None) -> str:
    """A region id of model/data/regions/ (default: the default region), else exit 2 naming the allowed."""
    from model import data
    from model.settings import closest

    if region is None:
        return data.DEFAULT_REGION
    if region not in data.region_ids():
        raise typer.BadParameter(f"unknown region {region!r}.{closest(region, data.region_ids())} "
                                 f"Allowed: {', '.join(data.region_ids())}", param_hint="--region")
    return region


def _plan_region(region: str | None) -> str | None:
    """A province id or kanwil for `optimize --region` (None: the file's), else exit 2 naming the allowed."""
    from experiments.office import OFFICE
    from model import data
    from model.settings import closest

    allowed = [*data.region_ids(), OFFICE]
    if region is not None and region not in allowed:
        raise typer.BadParameter(f"unknown region {region!r}.{closest(region, allowed)} "
                                 f"Allowed: {', '.join(allowed)}", param_hint="--region")
    return region


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


# ---------------------------------------------------------------- optimisation
@app.command()
@user_errors
def optimize(problem: Annotated[str, typer.Argument(metavar="PROBLEM",
                 help="A built-in problem name or a problem .toml file (see docs/optimize.md).")] = "reach_50",
             out: Annotated[Optional[Path], typer.Option("--out", "-o",
                 help="Results folder: the study, the front, one scenario file per plan; rerun to resume "
                      "[default: results/<problem name>].")] = None,
             trials: Annotated[Optional[int], typer.Option(min=1,
                 help="Candidates in the search [default: the file's].")] = None,
             workers: Workers = None, scheduler: Scheduler = None, connect_timeout: ConnectTimeout = 10.0,
             yes: Annotated[bool, typer.Option("--yes", help="Start a request above the confirmation size.")] = False,
             quiet: Quiet = False,
             region: Annotated[Optional[str], typer.Option(
                 help="Province the plan is for: a folder of model/data/regions/, or kanwil for the three "
                      "provinces together; its target and month unless the file sets them "
                      "[default: the file's region key, else the base scenario's].")] = None):
    """Find the cheapest plans: the Pareto front of yearly spend against the objective."""
    from experiments import limits, optimize as opt, report, runner

    chosen = opt.load_problem(problem, _plan_region(region))
    if trials is not None:
        limits.check_count(trials, 1, opt.MAX_TRIALS, "--trials")
        chosen = chosen.with_trials(trials)
    with _executor(workers, scheduler, connect_timeout) as executor:
        cost = opt.estimate(chosen, executor.workers)
        if cost.runs > limits.CONFIRM_RUNS and not yes:
            raise limits.LimitError(f"this search is {cost}; above {limits.CONFIRM_RUNS:,} runs it must be "
                                    "confirmed: add --yes, or use fewer trials or replicates")
        folder = out or Path("results") / chosen.name
        if not quiet:
            typer.echo(f"{chosen.name}: up to {cost}; results in {folder}", err=True)
        show = None if quiet else _optimize_progress
        try:
            outcome = opt.optimize(chosen, folder, executor, on_progress=show)
        except (KeyboardInterrupt, runner.Interrupted):
            executor.cancel()
            typer.echo(f"interrupted; the candidates evaluated so far are saved in {folder}: "
                       "rerun the same command to resume", err=True)
            raise typer.Exit(130) from None
    typer.echo(report.optimisation(outcome))
    typer.echo(f"\nscenario files of these plans: {folder / 'plans'} (cakupan run FILE; the app's Compare page)")


def _optimize_progress(progress) -> None:
    left = "?" if progress.seconds_left is None else f"{progress.seconds_left:,.0f} s"
    share = progress.done / progress.total if progress.total else 1.0
    typer.echo(f"  {progress.phase}: {share:.0%} of the work, {progress.seconds:,.0f} s so far, "
               f"about {left} left", err=True)


# ---------------------------------------------------------------- the browser app
@app.command("app")
def app_(host: Annotated[str, typer.Option(
        help="Address to listen on (the app has no login: keep 127.0.0.1 unless you mean to share it).")] = "127.0.0.1",
         port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765):
    """Start the browser app (`python -m viz`) on http://HOST:PORT/."""
    import importlib.util

    if importlib.util.find_spec(APP_MODULE) is None:
        typer.echo(f"error: the browser app is not installed (no module {APP_MODULE!r})", err=True)
        raise typer.Exit(2)
    # `python -m viz` (a separate process, so experiments/ never imports viz/) starts solara
    os.execv(sys.executable, [sys.executable, "-m", APP_MODULE, "--host", host, "--port", str(port)])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
