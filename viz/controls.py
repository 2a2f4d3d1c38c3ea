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

from experiments.i18n import N_, Translator, lever_label, translator
from experiments.typed_numbers import NumberError, field_text, parse_number
from model.parameters import LEVER_GROUPS, PARAMETERS, SUBSIDY_GROUPS, Parameter
from viz.language import use_translator
from viz.lever_edit import typed_value

# What the page calls each choice of a select or multiselect lever (the registry's codes stay in
# files and the CLI); a code without a label here is shown as written.
CHOICE_LABELS = {
    "list": N_("registered from the payer's list"), "offer": N_("offered: each worker registers"),
    "vulnerable": N_("vulnerable workers"), "farmer": N_("farmers and fishers"), "trader": N_("market traders"),
    "urban": N_("urban informal workers"), "palm_smallholder": N_("palm-oil smallholders"),
    "village_official": N_("village officials"), "informal": N_("every informal worker"),
    "none": N_("none"), "worker": N_("by worker"), "village": N_("by village"), "market": N_("by market"),
    "all": N_("all"), "uncovered": N_("not yet covered"),
}
# Units whose values are written in rupiah ("Rp 1,5 miliar"): the field says only the period.
RUPIAH_UNITS = {"rupiah per year": N_("a year"), "rupiah": ""}

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


def choice_label(code: str, t: Translator) -> str:
    """A select's choice as the page names it, in the session's language."""
    return t(CHOICE_LABELS[code]) if code in CHOICE_LABELS else code


def unit_text(control: Control, t: Translator) -> str:
    """The unit beside a value: 'a year' for rupiah a year (the value says 'Rp'), else the unit."""
    if control.unit in RUPIAH_UNITS:
        return t(RUPIAH_UNITS[control.unit]) if RUPIAH_UNITS[control.unit] else ""
    return t(control.unit)


# A field's label is one line (vuetify cuts a longer one with "..."): past this many characters
# the unit is left to the "Now: ..." line under the field, which always says it.
MAX_FIELD_LABEL = 40


def field_label(control: Control, t: Translator) -> str:
    """A number field's label: 'Perisai agents (agents)', 'Subsidy budget (Rp a year)'; the
    label alone when the unit would make it too long for one line."""
    unit = "Rp " + unit_text(control, t) if control.unit in RUPIAH_UNITS else t(control.unit)
    label = f"{t(control.label)} ({unit.strip()})"
    return label if len(label) <= MAX_FIELD_LABEL else t(control.label)


def describe(control: Control, value: Any, lang: str = "en") -> str:
    """Short text for a value with its unit, also for a table by regency or a schedule of months
    that a number field cannot show; rupiah as 'Rp 1.5 bn' / 'Rp 1,5 miliar'."""
    t = translator(lang)
    unit = unit_text(control, t)
    if isinstance(value, dict):
        total = sum(v for v in value.values() if isinstance(v, (int, float)))
        return t("set by regency ({count} entries, total {total})", count=len(value),
                 total=_with_unit(value_text(control, total, t), unit))
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return ", ".join(choice_label(v, t) for v in value)
        return "; ".join(_window_text(control, w, t) for w in value)
    return _with_unit(value_text(control, value, t), unit)


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}".strip()


