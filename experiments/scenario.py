"""Scenarios: TOML files that state a model run's levers and parameters in readable sections.

    name = "more_agents"
    description = "One line shown by `cakupan scenarios`."
    base = "baseline"                 # a built-in name or a path relative to this file
    start = "2025-01"                 # optional: levers given as a number or table apply from here
    decision_month = "default"        # optional: run through the region's history up to this
                                      # month ("default": the first January after it; "none": no
                                      # history, levers as written from month 0), levers from it
    horizon = "2030-12"
    seed = 1
    scale = 0.05
    data_set = "office-2024-08"

    [levers.market]                   # lever groups = Parameter.group of the registry's levers
    perisai_agents = 1500
    [parameters]                      # uncertain behavioural parameters
    take_up_rate = 0.006
    [costs]  /  [rules]  /  [pilot]   # [pilot] keys drop the registry's `pilot_` prefix

The sections are generated from model/parameters.py, so a new model input needs no change here.
Pydantic checks the document's structure; model.settings.validate checks every value, so a file
and the model accept exactly the same values. Nothing in a file is executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from model import data, months
from model.model import DEFAULT_HORIZON
from model.parameters import LEVER_GROUPS, PARAMETERS, Parameter
from experiments.errors import MAX_LISTED, InputFileError, UserError, listing, parse_toml, read_text_file, shown
from experiments.keylines import KeyLines
from experiments.office import OFFICE, first_month, localize, provinces, region_choices, unknown_regencies
from model.settings import SettingsError, closest, dotted, idle_windows, validate

DEFAULTS: dict[str, Any] = {"horizon": DEFAULT_HORIZON, "seed": 1, "scale": 0.05, "data_set": data.DEFAULT_DATA_SET,
            "region": data.DEFAULT_REGION}
RUN_FIELDS = ("start", "decision_month", "horizon", "seed", "scale", "data_set", "region")  # inherited from the base
DEFAULT_DECISION = "default"       # decision_month: the region's own (Region.decision_month)
NO_DECISION = "none"               # decision_month: no history (month 0's status quo, levers as written)
DECISION_PATTERN = rf"^({DEFAULT_DECISION}|{NO_DECISION}|{months.PATTERN[1:-1]})$"
OWN_FIELDS = ("name", "description", "rationale")                # never inherited


# ---------------------------------------------------------------- where each setting lives
def file_path(param: Parameter) -> tuple[str, ...]:
    """Section path and key of a model setting in a scenario file."""
    if param.kind == "lever":
        return ("levers", param.group, param.name)
    section = {"uncertain": "parameters", "cost": "costs", "rule": "rules", "pilot": "pilot"}[param.kind]
    key = param.name.removeprefix("pilot_") if param.kind == "pilot" else param.name
    return (section, key)


FILE_PATHS: dict[str, tuple[str, ...]] = {name: file_path(p) for name, p in PARAMETERS.items()}
SETTING_AT: dict[tuple[str, ...], str] = {path: name for name, path in FILE_PATHS.items()}


def _section_model(title: str, keys: list[str]) -> type[BaseModel]:
    fields: dict[str, Any] = {key: (Any, None) for key in keys}
    return create_model(title, __config__=ConfigDict(extra="forbid"), **fields)


def _sections() -> dict[str, Any]:
    """Pydantic fields of the file's sections, generated from the registry."""
    by_section: dict[tuple[str, ...], list[str]] = {}
    for path in FILE_PATHS.values():
        by_section.setdefault(path[:-1], []).append(path[-1])
    groups: dict[str, Any] = {
        group: (_section_model(f"levers.{group}", by_section.get(("levers", group), [])) | None, None)
        for group in LEVER_GROUPS}
    levers = create_model("levers", __config__=ConfigDict(extra="forbid"), **groups)
    fields: dict[str, Any] = {"levers": (levers | None, None)}
    for section in ("parameters", "costs", "rules", "pilot"):
        fields[section] = (_section_model(section, by_section[(section,)]) | None, None)
    return fields


