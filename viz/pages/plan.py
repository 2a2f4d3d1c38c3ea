"""Plan page: what it takes to reach the target. Set the objective, budget and constraints,
start the search (`cakupan optimize` on this server), watch the Pareto front of yearly spend
against the objective grow, stop it, and send any plan on the front to the Compare page.

State is per browser session (module-level reactives and task, as in viz/state.py).
"""

from __future__ import annotations

import threading

import solara
import solara.lab

from viz import planner, state

form = solara.reactive(planner.default_form())
problem_message = solara.reactive(None)     # a field the planner must fix
status = solara.reactive(None)              # phase and time left while a search runs
front = solara.reactive(None)               # (front table, objective label) so far
outcome = solara.reactive(None)             # the finished search
sent = solara.reactive(None)                # last plan sent to Compare
stop_event = solara.reactive(None)          # threading.Event of the running search
folders = solara.reactive({})               # problem fingerprint -> its results folder (resume)


def update(**fields) -> None:
    form.value = planner.Form(**{**form.value.__dict__, **fields})


@solara.lab.task(prefer_threaded=True)
def run_search(chosen):
    label = planner.opt.objective_label(chosen)
    event = threading.Event()
    stop_event.value = event

    def show(progress) -> None:
        left = "estimating" if progress.seconds_left is None else f"about {progress.seconds_left:,.0f} s left"
        share = progress.done / progress.total if progress.total else 1.0
        status.value = (share, f"{progress.phase}: {share:.0%} of the work, {progress.seconds:,.0f} s so far, {left}")
        front.value = (progress.front, label)

    key = planner.opt.fingerprint(chosen)
    folder = folders.value.get(key) or planner.new_folder(chosen)
    folders.value = {**folders.value, key: folder}
    try:
        result = planner.search(chosen, show, event.is_set, folder)
    except planner.UserError as error:        # stopped, busy: the front so far stays on screen
        status.value = None
        problem_message.value = str(error)
        return None
    status.value = None
    outcome.value = result
    front.value = (result.front, label)
    return result


def start() -> None:
    try:
        chosen = planner.problem(form.value)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    problem_message.value, outcome.value, front.value, sent.value = None, None, None, None
    status.value = (0.0, "starting")
    run_search(chosen)


def cancel() -> None:
    if stop_event.value is not None:
        stop_event.value.set()
        status.value = (status.value or (0.0, ""))[0], "stopping after the current batch"


def send_to_compare(trial: int) -> None:
    scenario = planner.plan_scenario(outcome.value, trial)
    try:
        state.add_scenario(scenario)
    except planner.UserError as error:
        problem_message.value = str(error)
        return
    sent.value = scenario.name


@solara.component
def ProblemCard():
    f = form.value
    with solara.Card("1. Objective, budget and constraints",
                     subtitle="Starts from the default problem (experiments/problems/reach_50.toml); "
                              "the levers and their bounds are that file's."):
        solara.Select("Objective", value=f.goal, values=list(planner.GOALS),
                      on_value=lambda v: update(goal=v))
        solara.Text(planner.GOALS[f.goal])
        with solara.Row():
            solara.InputText("Target month (YYYY-MM)", value=f.month, on_value=lambda v: update(month=v),
                             continuous_update=False)
            solara.InputFloat("Target coverage (share)", value=f.target, on_value=lambda v: update(target=v),
                              continuous_update=False)
            solara.InputFloat("Probability p", value=f.probability,
                              on_value=lambda v: update(probability=v), continuous_update=False)
        with solara.Row():
            solara.InputFloat("Yearly budget, total (Rp bn)", value=f.total_bn, optional=True,
                              on_value=lambda v: update(total_bn=v), continuous_update=False)
            solara.InputFloat("Office (Rp bn)", value=f.office_bn, optional=True,
                              on_value=lambda v: update(office_bn=v), continuous_update=False)
            solara.InputFloat("Local governments (Rp bn)", value=f.local_bn, optional=True,
                              on_value=lambda v: update(local_bn=v), continuous_update=False)
        with solara.Row():
            solara.InputFloat("At most Perisai agents", value=f.max_agents,
                              on_value=lambda v: update(max_agents=v), continuous_update=False)
            solara.InputInt(f"Candidates (at most {planner.MAX_TRIALS})", value=f.trials,
                            on_value=lambda v: update(trials=v), continuous_update=False)
        solara.Checkbox(label="No regency below its status quo", value=f.no_regency_below,
                        on_value=lambda v: update(no_regency_below=v))
        with solara.Row():
            solara.Button("Start search", color="primary", on_click=start, disabled=run_search.pending)
            solara.Button("Stop", on_click=cancel, disabled=not run_search.pending)
        if problem_message.value:
            solara.Error(problem_message.value)


@solara.component
def FrontView():
    if status.value is not None:
        share, text = status.value
        solara.ProgressLinear(value=share * 100)
        solara.Text(f"Searching: {text}")
    if front.value is None:
        return
    table, label = front.value
    done = outcome.value
    with solara.Card("2. Pareto front: yearly spend against the objective",
                     subtitle="Each point is a plan no other plan beats on both; numbers of the "
                              "largest rung evaluated so far (paired replicates)."):
        if done is not None:
            solara.Info(done.message())
        if table is None or table.empty:
            solara.Text("No candidate evaluated yet.")
            return
        solara.FigureMatplotlib(planner.front_figure(table, done.candidates if done else None, label,
                                                     done.recommended if done else None),
                                format="png", dependencies=[id(table), id(done)])
        for row in planner.front_rows(table, label):
            with solara.Row(classes=["front-row"]):
                solara.Text(", ".join(f"{k}: {v}" for k, v in row.items()))
                if done is not None:
                    solara.Button(f"Send {row['trial']} to Compare", classes=[f"send-{row['trial']}"],
                                  on_click=lambda t=row["trial"]: send_to_compare(t), text=True)
        if sent.value:
            solara.Success(f"{sent.value} is on the Compare page (selected).")


@solara.component
def RecommendedView():
    done = outcome.value
    if done is None or done.recommended is None:
        return
    with solara.Card(f"3. Recommended plan (trial {int(done.recommended['trial'])}) by regency",
                     subtitle=f"Lever values at {done.problem.month}: plan (status quo)."):
        solara.DataFrame(planner.regency_rows(done.by_regency), items_per_page=17)
    if not done.sensitivity.empty:
        with solara.Card("4. What the recommended plan is most sensitive to",
                         subtitle=f"One lever moved by {done.problem.step:.0%} of its range, down and up."):
            solara.DataFrame(planner.sensitivity_rows(done.sensitivity))


@solara.component
def Page():
    solara.Title("cakupan: plan")
    ProblemCard()
    FrontView()
    RecommendedView()
