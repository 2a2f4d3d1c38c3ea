"""Plan page: what it takes to reach the target. Set the objective, budget and constraints,
start the search (`cakupan optimize` on this server, its runs on the app's shared pool), watch
the Pareto front of yearly spend against the objective grow, stop it, and send any plan on the
front to the Compare page.

Every visible string goes through the session's translator (viz/language.py). A number field
is read by `planner.read_number` when it is left (or Enter): a value it refuses keeps the typed
text and a message beside the field, and Start is refused while any field has one, so the page
never shows "searching" for a request the server refused. State is per browser session
(module-level reactives and task, as in viz/state.py).
"""

from __future__ import annotations

import threading
from typing import Any, cast

import pandas as pd
import solara
import solara.lab

from experiments import office
from experiments.i18n import N_, Translator
from viz import backend, plan_map, plan_timeline, planner, state
from viz.charts import Plot
from viz.language import use_translator
from viz.region_choice import RegionSelect, region_name

GOALS = {"min_spend": N_("Cheapest plan reaching the target with probability p"),
         "max_coverage": N_("Highest coverage at the month within the budget"),
         "max_p_target": N_("Highest P(target) at the month within the budget")}
PHASES = {"search": N_("Searching"), "re-evaluation": N_("Re-evaluating"), "sensitivity": N_("Sensitivity")}
UNCERTAINTY = {"both": N_("Replicate r runs with seed r and parameter draw r of the ensemble: the statistics "
                          "cover chance and what we do not know about the parameters and costs."),
               "parameters": N_("Replicate r runs with parameter draw r of the ensemble (one seed)."),
               "chance": N_("Replicates differ by their seeds only (the calibrated parameter values).")}
NUMBER_FIELDS = {"target": N_("Target coverage"), "probability": N_("Probability p"),
                 "total_bn": N_("Yearly budget, total (Rp bn)"), "office_bn": N_("Office (Rp bn)"),
                 "local_bn": N_("Local governments (Rp bn)"), "max_agents": N_("At most Perisai agents"),
                 "trials": N_("Candidates")}

form = solara.reactive(planner.default_form())
drafts = solara.reactive(cast(dict[str, str], {}))                     # field -> text it refused
problem_message = solara.reactive(cast(str | None, None))             # a problem of the whole request
status = solara.reactive(cast(tuple[float, Any] | None, None))        # (share done, Progress) while searching
front = solara.reactive(cast(tuple[pd.DataFrame, Any] | None, None))  # (front table, problem) so far
outcome = solara.reactive(cast(Any, None))                            # the finished search (optimize.Outcome)
sent = solara.reactive(cast(str | None, None))                        # last plan sent to Compare
stop_event = solara.reactive(cast(threading.Event | None, None))      # the running search's stop flag
stopping = solara.reactive(False)           # Stop was pressed: the waiting runs are dropped
stopped = solara.reactive(False)            # the last search was stopped (what finished is kept)


def _page_started():
    """When the page's session closes, its search stops and its folder is removed."""
    page = solara.get_kernel_id()

    def closed() -> None:
        dropped = planner.close(page)
        backend.log.info("page %s closed: its search stopped, %d waiting runs dropped", page, dropped)
    return closed


solara.lab.on_kernel_start(_page_started)


def update(**fields) -> None:
    form.value = planner.Form(**{**form.value.__dict__, **fields})


def set_region(region: str) -> None:
    """Another region for the problem (checked again by planner.in_region): its own target and month."""
    try:
        form.value = planner.in_region(form.value, region)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    drafts.value = {k: v for k, v in drafts.value.items() if k != "target"}


def target_text(f: planner.Form, t: Translator) -> str:
    """The chosen region's own target (its region.toml; the office's weighted by workers)."""
    share, month = office.target(f.region)
    return t("{region}: target {share} by {month}", region=region_name(f.region, t),
             share=t.percent(share, 0 if f.region != office.OFFICE else 1), month=t.month(month))