def _window_text(control: Control, window: dict, t: Translator) -> str:
    """One window of a schedule: 'from Jan 2025: 1,500 agents', 'Oct 2025 to Dec 2025: ...'."""
    value = window.get("value")
    shown = describe(control, value, t.lang) if isinstance(value, dict) else \
        _with_unit(value_text(control, value, t), unit_text(control, t))
    start, end = window.get("from"), window.get("to")
    if start and end:
        return t("{start} to {end}: {value}", start=t.month(start), end=t.month(end), value=shown)
    if start:
        return t("from {start}: {value}", start=t.month(start), value=shown)
    if end:
        return t("until {end}: {value}", end=t.month(end), value=shown)
    return t("every month: {value}", value=shown)


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
    label, unit = t(control.label), unit_text(control, t)
    if control.widget == "multiselect":
        items = list(raw or [])
        unknown = [item for item in items if item not in control.choices]
        if not items or unknown:
            raise ControlError(t("{label}: choose one or more of {choices}", label=label,
                                 choices=", ".join(choice_label(c, t) for c in control.choices)))
        return items
    if control.widget == "select":
        if raw not in control.choices:
            raise ControlError(t("{label}: choose one of {choices}", label=label,
                                 choices=", ".join(choice_label(c, t) for c in control.choices)))
        return raw
    try:
        number = parse_number(raw, t.lang, field=label)
    except NumberError as problem:
        raise ControlError(str(problem)) from None
    if not control.min <= number <= control.max:  # NaN fails this too
        raise ControlError(t("{label}: {value} is outside {low} to {high}", label=label,
                             value=_with_unit(value_text(control, number, t), unit),
                             low=value_text(control, control.min, t),
                             high=_with_unit(value_text(control, control.max, t), unit)))
    if control.integer and number != int(number):
        raise ControlError(t("{label}: {value} must be a whole number ({unit})", label=label,
                             value=t.decimal(number), unit=unit))
    return int(number) if control.integer else number


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], disabled: bool = False):
    """One lever in its own box: its widget with the current value (a schedule or a table by
    regency written out), then its one-line help; a rejected value is named in red inside it."""
    t = use_translator()
    error, set_error = solara.use_state(None)

    def accept(raw):
        try:
            on_value(coerce(control, raw, t.lang))
            set_error(None)
        except ControlError as problem:
            set_error(str(problem))

    with solara.Column(gap="2px", classes=["lever-control", f"control-{control.name}"],
                       style={"border-left": "3px solid #ddd", "padding": "2px 0 2px 8px",
                              "margin-bottom": "10px"}):
        _widget_of(control, value, accept, disabled, t)
        solara.Text(t(control.help), style={"font-size": "0.8em", "color": "#555"})
        if error:
            solara.Error(error, dense=True)


def _widget_of(control: Control, value: Any, accept: Callable[[Any], None], disabled: bool, t: Translator):
    label = field_label(control, t)
    if control.widget == "multiselect":
        names = {choice_label(code, t): code for code in control.choices}
        solara.SelectMultiple(t(control.label), values=[choice_label(v, t) for v in value],
                              all_values=list(names), disabled=disabled,
                              on_value=lambda chosen: accept([names.get(c, c) for c in chosen]))
        for code in control.choices:
            solara.Text(f"{choice_label(code, t)}: {t(SUBSIDY_GROUPS.get(code, ''))}",
                        style={"font-size": "0.75em", "color": "#555"})
    elif control.widget == "select":
        names = {choice_label(code, t): code for code in control.choices}
        solara.Select(t(control.label), value=choice_label(value, t), values=list(names), disabled=disabled,
                      on_value=lambda chosen: accept(names.get(chosen, chosen)))
    elif control.widget == "slider" and not is_structured(value):
        slider = solara.SliderInt if control.integer else solara.SliderFloat
        solara.Text(f"{label}: {value_text(control, value, t)}", style={"font-size": "0.9em"},
                    classes=[f"value-{control.name}"])
        slider("", value=value, min=control.min, max=control.max, step=control.step,
               on_value=accept, disabled=disabled)
    else:
        typed = typed_value(value)
        solara.InputText(label, value="" if typed is None else field_text(typed, t.lang),
                         on_value=accept, continuous_update=False, disabled=disabled,
                         classes=[f"lever-{control.name}"])
        solara.Text(t("Now: {value}", value=describe(control, value, t.lang)),
                    style={"font-size": "0.85em"}, classes=[f"value-{control.name}"])


@solara.component
def LeverPanel(values: dict[str, Any], on_change: Callable[[str, Any], None], disabled: bool = False):
    """All levers, one expandable section per strategy, titled as in LEVER_GROUPS."""
    t = use_translator()
    for group, controls in lever_controls().items():
        with solara.Details(t(LEVER_GROUPS.get(group, group)), expand=False):
            for control in controls:
                ControlInput(control, values.get(control.name, control.default),
                             lambda v, name=control.name: on_change(name, v), disabled=disabled)
