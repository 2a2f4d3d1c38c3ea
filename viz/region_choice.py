"""The region select shared by the Compare, Explore and Plan pages: a province, or (where the
page can run it) the whole office.

Labels are each province's region.toml `name` and the office's name in the session's language;
the page keeps the region's id. What the page sends back is checked here on the server
(`chosen`): a label or id that is not offered raises RegionError with one message naming the
allowed values, and the select shows it without changing the region.
"""

from __future__ import annotations

from typing import Any, Callable

import solara

from experiments.i18n import N_, Translator
from experiments.office import OFFICE, region_choices
from model import data
from viz.language import use_translator

OFFICE_NAME = N_("Kanwil Sumbagsel (all three)")
LABEL = N_("Province, or the whole office")
PROVINCE_LABEL = N_("Province")


class RegionError(ValueError):
    """A region the page does not offer: the message names the allowed values."""


def allowed_regions(with_office: bool = True) -> list[str]:
    """The region ids offered: every province of model/data/regions/, then the office if asked."""
    return [r for r in region_choices() if with_office or r != OFFICE]


def region_name(region: str, t: Translator) -> str:
    """A region's name as the select shows it (the office in the session's language)."""
    return t(OFFICE_NAME) if region == OFFICE else data.load(region).name


def region_labels(t: Translator, with_office: bool = True) -> dict[str, str]:
    """The select's labels -> region ids: each province's region.toml `name`, then the office."""
    return {region_name(r, t): r for r in allowed_regions(with_office)}


def chosen(value: Any, t: Translator, with_office: bool = True) -> str:
    """The region id of a label (or id) the page sent, checked on the server; RegionError
    naming the allowed labels otherwise."""
    labels = region_labels(t, with_office)
    if isinstance(value, str) and value in labels:
        return labels[value]
    if isinstance(value, str) and value in labels.values():
        return value
    raise RegionError(t("Region: {value} is not offered; allowed: {allowed}", value=repr(str(value)[:40]),
                        allowed=", ".join(labels)))


@solara.component
def RegionSelect(value: str, on_value: Callable[[str], None], with_office: bool = True,
                 classes: list[str] | None = None, disabled: bool = False):
    """The select: the current region's label; a choice checked by `chosen` before `on_value`
    gets its id (a refused one leaves the region as it was and says why)."""
    t = use_translator()
    error, set_error = solara.use_state(None)
    labels = region_labels(t, with_office)
    shown = {r: label for label, r in labels.items()}

    def accept(label: Any) -> None:
        try:
            region = chosen(label, t, with_office)
        except RegionError as problem:
            set_error(str(problem))
            return
        set_error(None)
        on_value(region)

    solara.Select(t(LABEL) if with_office else t(PROVINCE_LABEL), value=shown.get(value, ""),
                  values=list(labels), on_value=accept, classes=classes or ["region-select"],
                  disabled=disabled)
    if error:
        solara.Error(error, dense=True, classes=["region-error"])