def set_number(field: str, text: str | None, t: Translator) -> None:
    """A number field left: its value when read, else the typed text stays with its message."""
    try:
        value = planner.read_number(text, field, t)
    except planner.FieldError:
        drafts.value = {**drafts.value, field: str(text or "")}
        return
    drafts.value = {k: v for k, v in drafts.value.items() if k != field}
    update(**{field: int(value) if field == "trials" and value is not None else value})


def field_error(field: str, t: Translator) -> str | None:
    """The message beside a field, in the session's language (read again at every render)."""
    if field not in drafts.value:
        return None
    try:
        planner.read_number(drafts.value[field], field, t)
    except planner.FieldError as error:
        return str(error)
    return None


@solara.lab.task(prefer_threaded=True)
def run_search(chosen, page: str):
    """Runs in a thread of this session; every outcome becomes page state (the task never fails)."""
    event = threading.Event()
    stop_event.value = event

    def show(progress) -> None:
        share = progress.done / progress.total if progress.total else 1.0
        status.value = (share, progress)
        front.value = (progress.front, chosen)

    try:
        result = planner.search(chosen, show, event.is_set, page)
    except (planner.Cancelled, planner.opt.Stopped):
        status.value, stopping.value, stopped.value = None, False, True
        return None
    except Exception as error:  # noqa: BLE001 - a UserError's message, or an id for the rest
        status.value, stopping.value = None, False
        problem_message.value = backend.explain(error)
        return None
    status.value, stopping.value = None, False
    outcome.value = result
    front.value = (result.front, chosen)
    return result


def start(t: Translator) -> None:
    if run_search.pending or status.value is not None:
        return
    if drafts.value:
        problem_message.value = t("Correct the fields marked in red first.")
        return
    try:
        chosen = planner.problem(form.value, t)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    problem_message.value, outcome.value, front.value, sent.value = None, None, None, None
    stopping.value, stopped.value = False, False
    status.value = (0.0, None)
    backend.log.info("page %s: search of up to %d candidates started", solara.get_kernel_id(), chosen.search.trials)
    run_search(chosen, solara.get_kernel_id())


def cancel() -> None:
    if stop_event.value is not None and status.value is not None:
        stop_event.value.set()
        stopping.value = True
        dropped = planner.cancel(solara.get_kernel_id())
        backend.log.info("page %s stopped its search: %d waiting runs dropped", solara.get_kernel_id(), dropped)


def send_to_compare(trial: int, t: Translator) -> None:
    scenario = planner.plan_scenario(outcome.value, trial, t)
    try:
        state.add_scenario(scenario)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    sent.value = scenario.name


def objective_label(problem, t: Translator) -> str:
    """What the front plots against spend, in the page's language."""
    o = problem.objective
    if o.goal == "max_p_target":
        return t("P({target} by {month})", target=t.percent(o.target, 0), month=t.month(o.month))
    if o.statistic == "mean":
        return t("coverage at {month} (mean)", month=t.month(o.month))
    return t("coverage at {month} ({quantile} quantile)", month=t.month(o.month), quantile=t.percent(o.statistic, 0))


def statistic_text(problem, t: Translator) -> str:
    """Which statistic the front reports, and over what the replicates vary."""
    o = problem.objective
    statistic = t("mean") if o.statistic == "mean" else t("{quantile} quantile", quantile=t.percent(o.statistic, 0))
    return t("P(target) is the share of replicates at or above the target at the month; coverage is the "
             "{statistic} over the replicates.", statistic=statistic) + " " + t(UNCERTAINTY[o.uncertainty])


def progress_text(progress, t: Translator) -> str:
    """The phase, the share of the work, seconds so far and left."""
    if progress is None:
        return t("Starting the search")
    phase, _, rung = progress.phase.partition(" ")
    name = t(PHASES.get(phase, phase)) + (f" {rung}" if rung else "")
    share = progress.done / progress.total if progress.total else 1.0
    left = t("estimating the time left") if progress.seconds_left is None else \
        t("about {seconds} s left", seconds=t.number(progress.seconds_left))
    return t("{phase}: {share} of the work, {seconds} s so far, {left}", phase=name, share=t.percent(share, 0),
             seconds=t.number(progress.seconds), left=left)


