"""Plan page: what it takes to reach the target. Set the objective, budget and constraints,
start the search (`cakupan optimize` on this server), watch the Pareto front of yearly spend
against the objective grow, stop it, and send any plan on the front to the Compare page.

Every visible string goes through the session's translator (viz/language.py); the search's
own error messages (a field to fix, a stopped search) come from experiments/ in English, like
the other pages'. State is per browser session (module-level reactives and task, as in
viz/state.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

import pandas as pd
import solara
import solara.lab

from experiments.i18n import N_, Translator
from viz import planner, state
from viz.charts import Plot
from viz.language import use_translator

GOALS = {"min_spend": N_("Cheapest plan reaching the target with probability p"),
         "max_coverage": N_("Highest coverage at the month within the budget"),
         "max_p_target": N_("Highest P(target) at the month within the budget")}
PHASES = {"search": N_("search"), "re-evaluation": N_("re-evaluation"), "sensitivity": N_("sensitivity")}
UNCERTAINTY = {"both": N_("Replicate r runs with seed r and parameter draw r of the ensemble: the statistics "
                          "cover chance and what we do not know about the parameters and costs."),
               "parameters": N_("Replicate r runs with parameter draw r of the ensemble (one seed)."),
               "chance": N_("Replicates differ by their seeds only (the calibrated parameter values).")}

form = solara.reactive(planner.default_form())
problem_message = solara.reactive(cast(str | None, None))                 # a field the planner must fix
status = solara.reactive(cast(tuple[float, Any] | None, None))           # (share done, Progress) while searching
front = solara.reactive(cast(tuple[pd.DataFrame, Any] | None, None))     # (front table, problem) so far
outcome = solara.reactive(cast(Any, None))                               # the finished search (optimize.Outcome)
sent = solara.reactive(cast(str | None, None))                           # last plan sent to Compare
stop_event = solara.reactive(cast(threading.Event | None, None))         # the running search's stop flag
folders = solara.reactive(cast(dict[str, Path], {}))                     # problem fingerprint -> its folder (resume)
stopping = solara.reactive(False)           # Stop was pressed: the search ends after its batch


def update(**fields) -> None:
    form.value = planner.Form(**{**form.value.__dict__, **fields})


@solara.lab.task(prefer_threaded=True)
def run_search(chosen):
    event = threading.Event()
    stop_event.value = event

    def show(progress) -> None:
        share = progress.done / progress.total if progress.total else 1.0
        status.value = (share, progress)
        front.value = (progress.front, chosen)

    key = planner.opt.fingerprint(chosen)
    folder = folders.value.get(key) or planner.new_folder(chosen)
    folders.value = {**folders.value, key: folder}
    try:
        result = planner.search(chosen, show, event.is_set, folder)
    except planner.UserError as error:        # stopped, busy: the front so far stays on screen
        status.value, stopping.value = None, False
        problem_message.value = str(error)
        return None
    status.value, stopping.value = None, False
    outcome.value = result
    front.value = (result.front, chosen)
    return result


def start() -> None:
    try:
        chosen = planner.problem(form.value)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    problem_message.value, outcome.value, front.value, sent.value = None, None, None, None
    stopping.value = False
    status.value = (0.0, None)
    run_search(chosen)


def cancel() -> None:
    if stop_event.value is not None:
        stop_event.value.set()
        stopping.value = True


def send_to_compare(trial: int) -> None:
    scenario = planner.plan_scenario(outcome.value, trial)
    try:
        state.add_scenario(scenario)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    sent.value = scenario.name


def objective_label(problem, t: Translator) -> str:
    """What the front plots against spend, in the page's language."""
    if problem.goal == "max_p_target":
        return t("P({target} by {month})", target=t.percent(problem.target, 0), month=t.month(problem.month))
    if problem.statistic == "mean":
        return t("coverage at {month} (mean)", month=t.month(problem.month))
    return t("coverage at {month} ({quantile} quantile)", month=t.month(problem.month),
             quantile=t.percent(problem.statistic, 0))


def statistic_text(problem, t: Translator) -> str:
    """Which statistic the front reports, and over what the replicates vary."""
    statistic = t("mean") if problem.statistic == "mean" else \
        t("{quantile} quantile", quantile=t.percent(problem.statistic, 0))
    return t("P(target) is the share of replicates at or above the target at the month; coverage is the "
             "{statistic} over the replicates.", statistic=statistic) + " " + t(UNCERTAINTY[problem.uncertainty])


def progress_text(progress, t: Translator) -> str:
    """The phase, the share of the work, seconds so far and left."""
    if progress is None:
        return t("starting")
    phase, _, rung = progress.phase.partition(" ")
    name = t(PHASES.get(phase, phase)) + (f" {rung}" if rung else "")
    share = progress.done / progress.total if progress.total else 1.0
    left = t("estimating the time left") if progress.seconds_left is None else \
        t("about {seconds} s left", seconds=t.number(progress.seconds_left))
    return t("{phase}: {share} of the work, {seconds} s so far, {left}", phase=name, share=t.percent(share, 0),
             seconds=t.number(progress.seconds), left=left)


