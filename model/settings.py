"""Validation of the model's keyword arguments against the parameter registry.

Pydantic checks the shapes (a number, a table by regency, a list of month windows); this module
adds the registry's bounds, regency and group names, and turns every problem into one readable
line that names the setting and the allowed values. Nothing is ever evaluated.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from model import data, months
from model.parameters import SUBSIDY_GROUPS, Parameter, registry

OTHERS = "others"  # table key for "every regency not named"


class SettingsError(ValueError):
    """Invalid model settings. `problems` holds (key path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = "\n".join(f"  - {path}: {message}" for path, message in problems)
        super().__init__(f"invalid model settings:\n{lines}")


class Window(BaseModel):
    """A lever value that applies from one month to another (inclusive; open ends allowed)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")
    value: float | dict[str, float]


_WINDOWS_ADAPTER = TypeAdapter(list[Window])
_TABLE_ADAPTER = TypeAdapter(dict[str, float])
_NUMBER_ADAPTER = TypeAdapter(float)
LEVER_FORMS = ("a number in {unit}, a table by regency {{'{regency}' = ...}}, or a list of windows "
               "[{{from = 'YYYY-MM', to = 'YYYY-MM', value = ...}}]")


def dotted(location: tuple | list) -> str:
    """A validation error's location as a key path: ('fit', 'x', 0) -> 'fit.x[0]' (one format
    for the messages of settings, scenario, sweep and calibration files)."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location).lstrip(".")


def closest(name: str, options: list[str]) -> str:
    """' Did you mean X?' or ''."""
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (from sweeps) to plain Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _pydantic_problem(path: str, error: ValidationError, param: Parameter, regency: str) -> tuple[str, str]:
    first = error.errors()[0]
    where = dotted((path, *first["loc"])).replace(".float", "").replace(".dict[str,float]", "")
    if first["type"] == "extra_forbidden":
        return where, "unknown key in a window; allowed keys: from, to, value"
    if first["type"] == "missing":
        return where, "missing; a window needs a value (from and to are optional)"
    return where, f"expected {LEVER_FORMS.format(unit=param.unit, regency=regency)}; got {first.get('input')!r}"