def verdict(done, t: Translator) -> str:
    """The outcome's one-line answer (optimize.Outcome.verdict) in the page's language."""
    p, r = done.problem, done.recommended
    if r is None:
        return t("No candidate satisfies the budget and constraints; the closest plans are listed.")
    o = p.objective
    fields = {"target": t.percent(o.target, 0), "month": t.month(o.month), "p": t.percent(o.probability, 0),
              "trial": int(r["trial"]), "spend": t.rupiah(r["spend_year_idr"]),
              "chance": t.percent(r["p_target"], 0), "coverage": t.percent(r["coverage_mean"])}
    if o.goal == "min_spend" and not done.reachable:
        return t("{target} by {month} with probability {p} cannot be reached within the budget and bounds; "
                 "the closest plans are listed (best: P = {chance}, coverage {coverage}).", **fields)
    if o.goal == "min_spend":
        return t("Cheapest plan reaching {target} by {month} with P >= {p}: plan {trial}, {spend} a year, "
                 "P = {chance}, coverage {coverage}.", **fields)
    if not done.reachable and done.over_budget:
        return t("No plan fits the budget: the closest, plan {trial}, spends {spend} a year; the closest plans "
                 "are listed.", **fields)
    if not done.reachable:
        return t("No candidate satisfies the budget and constraints; the closest plans are listed.")
    return t("Best plan within the budget: plan {trial}, {label} {value}, {spend} a year.",
             label=objective_label(p, t), value=t.percent(r["objective"]), **fields)


def NumberField(field: str, t: Translator, optional: bool = False):
    error = field_error(field, t)
    text = drafts.value.get(field)
    if text is None:
        text = planner.show_number(getattr(form.value, field), field, t)
    label = t(NUMBER_FIELDS[field])
    if field == "trials":
        label = t("Candidates (at most {count})", count=t.number(planner.MAX_TRIALS))
    solara.InputText(label, value=text, on_value=lambda v: set_number(field, v, t), continuous_update=False,
                     error=error or False, message=error, classes=[f"field-{field}"],
                     placeholder=t("none") if optional else None)


@solara.component
def ProblemCard():
    t = use_translator()
    f = form.value
    default = planner.default_form()
    with solara.Card(t("1. Objective, budget and constraints"),
                     subtitle=t("Starts from the default problem: {goal}, {target} by {month}; the levers and "
                                "their bounds are that problem's.", goal=t(GOALS[default.goal]).lower(),
                                target=t.percent(default.target, 0), month=t.month(default.month))):
        busy = status.value is not None or run_search.pending
        RegionSelect(f.region, set_region, classes=["region-select", "plan-region"], disabled=busy)
        solara.Text(target_text(f, t), classes=["plan-region-target"], style={"display": "block"})
        goals = {t(label): goal for goal, label in GOALS.items()}   # shown in words, kept as its code
        solara.Select(t("Objective"), value=t(GOALS[f.goal]), values=list(goals),
                      on_value=lambda label: update(goal=goals[label]))
        with solara.Row():
            solara.InputText(t("Target month (YYYY-MM)"), value=f.month, on_value=lambda v: update(month=v),
                             continuous_update=False)
            NumberField("target", t)
            NumberField("probability", t)
        with solara.Row():
            NumberField("total_bn", t, optional=True)
            NumberField("office_bn", t, optional=True)
            NumberField("local_bn", t, optional=True)
        solara.Text(t("Budgets are ceilings: a subsidy budget is a cap the programme stops at, and unspent "
                      "money is not spent. A plan's spend is what the model pays out."))
        with solara.Row():
            NumberField("max_agents", t)
            NumberField("trials", t)
        solara.Checkbox(label=t("No regency below its status quo"), value=f.no_regency_below,
                        on_value=lambda v: update(no_regency_below=v))
        with solara.Row():
            solara.Button(t("Start search"), color="primary", on_click=lambda: start(t), disabled=busy,
                          classes=["start-search"])
            solara.Button(t("Stop"), on_click=cancel, disabled=not busy or stopping.value, classes=["stop-search"])
        if problem_message.value:
            solara.Error(problem_message.value, classes=["plan-message"])
        if stopped.value:
            solara.Info(t("The search was stopped; what finished is kept. Start it again to resume."),
                        classes=["search-stopped"])