Document = create_model(
    "Document",
    __config__=ConfigDict(extra="forbid", strict=True),
    name=(str | None, Field(default=None, min_length=1)),
    description=(str, ""),
    rationale=(str, ""),
    base=(str | None, None),
    start=(str | None, Field(default=None, pattern=months.PATTERN)),
    decision_month=(str | None, Field(default=None, pattern=DECISION_PATTERN)),
    horizon=(str | None, Field(default=None, pattern=months.PATTERN)),
    seed=(int | None, Field(default=None, ge=0)),
    scale=(float | None, Field(default=None, gt=0, le=1)),
    data_set=(str | None, None),
    region=(str | None, None),
    **_sections(),
)


# ---------------------------------------------------------------- errors
@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(UserError, ValueError):
    """An invalid scenario file; `problems` lists each with its file, line and key path (at most
    MAX_LISTED of them; `more` counts the others, which the message mentions)."""

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems, self.more = problems, max(more, 0)
        super().__init__(listing("invalid scenario:", [str(p) for p in problems], self.more))

    def __reduce__(self):       # pickled with its problems (the app checks uploads in a child process)
        return (type(self), (self.problems, self.more))


# ---------------------------------------------------------------- the resolved scenario
class Scenario(BaseModel):
    """A resolved scenario (its base merged in). `settings` uses the model's keyword names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    rationale: str = ""
    start: str | None = None
    decision_month: str | None = None    # a month, "default" (the region's), "none"/None: no history
    horizon: str = DEFAULTS["horizon"]
    seed: int = DEFAULTS["seed"]
    scale: float = DEFAULTS["scale"]
    data_set: str = DEFAULTS["data_set"]
    region: str = DEFAULTS["region"]     # a folder of model/data/regions/, or "kanwil" (all of them)
    settings: dict[str, Any] = {}        # as written: for every province (experiments/office.py)

    def blocks(self) -> list["Scenario"]:
        """The runs of one replicate: this scenario, or for the office one copy per province."""
        if self.region != OFFICE:
            return [self]
        return [self.override(region=r) for r in provinces()]

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for model.EnrollmentModel (levers shifted to `start`), with the
        settings as they apply in the scenario's province (office.localize)."""
        if self.region == OFFICE:
            raise ValueError("a Kanwil scenario runs as one block per province: use blocks()")
        decision = self.decision()
        start = self.start or decision
        settings = {name: _from_start(name, value, start, decision)
                    for name, value in localize(self.settings, self.region).items()}
        if decision and not self.acts():                 # levers from after the horizon never act
            settings = {k: v for k, v in settings.items() if not PARAMETERS[k].is_lever}
        # Default region and no decision month are left out, so earlier runs' keys still hold.
        region = {} if self.region == data.DEFAULT_REGION else {"region": self.region}
        if decision:                 # the model runs the region's history before it (model/history.py)
            region["decision_month"] = decision
        return {"scale": self.scale, "seed": self.seed, "data_set": self.data_set,
                "horizon": self.horizon, **region, **settings}

    def acts(self) -> bool:
        """Whether the scenario's own levers act in the simulated months (not when the runs end
        before the decision month: then every scenario is the history)."""
        decision = self.decision()
        return decision is None or months.ordinal(decision) <= months.ordinal(self.horizon)

    def decision(self) -> str | None:
        """The decision month as a month (the region's own for "default"), or None."""
        if self.decision_month == DEFAULT_DECISION:     # the office: its provinces' latest
            ids = provinces() if self.region == OFFICE else [self.region]
            return max(data.load(r).decision_month for r in ids)
        return None if self.decision_month == NO_DECISION else self.decision_month

    def with_settings(self, **settings: Any) -> "Scenario":
        """A copy with some settings replaced (validated), e.g. one point of a sweep."""
        if not settings:
            return self
        merged = {**self.settings, **settings}
        try:
            check_settings(merged, self.region)
        except SettingsError as error:
            raise ScenarioError([Problem(self.name, None, p, m) for p, m in error.problems]) from None
        return self.model_copy(update={"settings": merged})

    def override(self, **fields: Any) -> "Scenario":
        """A copy with run fields replaced (scale, horizon, seed, data_set, region, start), checked
        exactly as if the file had said so. None leaves a field unchanged."""
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            return self
        region = fields.get("region")
        if region in data.region_ids() and "data_set" not in fields \
                and self.data_set not in data.data_set_names(region):
            fields["data_set"] = data.load(region).default_data_set   # the new region's own
        changed = self.model_copy(update=fields)
        given = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        try:
            text = changed.to_toml()
        except TypeError as error:
            raise ScenarioError([Problem(self.name, None, "", f"cannot set {given}: {error}")]) from None
        try:
            return parse_scenario(text, source=f"{self.name} with {given}")
        except ScenarioError as error:   # lines of the generated text would mean nothing
            raise ScenarioError([Problem(p.source, None, p.path, p.message) for p in error.problems]) from None

    def to_toml(self) -> str:
        """The resolved scenario as a TOML file (no base): parse_scenario(to_toml()) == self."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.rationale:
            doc["rationale"] = self.rationale
        if self.start:
            doc["start"] = self.start
        if self.decision_month:
            doc["decision_month"] = self.decision_month
        doc.update(horizon=self.horizon, seed=self.seed, scale=self.scale, data_set=self.data_set)
        if self.region != data.DEFAULT_REGION:
            doc["region"] = self.region
        for name, value in sorted(self.settings.items(), key=lambda item: _order(item[0])):
            *sections, key = FILE_PATHS[name]
            table = doc
            for section in sections:
                table = table.setdefault(section, {})
            table[key] = _plain_toml(value)
        return tomli_w.dumps(doc, multiline_strings=True)


def _from_start(name: str, value: Any, start: str | None, decision: str | None) -> Any:
    """A lever given as a number or a table holds from `start`; windows keep their months, an open
    `from` becomes `start`. With a decision month, windows act from it: one that ends before it is
    dropped, one that begins before it begins at it (the months before are the history's)."""
    param = PARAMETERS[name]
    if not start or not param.is_lever or param.type != "number":
        return value
    if not isinstance(value, list):
        return [{"from": start, "value": value}]
    out = []
    for window in value:
        if decision and not window.get("from") and window["value"] == param.default:
            continue           # "the status quo before", as the lever editor writes it: the history's
        begin = window.get("from") or start
        if decision and window.get("to") and months.ordinal(window["to"]) < months.ordinal(decision):
            continue
        if decision and months.ordinal(begin) < months.ordinal(decision):
            begin = decision
        out.append({**window, "from": begin})
    return out


def _order(name: str) -> int:
    return list(PARAMETERS).index(name)


def _plain_toml(value: Any) -> Any:
    """Drop open window ends (TOML has no null) and turn tuples into lists."""
    if isinstance(value, dict):
        return {k: _plain_toml(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain_toml(v) for v in value]
    return value


# ---------------------------------------------------------------- the built-in library
def library_names() -> list[str]:
    """Names of the built-in scenarios (experiments/library/*.toml)."""
    folder = _library_folder()
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def library() -> dict[str, str]:
    """Built-in scenario name -> its one-line description."""
    return {name: load_scenario(name).description for name in library_names()}


def _library_folder():
    return resources.files("experiments").joinpath("library")


def _library_text(name: str) -> str:
    return _library_folder().joinpath(f"{name}.toml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- loading
def load_scenario(ref: str | Path) -> Scenario:
    """A scenario from a built-in name ("baseline") or a TOML file path."""
    return _finish(_load_layer(ref, Path.cwd(), ())[0])


def parse_scenario(text: str, source: str = "<text>", directory: Path | None = None,
                   bases: Mapping[str, Scenario] | None = None) -> Scenario:
    """A scenario from TOML text; `source` names it in messages, `directory` anchors its base.

    `bases` (the app: text from a browser is data, never a path into the server): when given,
    `base` may only name one of these scenarios, and no file is read at all."""
    layer = _layer(text, source, directory or Path.cwd(), (source,), bases)
    layer["default_name"] = Path(source).stem if source.endswith(".toml") else "scenario"
    return _finish(layer)


def is_path(ref: str | Path) -> bool:
    text = str(ref)
    return isinstance(ref, Path) or text.endswith(".toml") or "/" in text or "\\" in text


def _load_layer(ref: str | Path, directory: Path, chain: tuple[str, ...]) -> tuple[dict, str]:
    """Read a built-in or a file and resolve its bases; returns (merged layer, source name)."""
    if is_path(ref):
        path = (directory / ref).resolve()
        try:
            text = read_text_file(path, "scenario")
        except InputFileError as error:
            raise ScenarioError([Problem(str(ref), error.line, "", error.message)]) from None
        source, here, identity = str(ref), path.parent, str(path)
    else:
        if ref not in library_names():
            raise ScenarioError([Problem(
                str(ref), None, "", f"unknown built-in scenario.{closest(str(ref), library_names())}"
                f" Built-ins: {', '.join(library_names())} (or give a path to a .toml file)")])
        source, text = f"{ref} (built-in)", _library_text(ref)
        here, identity = Path(str(_library_folder())), f"builtin:{ref}"
    if identity in chain:
        cycle = " -> ".join([*chain[chain.index(identity):], identity])
        raise ScenarioError([Problem(source, None, "base", f"inheritance cycle: {cycle}")])
    layer = _layer(text, source, here, (*chain, identity))
    layer["default_name"] = Path(str(ref)).stem
    return layer, source


def _layer(text: str, source: str, directory: Path, chain: tuple[str, ...],
           bases: Mapping[str, Scenario] | None = None) -> dict:
    """One file's fields and settings, validated, with its base merged underneath."""
    raw = _parse_toml(text, source)
    index = KeyLines(text)
    doc = _check_structure(raw, index, source)
    own: dict[str, Any] = {
        "fields": {k: getattr(doc, k) for k in (*OWN_FIELDS, *RUN_FIELDS) if getattr(doc, k) is not None},
        "settings": _settings_of(doc), "lines": {}, "source": source, "index": index}
    own["lines"] = {name: (source, index.line(FILE_PATHS[name])) for name in own["settings"]}
    for key in RUN_FIELDS:
        own["lines"][key] = (source, index.line((key,)))
    if doc.region is not None and doc.region not in region_choices():
        _fail(own, "region", f"unknown region {doc.region!r}.{closest(doc.region, region_choices())}"
                             f" Allowed: {', '.join(region_choices())}")
    region = doc.region or data.DEFAULT_REGION
    _check_values(own, region)
    names = data.data_set_names(data.DEFAULT_REGION if region == OFFICE else region)
    if doc.data_set is not None and doc.data_set not in names:
        _fail(own, "data_set", f"unknown data set {doc.data_set!r}.{closest(doc.data_set, names)}"
                               f" Allowed: {', '.join(names)}")
    if doc.base is None:
        return own
    base = _load_layer(doc.base, directory, chain)[0] if bases is None else _named_base(doc.base, bases, own)
    return {"fields": {**{k: v for k, v in base["fields"].items() if k in RUN_FIELDS}, **own["fields"]},
            "settings": {**base["settings"], **own["settings"]},
            "lines": {**base["lines"], **own["lines"]}, "source": source, "index": index}


def _named_base(ref: str, bases: Mapping[str, Scenario], own: dict) -> dict:
    """The layer of a scenario given by name only (`bases`); anything else, a path included, is
    refused with the allowed names. The named scenario is already resolved (it has no base)."""
    if ref not in bases:
        allowed = ", ".join(sorted(bases))
        own["lines"]["base"] = (own["source"], own["index"].line(("base",)))
        _fail(own, "base", f"{ref!r} is not a scenario this file may be based on: give the name of a "
                           f"built-in scenario or of a scenario already loaded. Allowed: {allowed}")
    return _layer(bases[ref].to_toml(), f"{ref} (base)", Path(), ())


def _parse_toml(text: str, source: str) -> dict:
    try:
        return parse_toml(text)
    except ValueError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) if match else None
        raise ScenarioError([Problem(source, line, "", f"not valid TOML: {error}")]) from None


def _settings_of(doc: BaseModel) -> dict[str, Any]:
    """Model setting name -> value for every key the file sets."""
    settings = {}
    for path, name in SETTING_AT.items():
        node: Any = doc
        for part in path:
            node = getattr(node, part, None) if node is not None else None
        if node is not None:
            settings[name] = node
    return settings


def _check_structure(raw: dict, index: KeyLines, source: str) -> Any:
    """The file as a `Document` (a model generated from the registry, so typed as Any). Every
    problem's line is found (one lookup each); only the first MAX_LISTED, in file order, are
    described (a description may search for the closest valid name)."""
    try:
        return Document.model_validate(raw)
    except ValidationError as error:
        located = sorted(((index.line(_error_path(e)) or 0, i, e) for i, e in enumerate(error.errors())),
                         key=lambda item: item[:2])
        problems = [_structure_problem(e, line or None, source) for line, _, e in located[:MAX_LISTED]]
        raise ScenarioError(problems, more=len(located) - len(problems)) from None


def _error_path(error: ErrorDetails) -> tuple:
    path = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    return tuple(p for p in path if p not in ("str", "int", "float", "constrained-str"))


def _structure_problem(error: ErrorDetails, line: int | None, source: str) -> Problem:
    path = _error_path(error)
    if error["type"] == "extra_forbidden":
        return Problem(source, line, dotted(path), _unknown_key(path))
    if error["type"] == "model_type":
        return Problem(source, line, dotted(path), f"expected a table of settings; got {shown(error['input'])}")
    if error["type"] == "string_pattern_mismatch":
        also = (f", {DEFAULT_DECISION!r} (the region's) or {NO_DECISION!r} (no history)"
                if path == ("decision_month",) else "")
        return Problem(source, line, dotted(path),
                       f"{shown(error['input'])} is not a month; write it as YYYY-MM, e.g. '2025-10'{also}")
    return Problem(source, line, dotted(path), f"{error['msg']}; got {shown(error['input'])}")


def _unknown_key(path: tuple) -> str:
    """Name the closest valid key, or the section where this setting belongs."""
    *parent, key = path
    key = str(key)
    prefixed = PARAMETERS.get(key) or PARAMETERS.get(f"pilot_{key}")
    if prefixed is not None and FILE_PATHS[prefixed.name][:-1] != tuple(parent):
        section, key_there = FILE_PATHS[prefixed.name][:-1], FILE_PATHS[prefixed.name][-1]
        return f"unknown key {key!r} here; {key_there!r} belongs in [{'.'.join(section)}]"
    if parent == ["pilot"] and key.startswith("pilot_") and PARAMETERS.get(key):
        return f"unknown key {key!r}; write {FILE_PATHS[key][-1]!r} (keys in [pilot] drop the 'pilot_' prefix)"
    if parent == ["levers"]:
        return f"unknown lever group {key!r}.{closest(key, list(LEVER_GROUPS))} Groups: {', '.join(LEVER_GROUPS)}"
    valid = _keys_under(tuple(parent))
    return f"unknown key {key!r}.{closest(key, valid)} Valid keys here: {', '.join(valid)}"


def _keys_under(parent: tuple) -> list[str]:
    if not parent:
        return [*Document.model_fields]
    return [path[len(parent)] for path in SETTING_AT if path[:len(parent)] == parent and len(path) > len(parent)]


def _check_values(layer: dict, region: str = data.DEFAULT_REGION) -> None:
    """The model's own validation of every setting (for `region`), reported at the file's key paths."""
    try:
        check_settings(layer["settings"], region)
    except SettingsError as error:
        problems = []
        for path, message in error.problems:
            name = re.split(r"[^a-z_0-9]", path, maxsplit=1)[0]   # the setting a problem path starts with
            file_key = ".".join(FILE_PATHS[name]) + path[len(name):]
            line = layer["index"].line(_path_parts(file_key)) or layer["lines"][name][1]
            problems.append(Problem(layer["source"], line, file_key, message))
        problems.sort(key=lambda p: p.line or 0)
        raise ScenarioError(problems[:MAX_LISTED], more=len(problems) - MAX_LISTED) from None


def check_settings(settings: dict[str, Any], region: str) -> None:
    """model.settings.validate of the settings as they apply in `region` (office.localize), or in
    each province for the office; SettingsError with the first failing province's problems."""
    unknown = unknown_regencies(settings) if region == OFFICE else []
    if unknown:
        raise SettingsError(unknown)
    for province in (provinces() if region == OFFICE else [region]):
        try:
            validate(localize(settings, province), province)
        except SettingsError as error:
            if region != OFFICE:
                raise
            raise SettingsError([(path, f"in {province}: {message}") for path, message in error.problems]) \
                from None


def _path_parts(dotted: str) -> tuple:
    """'a.b[0].c' -> ('a', 'b', 0, 'c')."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\[(\d+)\]|([^.\[\]]+)", dotted)
                 for p in p if p)


def _fail(layer: dict, key: str, message: str) -> None:
    source, line = layer["lines"].get(key, (layer["source"], None))
    raise ScenarioError([Problem(source, line, key, message)])


def _finish(layer: dict) -> Scenario:
    """Checks that need the merged scenario: start, horizon and windows against each other."""
    fields = {**DEFAULTS, **layer["fields"]}
    fields.setdefault("name", layer["default_name"])
    # The office runs each province on its own default data set; its data_set field is the
    # default region's, and its month 0 the latest province's (office.first_month).
    office = fields["region"] == OFFICE
    region = data.DEFAULT_REGION if office else fields["region"]
    if "data_set" not in layer["fields"]:     # no file names one: the region's default
        fields["data_set"] = data.load(region).default_data_set
    if fields["region"] != data.DEFAULT_REGION:     # a region inherited from the base: its names
        _check_values(layer, fields["region"])
        if fields["data_set"] not in data.data_set_names(region):
            _fail(layer, "data_set", f"unknown data set {fields['data_set']!r} for region {fields['region']!r}."
                                     f" Allowed: {', '.join(data.data_set_names(region))}")
    month0 = first_month() if office else data.data_set(fields["data_set"], region).month0
    if months.ordinal(fields["horizon"]) <= months.ordinal(month0):
        _fail(layer, "horizon", f"{fields['horizon']} must be after the data set's month 0 ({month0})")
    start = fields.get("start")
    if start and not months.ordinal(month0) <= months.ordinal(start) <= months.ordinal(fields["horizon"]):
        _fail(layer, "start", f"{start} must be between the data set's month 0 ({month0}) and the horizon"
                              f" ({fields['horizon']})")
    decision = _check_decision(layer, fields, region, month0)
    for name, value in layer["settings"].items():
        if isinstance(value, list) and PARAMETERS[name].type == "number":
            # with a decision month, windows act from it: one ending before it is dropped
            acts_after = month0 if decision is None else months.label(months.ordinal(decision) - 1)
            _check_windows(layer, name, value, start, acts_after, fields["horizon"])
    return Scenario(settings=layer["settings"], **fields)


def _check_decision(layer: dict, fields: dict, region: str, month0: str) -> str | None:
    """The decision month as a month (or None): after month 0, no later than the horizon, not
    after `start` (levers act from the decision month on)."""
    given = fields.get("decision_month")
    if not given or given == NO_DECISION:
        return None
    ids = provinces() if fields["region"] == OFFICE else [region]
    decision = given if given != DEFAULT_DECISION else max(data.load(r).decision_month for r in ids)
    if given == DEFAULT_DECISION and months.ordinal(decision) > months.ordinal(fields["horizon"]):
        return None          # the runs end before the decision month: all history, no lever acts
    if not months.ordinal(month0) < months.ordinal(decision) <= months.ordinal(fields["horizon"]):
        _fail(layer, "decision_month", f"{decision} must be after the data set's month 0 ({month0}) and no later "
                                       f"than the horizon ({fields['horizon']}); or {DEFAULT_DECISION!r} or "
                                       f"{NO_DECISION!r}")
    start = fields.get("start")
    if start and months.ordinal(start) < months.ordinal(decision):
        _fail(layer, "start", f"{start} is before the decision month ({decision}): levers act from it on "
                              f"(decision_month = {NO_DECISION!r} runs the levers as written from month 0)")
    return decision


def _check_windows(layer: dict, name: str, windows: list[dict], start: str | None,
                   month0: str, horizon: str) -> None:
    """Some window must act within the simulated months, and none may begin before the
    scenario's `start` (windows stack in order in the model, each changing only the regencies
    it names, so overlaps are allowed)."""
    key = ".".join(FILE_PATHS[name])
    idle = idle_windows(windows, month0, horizon)
    if idle:
        _fail_at(layer, name, key, idle)
    for i, window in enumerate(windows):
        if start and window.get("from") and months.ordinal(window["from"]) < months.ordinal(start):
            _fail_at(layer, name, f"{key}[{i}].from", f"{window['from']} is before the scenario's start ({start})")


def _fail_at(layer: dict, name: str, path: str, message: str) -> None:
    source, line = layer["lines"][name]
    raise ScenarioError([Problem(source, line, path, message)])
