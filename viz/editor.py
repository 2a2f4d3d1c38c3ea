"""The lever editor of the Compare page: opened right under the copy's row in the scenario list
(beside its Duplicate button), with the month typed values start from, every lever grouped by
strategy (viz/controls.py), and after a change what it does to each regency (viz/lever_edit.py):
a regency that the new value puts below its status quo is named, with an Undo button.
"""

from __future__ import annotations

import solara

from experiments.i18n import Translator
from viz import lever_edit, state
from viz.controls import control_for, describe
from viz.language import use_translator
from model.parameters import PARAMETERS


@solara.component
def Editor(name: str):
    """The levers of the copy `name`."""
    t = use_translator()
    if name not in state.scenarios.value:   # removed while this re-renders
        return
    scenario = state.scenarios.value[name]
    choices = lever_edit.from_month_choices(scenario)
    month = state.from_month.value if state.from_month.value in choices else lever_edit.default_from_month(scenario)
    labels = {t.month(m): m for m in choices}
    with solara.Card(t("Levers of {name}", name=name), classes=["lever-editor"],
                     subtitle=t("Each change is checked like a scenario file; open a strategy to see its levers."),
                     style={"border": "1px solid #1976d2", "margin": "4px 0 12px 0"}):
        solara.Select(t("Typed values hold from"), value=t.month(month), values=list(labels),
                      on_value=lambda label: state.from_month.set(labels[label]), classes=["from-month"])
        solara.Text(t("The months before keep the scenario's own schedule."),
                    style={"font-size": "0.8em", "color": "#555"})
        RegencyEffect(name)
        from viz.controls import LeverPanel  # noqa: PLC0415 - keeps this module's imports light
        LeverPanel(dict(scenario.settings),
                   on_change=state.guarded(lambda lever, value: state.set_lever(name, lever, value)))
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(lambda: scenario.to_toml(), filename=f"{name}.toml",
                                label=t("Download {name}.toml", name=name))
            solara.Button(t("Done"), text=True, on_click=lambda: state.open_editor(None))


def effect_lines(table, control, t: Translator) -> list[str]:
    """One line per regency: its value in the month and, when different, its status quo."""
    lines = []
    for r in table.itertuples():
        now = describe(control, float(r.value), t.lang)
        if abs(r.value - r.status_quo) > 1e-9 * max(1.0, abs(r.status_quo)):
            lines.append(t("{regency}: {value} (status quo {before})", regency=r.regency, value=now,
                           before=describe(control, float(r.status_quo), t.lang)))
        else:
            lines.append(f"{r.regency}: {now}")
    return lines


@solara.component
def RegencyEffect(name: str):
    """After a change of a number lever: the regencies it lowers below their status quo (with
    Undo), and per regency what the value is in the chosen month."""
    edit = state.last_edit.value
    scenario = state.scenarios.value.get(name)
    if scenario is None or edit is None or edit[0] != name or edit[1] not in scenario.settings:
        return
    _, lever, month, _ = edit
    EffectOf(scenario, lever, month, state.scale.value)


@solara.component
def EffectOf(scenario, lever: str, month: str, scale: float):
    t = use_translator()
    table = solara.use_memo(lambda: lever_edit.regency_effect(scenario, lever, month, scale),
                            [id(scenario), lever, month, scale])
    control = control_for(PARAMETERS[lever])
    lowered = table[table["lower"]]
    if not lowered.empty:
        with solara.Warning(classes=["regency-lowered"], dense=True):
            solara.Text(t("{lever} from {month} puts {count} regencies below their status quo: {regencies}",
                          lever=t(control.label), month=t.month(month), count=len(lowered),
                          regencies="; ".join(effect_lines(lowered, control, t))))
            solara.Button(t("Undo this change"), text=True, on_click=state.undo_edit, classes=["undo-edit"])
    with solara.Details(t("{lever} by regency from {month}", lever=t(control.label), month=t.month(month)),
                        expand=False):
        for line in effect_lines(table, control, t):
            solara.Text(line, style={"font-size": "0.8em"})