class NotFinite(ValueError):
    """A value that is not a finite number: `field` and `reason` for the caller's message."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}" if field else reason)


def finite(value: Any, field: str = "") -> float:
    """The one check of non-finite numbers at every entry point (scenario and problem files, the
    app's fields, CLI options): `value` as a float, or NotFinite naming the field when it is not
    a number, or is nan, inf, -inf or too large for a float (10**400)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise NotFinite(field, f"{value!r} is not a number; allowed: a finite number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise NotFinite(field, f"{value} is not a finite number; allowed: a finite number")
    return number


def _check_number(path: str, value: float, param: Parameter, problems: list) -> None:
    low, high = param.bounds
    try:
        finite(value, path)
    except NotFinite:
        problems.append((path, f"{value} is not a finite number"))
        return
    if value < low:
        problems.append((path, f"{value:g} is below the minimum {low:g} ({param.unit})"))
    elif value > high:
        problems.append((path, f"{value:g} is above the maximum {high:g} ({param.unit})"))
    elif param.integer and value != int(value):
        problems.append((path, f"{value:g} must be a whole number ({param.unit})"))


def _check_table(path: str, table: dict, param: Parameter, problems: list, region: data.Region) -> dict[str, float]:
    """Resolve regency aliases; returns {official name or 'others': value}."""
    most = len(data.regency_names()) + 1   # one entry per regency and 'others'
    if len(table) > most:   # surely wrong, and naming each key would take time per key
        problems.append((path, f"{len(table):,} entries; a regency table has at most {most} (one per regency"
                               f" and '{OTHERS}')"))
        return {}
    resolved = {}
    for key, value in table.items():
        if str(key).casefold() == OTHERS:
            name = OTHERS
        else:
            try:
                name = region.resolve_regency(key, where=f"{path}")
            except data.UnknownNameError as error:
                problems.append((f"{path}.{key}", str(error).split(": ", 1)[1]))
                continue
        if name in resolved:
            problems.append((f"{path}.{key}", f"{name!r} is given twice"))
        _check_number(f"{path}.{key}", value, param, problems)
        resolved[name] = value
    return resolved


def _check_lever(name: str, value: Any, param: Parameter, problems: list, region: data.Region) -> Any:
    adapter = (_WINDOWS_ADAPTER if isinstance(value, list) else
               _TABLE_ADAPTER if isinstance(value, dict) else _NUMBER_ADAPTER)
    try:
        parsed = adapter.validate_python(value, strict=True)   # "1e9" is text everywhere
    except ValidationError as error:
        problems.append(_pydantic_problem(name, error, param, region.regency_names[-1]))
        return None
    if isinstance(parsed, float):
        _check_number(name, parsed, param, problems)
        return parsed
    if isinstance(parsed, dict):
        return _check_table(name, parsed, param, problems, region)
    windows = []
    for i, window in enumerate(parsed):
        path = f"{name}[{i}]"
        for bound in ("start", "end"):
            text = getattr(window, bound)
            if text is not None:
                try:
                    months.parse(text)
                except ValueError as error:
                    key = "from" if bound == "start" else "to"
                    problems.append((f"{path}.{key}", str(error)))
        if window.start and window.end and months.ordinal(window.start) > months.ordinal(window.end):
            problems.append((path, f"'from' ({window.start}) is after 'to' ({window.end})"))
        value_: float | dict[str, float]
        if isinstance(window.value, dict):
            value_ = _check_table(f"{path}.value", window.value, param, problems, region)
        else:
            _check_number(f"{path}.value", window.value, param, problems)
            value_ = window.value
        windows.append({"from": window.start, "to": window.end, "value": value_})
    return windows


def _check_groups(name: str, value: Any, problems: list) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        problems.append((name, f"expected a list of groups from: {', '.join(SUBSIDY_GROUPS)}"))
        return ()
    groups = []
    for item in items:
        if item not in SUBSIDY_GROUPS:
            problems.append((name, f"unknown group {item!r}.{closest(str(item), list(SUBSIDY_GROUPS))}"
                             f" Valid groups: {', '.join(SUBSIDY_GROUPS)}"))
        else:
            groups.append(item)
    return tuple(dict.fromkeys(groups))


def idle_windows(windows: list[dict], month0: str, horizon: str) -> str | None:
    """Why a lever's windows never act, or None: every window ends by month 0 (levers act from
    month 1) or begins after the horizon, so the scenario would silently run the status quo."""
    first, last = months.ordinal(month0) + 1, months.ordinal(horizon)
    for window in windows:
        begin = months.ordinal(window["from"]) if window.get("from") else first
        end = months.ordinal(window["to"]) if window.get("to") else last
        if begin <= last and end >= first:
            return None
    return (f"every window lies outside the simulated months ({months.label(first)} to {horizon}); "
            "the lever would never act. Move the windows or the horizon")


def validate(settings: dict[str, Any], region: str = data.DEFAULT_REGION) -> dict[str, Any]:
    """Check model settings for a run in `region` (its regency names, its bounds); return every
    parameter (the region's defaults filled in), or raise SettingsError."""
    parameters = registry(region)
    loaded = data.load(region)
    problems: list[tuple[str, str]] = []
    resolved: dict[str, Any] = {}
    for name, value in settings.items():
        param = parameters.get(name)
        if param is None:
            problems.append((name, f"unknown setting.{closest(name, list(parameters))}"
                             " See model/parameters.py or `cakupan parameters` for the list."))
            continue
        value = _plain(value)
        if param.type == "groups":
            resolved[name] = _check_groups(name, value, problems)
        elif param.type == "choice":
            if value not in param.choices:
                problems.append((name, f"{value!r} is not allowed.{closest(str(value), list(param.choices))}"
                                 f" Allowed: {', '.join(param.choices)}"))
            resolved[name] = value
        elif param.type == "month":
            if value not in ("", None):
                try:
                    months.parse(value)
                except ValueError as error:
                    problems.append((name, str(error)))
            resolved[name] = value or ""
        elif param.is_lever:
            resolved[name] = _check_lever(name, value, param, problems, loaded)
        else:
            try:
                number = _NUMBER_ADAPTER.validate_python(value, strict=True)
            except ValidationError:
                problems.append((name, f"expected a number in {param.unit}; got {value!r}"))
                continue
            _check_number(name, number, param, problems)
            resolved[name] = number
    if problems:
        raise SettingsError(problems)
    full = {name: p.default for name, p in parameters.items()}
    if isinstance(full["subsidy_budget_idr"], dict):
        full["subsidy_budget_idr"] = dict(full["subsidy_budget_idr"])
    full.update(resolved)
    return full
