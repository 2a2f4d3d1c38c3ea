"""Lever controls generated from the parameter registry (model/parameters.py).

Nothing here lists a lever by hand: each lever's widget, label, range, unit and one-line help
come from its `Parameter`, grouped by strategy in `LEVER_GROUPS` order, so a lever added to the
registry appears in the app without touching viz/. The pure part (`Control`, `lever_controls`,
`coerce`, `describe`) is tested without a browser; `LeverPanel` renders it with Solara.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import solara

from model.parameters import LEVER_GROUPS, PARAMETERS, SUBSIDY_GROUPS, Parameter

# A number whose range is at most this wide (shares, rates) gets a slider; so does a whole
# number of months or similar up to SLIDER_MAX_INTEGER. Wider ranges (budgets, counts of
# workers) get a number field: a slider over 0..10^13 rupiah cannot hit a useful value.
SLIDER_MAX_SPAN = 1.0
SLIDER_MAX_INTEGER = 120


@dataclass(frozen=True)
class Control:
    """How one lever is edited in the page."""

    name: str
    group: str
    label: str
    help: str
    unit: str
    widget: str  # "slider", "number", "select" or "multiselect"
    min: float
    max: float
    step: float | None
    integer: bool
    choices: tuple[str, ...]
    default: Any


def _label(name: str) -> str:
    """'perisai_agents' -> 'Perisai agents'; '_idr' is said by the unit instead."""
    words = name.removesuffix("_idr").replace("_", " ")
    return words[:1].upper() + words[1:]


def _widget(p: Parameter) -> str:
    if p.type == "groups":
        return "multiselect"
    if p.type == "choice":
        return "select"
    span = p.bounds[1] - p.bounds[0]
    if span <= SLIDER_MAX_SPAN or (p.integer and span <= SLIDER_MAX_INTEGER):
        return "slider"
    return "number"


def _step(p: Parameter, widget: str) -> float | None:
    if widget != "slider":
        return None
    if p.integer:
        return 1
    return (p.bounds[1] - p.bounds[0]) / 100


def control_for(p: Parameter) -> Control:
    """The control for one registry entry."""
    widget = _widget(p)
    choices = tuple(SUBSIDY_GROUPS) if p.type == "groups" else p.choices
    return Control(p.name, p.group, _label(p.name), p.help, p.unit, widget, p.bounds[0],
                   p.bounds[1], _step(p, widget), p.integer, choices, p.default)


def lever_controls() -> dict[str, list[Control]]:
    """Every lever's control, grouped by strategy in LEVER_GROUPS order."""
    groups: dict[str, list[Control]] = {group: [] for group in LEVER_GROUPS}
    for p in PARAMETERS.values():
        if p.is_lever:
            groups.setdefault(p.group, []).append(control_for(p))
    return {group: controls for group, controls in groups.items() if controls}


def is_structured(value: Any) -> bool:
    """A table by regency or a list of month windows: not editable as one number."""
    return isinstance(value, (dict, list))


def describe(control: Control, value: Any) -> str:
    """Short text for a value, e.g. for a table by regency that a number field cannot show."""
    if isinstance(value, dict):
        total = sum(v for v in value.values() if isinstance(v, (int, float)))
        return f"set by regency ({len(value)} entries, total {total:,.0f} {control.unit})"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return f"set by month ({len(value)} window{'s' if len(value) != 1 else ''})"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:,.6g} {control.unit}"
    return f"{value} {control.unit}"


class ControlError(ValueError):
    """A value typed into a control that the lever does not accept; names the lever."""


def coerce(control: Control, raw: Any) -> Any:
    """Turn a widget's value into the lever's value, or raise ControlError naming the lever."""
    if control.widget == "multiselect":
        items = list(raw or [])
        unknown = [item for item in items if item not in control.choices]
        if not items or unknown:
            raise ControlError(f"{control.label}: choose one or more of {', '.join(control.choices)}")
        return items
    if control.widget == "select":
        if raw not in control.choices:
            raise ControlError(f"{control.label}: choose one of {', '.join(control.choices)}")
        return raw
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ControlError(f"{control.label}: {raw!r} is not a number ({control.unit})") from None
    if not control.min <= number <= control.max:
        raise ControlError(f"{control.label}: {number:,.10g} is outside {control.min:,.10g} to "
                           f"{control.max:,.10g} ({control.unit})")
    if control.integer and number != int(number):
        raise ControlError(f"{control.label}: {number:,.10g} must be a whole number ({control.unit})")
    return int(number) if control.integer else number


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], disabled: bool = False):
    """One lever: its widget, then its unit and one-line help; a rejected value is named in red."""
    error, set_error = solara.use_state(None)

    def accept(raw):
        try:
            on_value(coerce(control, raw))
            set_error(None)
        except ControlError as problem:
            set_error(str(problem))

    label = f"{control.label} ({control.unit})"
    if control.widget == "multiselect":
        solara.SelectMultiple(label, values=list(value), all_values=list(control.choices),
                              on_value=accept, disabled=disabled)
    elif control.widget == "select":
        solara.Select(label, value=value, values=list(control.choices), on_value=accept,
                      disabled=disabled)
    elif control.widget == "slider" and not is_structured(value):
        slider = solara.SliderInt if control.integer else solara.SliderFloat
        solara.Text(f"{label}: {value:.10g}", style={"font-size": "0.9em"})
        slider("", value=value, min=control.min, max=control.max, step=control.step,
               on_value=accept, disabled=disabled)
    else:
        if is_structured(value):
            solara.Text(f"{control.label}: {describe(control, value)}. A number typed here "
                        "replaces it province-wide.", style={"font-size": "0.85em"})
        solara.InputText(label, value="" if is_structured(value) else f"{value:.10g}",
                         on_value=accept, continuous_update=False, disabled=disabled,
                         classes=[f"lever-{control.name}"])
    solara.Text(control.help, style={"font-size": "0.8em", "color": "#555"})
    if error:
        solara.Error(error, dense=True)


@solara.component
def LeverPanel(values: dict[str, Any], on_change: Callable[[str, Any], None], disabled: bool = False):
    """All levers, one expandable section per strategy, titled as in LEVER_GROUPS."""
    for group, controls in lever_controls().items():
        with solara.Details(LEVER_GROUPS.get(group, group), expand=False):
            for control in controls:
                ControlInput(control, values.get(control.name, control.default),
                             lambda v, name=control.name: on_change(name, v), disabled=disabled)