def verdict(done, t: Translator) -> str:
    """The outcome's one-line answer (optimize.Outcome.message) in the page's language."""
    p, r = done.problem, done.recommended
    if r is None:
        return t("No candidate satisfies the budget and constraints; the closest plans are listed.")
    fields = {"target": t.percent(p.target, 0), "month": t.month(p.month), "p": t.percent(p.probability, 0),
              "trial": int(r["trial"]), "spend": t.rupiah(r["spend_year_idr"]),
              "chance": t.percent(r["p_target"], 0), "coverage": t.percent(r["coverage_mean"])}
    if p.goal == "min_spend" and not done.reachable:
        return t("{target} by {month} with probability {p} cannot be reached within the budget and bounds; "
                 "the closest plans are listed (best: P = {chance}, coverage {coverage}).", **fields)
    if p.goal == "min_spend":
        return t("Cheapest plan reaching {target} by {month} with P >= {p}: plan {trial}, {spend} a year, "
                 "P = {chance}, coverage {coverage}.", **fields)
    return t("Best plan within the budget: plan {trial}, {label} {value}, {spend} a year.",
             label=objective_label(p, t), value=t.percent(r["objective"]), **fields)


@solara.component
def ProblemCard():
    t = use_translator()
    f = form.value
    with solara.Card(t("1. Objective, budget and constraints"),
                     subtitle=t("Starts from the default problem (experiments/problems/reach_50.toml); "
                                "the levers and their bounds are that file's.")):
        goals = {t(label): goal for goal, label in GOALS.items()}   # shown in words, kept as its code
        solara.Select(t("Objective"), value=t(GOALS[f.goal]), values=list(goals),
                      on_value=lambda label: update(goal=goals[label]))
        with solara.Row():
            solara.InputText(t("Target month (YYYY-MM)"), value=f.month, on_value=lambda v: update(month=v),
                             continuous_update=False)
            solara.InputFloat(t("Target coverage (share)"), value=f.target, on_value=lambda v: update(target=v),
                              continuous_update=False)
            solara.InputFloat(t("Probability p"), value=f.probability,
                              on_value=lambda v: update(probability=v), continuous_update=False)
        with solara.Row():
            solara.InputFloat(t("Yearly budget, total (Rp bn)"), value=f.total_bn, optional=True,
                              on_value=lambda v: update(total_bn=v), continuous_update=False)
            solara.InputFloat(t("Office (Rp bn)"), value=f.office_bn, optional=True,
                              on_value=lambda v: update(office_bn=v), continuous_update=False)
            solara.InputFloat(t("Local governments (Rp bn)"), value=f.local_bn, optional=True,
                              on_value=lambda v: update(local_bn=v), continuous_update=False)
        solara.Text(t("Budgets are ceilings: a subsidy budget is a cap the programme stops at, and unspent "
                      "money is not spent. A plan's spend is what the model pays out."))
        with solara.Row():
            solara.InputFloat(t("At most Perisai agents"), value=f.max_agents,
                              on_value=lambda v: update(max_agents=v), continuous_update=False)
            solara.InputInt(t("Candidates (at most {count})", count=planner.MAX_TRIALS), value=f.trials,
                            on_value=lambda v: update(trials=v), continuous_update=False)
        solara.Checkbox(label=t("No regency below its status quo"), value=f.no_regency_below,
                        on_value=lambda v: update(no_regency_below=v))
        with solara.Row():
            solara.Button(t("Start search"), color="primary", on_click=start, disabled=run_search.pending)
            solara.Button(t("Stop"), on_click=cancel, disabled=not run_search.pending)
        if problem_message.value:
            solara.Error(problem_message.value)


@solara.component
def FrontView():
    t = use_translator()
    if status.value is not None:
        share, progress = status.value
        solara.ProgressLinear(value=share * 100)
        text = t("stopping after the current batch") if stopping.value else progress_text(progress, t)
        solara.Text(t("Searching: {progress}", progress=text))
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
            solara.Info(verdict(done, t))
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
                                  on_click=lambda trial=trial: send_to_compare(trial), text=True)
        if sent.value:
            solara.Success(t("{name} is on the Compare page (selected).", name=sent.value))


@solara.component
def RecommendedView():
    t = use_translator()
    done = outcome.value
    if done is None or done.recommended is None:
        return
    with solara.Card(t("3. Recommended plan ({plan}) by regency", plan=int(done.recommended["trial"])),
                     subtitle=t("Lever values at {month}: plan (status quo).", month=t.month(done.problem.month))):
        solara.DataFrame(planner.regency_rows(done.by_regency, t.lang), items_per_page=len(done.by_regency))
    if not done.sensitivity.empty:
        with solara.Card(t("4. What the recommended plan is most sensitive to"),
                         subtitle=t("One lever moved by {step} of its range, down and up.",
                                    step=t.percent(done.problem.step, 0))):
            solara.DataFrame(planner.sensitivity_rows(done.sensitivity, t.lang))


@solara.component
def Page():
    t = use_translator()
    solara.Title(t("cakupan: plan"))
    ProblemCard()
    FrontView()
    RecommendedView()