def Table(rows: pd.DataFrame) -> None:
    """A display table (text cells, escaped), rows numbered from 1, scrolling sideways in its
    card instead of clipping the last column."""
    solara.HTML(tag="div", unsafe_innerHTML=rows.to_html(escape=True, border=0, classes=["plan-table"]),
                style="overflow-x: auto; max-width: 100%;")


@solara.component
def FrontView():
    t = use_translator()
    if status.value is not None:
        share, progress = status.value
        solara.ProgressLinear(value=share * 100)
        text = t("Stopping: the waiting runs are dropped") if stopping.value else progress_text(progress, t)
        solara.Text(text, classes=["search-progress"])
    if front.value is None:
        return
    table, chosen = front.value
    label = objective_label(chosen, t)
    done = outcome.value
    with solara.Card(t("2. Pareto front: yearly spend against the objective"),
                     subtitle=t("Each point is a plan no other plan beats on both, with the numbers of the "
                                "largest rung evaluated so far.")):
        solara.Text(statistic_text(chosen, t))
        if done is not None:
            solara.Info(verdict(done, t), classes=["plan-verdict"])
        if table is None or table.empty:
            solara.Text(t("No candidate evaluated yet."))
            return
        candidates = done.candidates if done else None
        recommended = done.recommended if done else None
        Plot(lambda: planner.front_figure(table, candidates, label, recommended, t.lang),
             dependencies=[id(table), id(done), t.lang])
        for trial, cells in planner.front_rows(table, label, t.lang):
            with solara.Row(classes=["front-row"]):
                solara.Text(", ".join(f"{k}: {v}" for k, v in cells.items()))
                if done is not None:
                    solara.Button(t("Send {plan} to Compare", plan=trial), classes=[f"send-{trial}"],
                                  on_click=lambda trial=trial: send_to_compare(trial, t), text=True)
        if sent.value:
            solara.Success(t("{name} is on the Compare page (selected).", name=sent.value))


@solara.component
def RecommendedView():
    t = use_translator()
    done = outcome.value
    if done is None or done.recommended is None:
        return
    with solara.Card(t("3. Recommended plan ({plan}) by regency", plan=int(done.recommended["trial"])),
                     subtitle=t("Lever values at {month}: plan (status quo).",
                                month=t.month(done.problem.objective.month))
                     + planner.regency_note(done.by_regency, t)):
        Table(planner.regency_rows(done.by_regency, t.lang))
        if plan_map.has_map(done.by_regency):
            Plot(lambda: plan_map.plan_spend_figure(done.by_regency, done.problem.base.region,
                                                    int(done.recommended["trial"]), done.problem.objective.month,
                                                    t.lang), dependencies=[id(done), t.lang])
    trial = int(done.recommended["trial"])
    with solara.Card(t("Recommended plan ({plan}) over time and who pays", plan=trial),
                     subtitle=plan_timeline.spend_note(done.problem, t), classes=["plan-timeline"]):
        Plot(lambda: plan_timeline.timeline_figure(done.problem, done.scenarios[trial], trial, t.lang),
             dependencies=[id(done), t.lang])
        if not done.spend_by_year.empty:
            solara.Text(t("Spend by budget year and payer"), classes=["spend-by-year-title"])
            Table(plan_timeline.spend_rows(done.spend_by_year, t.lang))
    if not done.sensitivity.empty:
        with solara.Card(t("4. What the recommended plan is most sensitive to"),
                         subtitle=t("One lever moved by {step} of its range, down and up.",
                                    step=t.percent(done.problem.search.step, 0))):
            Table(planner.sensitivity_rows(done.sensitivity, t.lang))


@solara.component
def Page():
    t = use_translator()
    solara.Title(t("cakupan: plan"))
    ProblemCard()
    FrontView()
    RecommendedView()
