"""Per-session state of the compare page.

Solara keeps a separate value of every module-level `solara.reactive` (and of a module-level
`solara.lab.task`) for each browser session (virtual kernel), so two planners never see each
other's scenarios, selections or runs. Values are replaced, never mutated in place: the initial
objects are shared by all sessions.
"""

from __future__ import annotations

import solara
import solara.lab

from viz import backend

BUILTINS = backend.builtin_scenarios()  # immutable (frozen pydantic models), read-only here
DEFAULT_SELECTION = ("baseline", "regional_plan")
SCALES = (0.005, 0.01, 0.02, 0.05, 0.1)
DEFAULT_SCALE = 0.01
DEFAULT_REPLICATES = 5
MAX_REPLICATES = 50

scenarios = solara.reactive(dict(BUILTINS))  # name -> Scenario: built-ins, copies and uploads
selected = solara.reactive(tuple(n for n in DEFAULT_SELECTION if n in BUILTINS))
editing = solara.reactive(None)               # name of the copy being edited, or None
replicates = solara.reactive(DEFAULT_REPLICATES)
scale = solara.reactive(DEFAULT_SCALE)
message = solara.reactive(None)               # last problem with an upload or an edit
progress = solara.reactive((0, 0))            # (runs finished, runs planned)
comparison = solara.reactive(None)            # the last comparison that finished
uncertainty = solara.reactive("both")          # what replicates vary: chance, parameters or both


def add_scenario(scenario: backend.Scenario, select: bool = True) -> None:
    """Put a scenario in this session's list (replacing one of the same name unless built-in)."""
    if scenario.name in BUILTINS:
        raise backend.UserError(f"{scenario.name!r} is the name of a built-in scenario; "
                                "give the uploaded scenario another `name`")
    scenarios.value = {**scenarios.value, scenario.name: scenario}
    if select and scenario.name not in selected.value:
        selected.value = (*selected.value, scenario.name)


def toggle(name: str, on: bool) -> None:
    chosen = [n for n in selected.value if n != name]
    selected.value = tuple([*chosen, name] if on else chosen)


def duplicate(name: str) -> None:
    """Copy a scenario, select the copy and open it for editing."""
    copy = backend.duplicate(scenarios.value[name], set(scenarios.value))
    add_scenario(copy)
    editing.value = copy.name


def set_lever(name: str, lever: str, value) -> None:
    """Change one lever of a copy; a value the scenario rejects is reported, nothing is lost."""
    try:
        changed = backend.set_lever(scenarios.value[name], lever, value)
    except backend.UserError as error:
        message.value = str(error)
        return
    scenarios.value = {**scenarios.value, name: changed}
    message.value = None


@solara.lab.task(prefer_threaded=True)
def run_comparison(chosen: list, n_replicates: int, population_scale: float, varies: str = "both"):
    """Runs in a thread of this session; the runs themselves go to a process pool."""
    runs = backend.total_runs(len(chosen), n_replicates, varies)
    progress.value = (0, runs)
    result = backend.compare(chosen, n_replicates, population_scale,
                             on_done=lambda done: progress.set((done, runs)), uncertainty=varies)
    comparison.value = result
    return result
