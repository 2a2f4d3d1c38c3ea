"""Lever controls generated from the parameter registry (model/parameters.py).

Nothing here lists a lever by hand: each lever's widget, label, range, unit and one-line help
come from its `Parameter`, grouped by strategy in `LEVER_GROUPS` order, so a lever added to the
registry appears in the app without touching viz/. The pure part (`Control`, `lever_controls`,
`coerce`, `describe`) is tested without a browser; `LeverPanel` renders it with Solara.
Labels, units, help and messages are in the session's language (experiments/i18n.py: the
registry's texts are catalog entries) and every control shows its current value with its unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import solara

from experiments.i18n import Translator, lever_label, translator
from model.parameters import LEVER_GROUPS, PARAMETERS, SUBSIDY_GROUPS, Parameter
from viz.language import use_translator

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
    return Control(p.name, p.group, lever_label(p.name), p.help, p.unit, widget, p.bounds[0],
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


def describe(control: Control, value: Any, lang: str = "en") -> str:
    """Short text for a value with its unit, e.g. for a table by regency that a number field
    cannot show; rupiah as 'Rp 1.5 bn' / 'Rp 1,5 miliar'."""
    t = translator(lang)
    unit = t(control.unit)
    if isinstance(value, dict):
        total = sum(v for v in value.values() if isinstance(v, (int, float)))
        return t("set by regency ({count} entries, total {total} {unit})", count=len(value),
                 total=t.number(total), unit=unit)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return t("set by month ({count} windows)", count=len(value))
    return f"{value_text(control, value, t)} {unit}"


def value_text(control: Control, value: Any, t: Translator) -> str:
    """A lever's number as the page writes it: 1,500 / 1.500, 0.25 / 0,25, rupiah in words."""
    if not isinstance(value, (int, float)):
        return str(value)
    if control.name.endswith("_idr"):
        return t.rupiah(value)
    if control.integer or float(value).is_integer():
        return t.number(value)
    return t.number(value, 2 if abs(value) >= 0.01 or value == 0 else 4)


class ControlError(ValueError):
    """A value typed into a control that the lever does not accept; names the lever."""


def coerce(control: Control, raw: Any, lang: str = "en") -> Any:
    """Turn a widget's value into the lever's value, or raise ControlError naming the lever
    and the values it accepts (in `lang`)."""
    t = translator(lang)
    label, unit = t(control.label), t(control.unit)
    if control.widget == "multiselect":
        items = list(raw or [])
        unknown = [item for item in items if item not in control.choices]
        if not items or unknown:
            raise ControlError(t("{label}: choose one or more of {choices}", label=label,
                                 choices=", ".join(control.choices)))
        return items
    if control.widget == "select":
        if raw not in control.choices:
            raise ControlError(t("{label}: choose one of {choices}", label=label,
                                 choices=", ".join(control.choices)))
        return raw
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ControlError(t("{label}: {raw} is not a number ({unit})", label=label, raw=repr(raw),
                             unit=unit)) from None
    if not control.min <= number <= control.max:  # NaN fails this too
        raise ControlError(t("{label}: {value} is outside {low} to {high} ({unit})", label=label,
                             value=t.decimal(number), low=t.decimal(control.min),
                             high=t.decimal(control.max), unit=unit))
    if control.integer and number != int(number):
        raise ControlError(t("{label}: {value} must be a whole number ({unit})", label=label,
                             value=t.decimal(number), unit=unit))
    return int(number) if control.integer else number


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], disabled: bool = False):
    """One lever: its widget, then its unit and one-line help; a rejected value is named in red."""
    t = use_translator()
    error, set_error = solara.use_state(None)

    def accept(raw):
        try:
            on_value(coerce(control, raw, t.lang))
            set_error(None)
        except ControlError as problem:
            set_error(str(problem))

    label = f"{t(control.label)} ({t(control.unit)})"
    if control.widget == "multiselect":
        solara.SelectMultiple(label, values=list(value), all_values=list(control.choices),
                              on_value=accept, disabled=disabled)
    elif control.widget == "select":
        solara.Select(label, value=value, values=list(control.choices), on_value=accept,
                      disabled=disabled)
    elif control.widget == "slider" and not is_structured(value):
        slider = solara.SliderInt if control.integer else solara.SliderFloat
        solara.Text(f"{label}: {value_text(control, value, t)}", style={"font-size": "0.9em"},
                    classes=[f"value-{control.name}"])
        slider("", value=value, min=control.min, max=control.max, step=control.step,
               on_value=accept, disabled=disabled)
    else:
        if is_structured(value):
            solara.Text(t("{label}: {value}. A number typed here replaces it province-wide.",
                          label=t(control.label), value=describe(control, value, t.lang)),
                        style={"font-size": "0.85em"})
        else:
            solara.Text(t("Now: {value}", value=describe(control, value, t.lang)),
                        style={"font-size": "0.85em"}, classes=[f"value-{control.name}"])
        solara.InputText(label, value="" if is_structured(value) else f"{value:.10g}",
                         on_value=accept, continuous_update=False, disabled=disabled,
                         classes=[f"lever-{control.name}"])
    solara.Text(t(control.help), style={"font-size": "0.8em", "color": "#555"})
    if control.widget == "multiselect":
        for key in control.choices:
            solara.Text(f"{key}: {t(SUBSIDY_GROUPS[key])}", style={"font-size": "0.75em", "color": "#555"})
    if error:
        solara.Error(error, dense=True)


@solara.component
def LeverPanel(values: dict[str, Any], on_change: Callable[[str, Any], None], disabled: bool = False):
    """All levers, one expandable section per strategy, titled as in LEVER_GROUPS."""
    t = use_translator()
    for group, controls in lever_controls().items():
        with solara.Details(t(LEVER_GROUPS.get(group, group)), expand=False):
            for control in controls:
                ControlInput(control, values.get(control.name, control.default),
                             lambda v, name=control.name: on_change(name, v), disabled=disabled)
