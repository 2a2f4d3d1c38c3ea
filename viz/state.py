"""Per-session state of the compare page.

Solara keeps a separate value of every module-level `solara.reactive` (and of a module-level
`solara.lab.task`) for each browser session (virtual kernel), so two planners never see each
other's scenarios, selections or runs. Values are replaced, never mutated in place: the initial
objects are shared by all sessions.
"""

from __future__ import annotations

import solara
import solara.lab

from model.parameters import PARAMETERS
from viz import backend, lever_edit
from viz.language import use_translator

BUILTINS = backend.builtin_scenarios()  # immutable (frozen pydantic models), read-only here
DEFAULT_SELECTION = ("baseline", "regional_plan")
SCALES = backend.SCALES
DEFAULT_SCALE = 0.01
DEFAULT_REPLICATES = 5
MAX_REPLICATES = backend.MAX_REPLICATES

scenarios = solara.reactive(dict(BUILTINS))  # name -> Scenario: built-ins, copies and uploads
selected = solara.reactive(tuple(n for n in DEFAULT_SELECTION if n in BUILTINS))
editing = solara.reactive(None)               # name of the copy being edited, or None
replicates = solara.reactive(DEFAULT_REPLICATES)
scale = solara.reactive(DEFAULT_SCALE)
message = solara.reactive(None)               # last problem with an upload or an edit
progress = solara.reactive((0, 0))            # (runs finished, runs planned)
comparison = solara.reactive(None)            # the last comparison that finished
uncertainty = solara.reactive("both")          # what replicates vary: chance, parameters or both
region = solara.reactive(backend.DEFAULT_REGION)  # where the comparison runs: a province or the office
pasted = solara.reactive("")                  # the paste box's text (kept across pages)
notice = solara.reactive(None)                # (runs finished, runs planned) of a cancelled comparison
executor = solara.reactive(None)              # the comparison's SessionExecutor (for Cancel)
from_month = solara.reactive(None)            # the editor's "from month" (YYYY-MM) for typed values
last_edit = solara.reactive(None)             # (copy, lever, month, scenario before) of the last change
origins = solara.reactive({})                 # copy name -> the scenario it was copied from


def guarded(handler):
    """An event handler whose errors become the page's message (an id for unexpected ones):
    no traceback reaches the page and the page stays usable."""
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every error is shown, unexpected ones logged
            message.value = backend.explain(error)
    return run


def owner() -> str:
    """This browser page's id (its virtual kernel): the pool's unit of fairness and cleanup."""
    return solara.get_kernel_id()


def _session_started():
    """When a page's session closes (tab closed, connection lost), its runs stop."""
    page = owner()

    def closed() -> None:
        dropped = backend.POOL.close_owner(page)
        backend.log.info("page %s closed: its comparison stopped, %d waiting runs dropped", page, dropped)
    return closed


solara.lab.on_kernel_start(_session_started)


def add_scenario(scenario: backend.Scenario, select: bool = True) -> None:
    """Put a scenario in this session's list (replacing one of the same name unless built-in)."""
    if scenario.name in BUILTINS:
        raise backend.UserError(f"{scenario.name!r} is the name of a built-in scenario; "
                                "give the uploaded scenario another `name`")
    if scenario.name not in scenarios.value:
        backend.limits.check_count(len(scenarios.value) + 1, 1, backend.MAX_SESSION_SCENARIOS,
                                   "scenarios on this page")
    scenarios.value = {**scenarios.value, scenario.name: scenario}
    if select and scenario.name not in selected.value:
        selected.value = (*selected.value, scenario.name)


def load_file(filename: str, raw: bytes | None, size: int | None = None) -> None:
    """A scenario file from the picker, the drop zone or the paste box: refused with one
    message naming the problem, or added, selected and opened for editing."""
    scenario = backend.parse_upload(filename, raw, size, bases=scenarios.value)
    add_scenario(scenario)
    message.value = None
    open_editor(scenario.name)


def open_editor(name: str | None) -> None:
    """Edit `name` (None: close the editor); typed values start at its default month."""
    editing.value = name
    last_edit.value = None
    if name is not None and name in scenarios.value:
        from_month.value = lever_edit.default_from_month(scenarios.value[name])


def start() -> None:
    """Start a comparison of the chosen scenarios, every limit checked here on the server."""
    if run_comparison.pending:
        raise backend.UserError("a comparison is already running: wait for it or press Cancel")
    chosen = [scenarios.value[n] for n in selected.value]
    runs = backend.in_region(backend.with_baseline(chosen, BUILTINS), region.value)  # region checked here
    cost = backend.check_request(len(chosen), replicates.value, scale.value, runs, uncertainty.value, region.value)
    message.value = None
    backend.log.info("page %s: comparison of %d runs in %s started", owner(), cost.runs, region.value)
    executor.value = backend.POOL.executor(owner())
    run_comparison(runs, replicates.value, scale.value, executor.value, uncertainty.value)


def cancel() -> None:
    if executor.value is None:
        return
    dropped = executor.value.cancel()
    backend.log.info("page %s cancelled its comparison: %d waiting runs dropped", owner(), dropped)


def toggle(name: str, on: bool) -> None:
    chosen = [n for n in selected.value if n != name]
    selected.value = tuple([*chosen, name] if on else chosen)


def duplicate(name: str) -> None:
    """Copy a scenario, select the copy and open it for editing."""
    copy = backend.duplicate(scenarios.value[name], set(scenarios.value))
    add_scenario(copy)
    origins.value = {**origins.value, copy.name: origins.value.get(name, name)}
    open_editor(copy.name)


def set_lever(name: str, lever: str, value) -> None:
    """Change one lever of a copy: a number holds from the editor's month on (the months before
    keep the scenario's schedule); a value the scenario rejects is reported, nothing is lost."""
    before = scenarios.value[name]
    month = None
    if PARAMETERS[lever].type == "number":
        month = from_month.value or lever_edit.default_from_month(before)
        value = lever_edit.scheduled(before.settings.get(lever, PARAMETERS[lever].default), value, month)
    try:
        changed = backend.set_lever(before, lever, value)
    except backend.UserError as error:
        message.value = str(error)
        return
    scenarios.value = {**scenarios.value, name: changed}
    last_edit.value = (name, lever, month, before) if month else None
    message.value = None


def undo_edit() -> None:
    """Put back the scenario as it was before the last change in the editor."""
    if last_edit.value is not None:
        name, _, _, before = last_edit.value
        scenarios.value = {**scenarios.value, name: before}
        last_edit.value = None


@solara.lab.task(prefer_threaded=True)
def run_comparison(chosen: list, n_replicates: int, population_scale: float, runner,
                   varies: str = "both"):
    """Runs in a thread of this session; the runs go to the app's shared pool through `runner`
    (this page's SessionExecutor, which Cancel stops).
    The last comparison stays on screen until this one finishes (a cancel keeps it). Every
    outcome becomes page state (results, a notice or a message): the task itself never fails."""
    runs = backend.total_runs(len(chosen), n_replicates, varies)
    progress.value = (0, runs)
    notice.value = None
    try:
        result = backend.compare(chosen, n_replicates, population_scale,
                                 executor=runner,
                                 on_done=lambda done: progress.set((done, runs)), uncertainty=varies)
    except backend.Cancelled:
        notice.value = (progress.value[0], runs)  # the page says it in the session's language
        return None
    except Exception as error:  # noqa: BLE001 - a UserError's message, or an id for the rest
        t = use_translator()
        message.value = t("The comparison failed: {error}", error=backend.explain(error))
        return None
    comparison.value = result
    return result
