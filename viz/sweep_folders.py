"""The results area and its sweep folders, for the Sweeps page: the only part of the server's
disk the page reads (CAKUPAN_RESULTS, default `results/` where the app was started, the folder
the README's `cakupan sweep --out results/...` examples write). A folder typed on the page is
data: it is opened only if it resolves (symlinks followed) inside the area, and no OSError (a
name too long, a loop of links) escapes. The app's own sweeps are in `<area>/app-sweeps/`
(viz/sweeper.py). A folder is opened with what is partial, running, damaged or unpaired said in
words, never as an error.

Messages are `SweepPageError`s: a catalog message and its fields, translated by the page; a
message from experiments/ (a store's problem, naming the file) is one field.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import html_report
from experiments.errors import UserError
from experiments.i18n import N_, Translator
from experiments.runner import Results
from experiments.store import MANIFEST, OUTPUTS, OWNER
from viz import backend

AREA_ENV = "CAKUPAN_RESULTS"
APP_FOLDER = "app-sweeps"
SWEEP_FILE = "sweep.toml"   # the sweep file as the app ran it, beside the results (Resume)
MAX_LISTED = 200            # sweep folders listed (newest first)
MAX_PATH_CHARS = 1000       # a typed folder longer than this is refused before it is looked at
MAX_MANIFEST_BYTES = 50_000_000
NAMES_SHOWN = 5

class SweepPageError(UserError):
    """A problem the page shows in the session's language: `message` is a catalog entry."""

    def __init__(self, message: str, also: str | None = None, **fields: Any):
        self.message, self.also, self.fields = message, also, fields
        super().__init__(" ".join(m.format(**fields) for m in (message, also) if m))

    def text(self, t: Translator) -> str:
        fields = {k: t.number(v) if isinstance(v, int) else v for k, v in self.fields.items()}
        return " ".join(t(m, **fields) for m in (self.message, self.also) if m)


def message_text(error: BaseException, t: Translator) -> str:
    """What the page shows for an error: translated; a limit's or a store's own words (naming
    the field and what is allowed) after a translated lead; an error id for anything else."""
    if isinstance(error, SweepPageError):
        return error.text(t)
    if isinstance(error, backend.Reported):   # logged under the id it names
        return str(error)
    if isinstance(error, UserError):
        return t("Refused: {problem}", problem=str(error))
    return backend.explain(error)


# ---------------------------------------------------------------------------------- the area
def results_area() -> Path:
    """The folder the page may read and write (created if missing)."""
    area = Path(os.environ.get(AREA_ENV) or "results").expanduser().resolve()
    area.mkdir(parents=True, exist_ok=True)
    return area


def resolve_folder(typed: str, area: Path | None = None) -> Path:
    """A typed folder, relative to the area or absolute, if it lies inside the area; else one
    message. Nothing outside the area is looked at, and no OSError (a name too long, a loop of
    links) escapes."""
    area = area or results_area()
    text = str(typed).strip()
    if not text:
        raise SweepPageError(N_("Type a folder inside the results area ({area}), or choose a sweep"
                                " from the list."), area=str(area))
    if len(text) > MAX_PATH_CHARS or "\x00" in text:
        raise SweepPageError(N_("That folder name is not allowed: at most {count} characters, no"
                                " control characters."), count=MAX_PATH_CHARS)
    try:
        path = (area / Path(text).expanduser()).resolve()
        inside = path.is_relative_to(area)
        exists = inside and path.is_dir()
    except (OSError, RuntimeError, ValueError):
        raise SweepPageError(N_("That folder name cannot be a folder on this machine (too long, or a"
                                " part of it is over 255 characters).")) from None
    if not inside:
        raise SweepPageError(N_("Only folders inside the results area ({area}) can be opened; that"
                                " one is outside it."), area=str(area))
    if not exists:
        raise SweepPageError(N_("No folder {folder} in the results area ({area})."),
                             folder=shown(text), area=str(area))
    return path


def shown(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------------- the list
@dataclass(frozen=True)
class Entry:
    """One sweep folder of the area, for the list."""

    folder: Path
    relative: str
    name: str
    created: str
    points: int
    runs: int
    done: int
    running: bool
    started_here: bool


_cache: dict[Path, tuple[tuple[int, int], dict]] = {}
_cache_lock = threading.Lock()


def manifest_of(folder: Path) -> dict | None:
    """The folder's manifest (cached by modification time and size), or None if unreadable."""
    path = folder / MANIFEST
    try:
        info = path.stat()
        key = (info.st_mtime_ns, info.st_size)
        with _cache_lock:
            cached = _cache.get(path)
        if cached and cached[0] == key:
            return cached[1]
        if info.st_size > MAX_MANIFEST_BYTES:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    with _cache_lock:
        _cache[path] = (key, manifest)
    return manifest


def _writer_alive(folder: Path) -> bool:
    """Whether a process on this machine holds the folder (its owner file names a live pid)."""
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
        if owner.get("host") != socket.gethostname():
            return True
        os.kill(int(owner["pid"]), 0)
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _done(folder: Path, keys: set[str]) -> int:
    try:
        return sum(1 for p in os.scandir(folder / OUTPUTS) if p.name.endswith(".parquet") and p.name[:-8] in keys)
    except OSError:
        return 0


def list_sweeps(area: Path | None = None) -> list[Entry]:
    """The sweep folders in the area (one or two levels down), newest first."""
    area = area or results_area()
    folders: list[Path] = []
    for pattern in (f"*/{MANIFEST}", f"*/*/{MANIFEST}"):
        for found in area.glob(pattern):
            folder = found.parent
            try:
                if folder.resolve().is_relative_to(area):
                    folders.append(folder)
            except OSError:
                continue
            if len(folders) >= 4 * MAX_LISTED:
                break
    entries = []
    for folder in folders:
        manifest = manifest_of(folder)
        if not manifest or manifest.get("kind") != "sweep":
            continue
        runs = [r for r in manifest.get("runs", []) if isinstance(r, dict) and "key" in r]
        design = manifest.get("design")
        design = design if isinstance(design, dict) else {}
        entries.append(Entry(folder, str(folder.relative_to(area)), str(manifest.get("name", "")),
                             str(manifest.get("created", "")), len(design.get("points") or []), len(runs),
                             _done(folder, {r["key"] for r in runs}), _writer_alive(folder),
                             (folder / SWEEP_FILE).is_file() and folder.parent.name == APP_FOLDER))
    entries.sort(key=lambda e: e.created, reverse=True)
    return entries[:MAX_LISTED]


# ---------------------------------------------------------------------------------- opening
@dataclass
class Opened:
    """A sweep folder as the page shows it: the results, the summary it can honestly compute and
    the problems, each in words."""

    folder: Path
    relative: str
    results: Results
    summary: pd.DataFrame
    baseline: str | None
    notes: list[SweepPageError] = field(default_factory=list)
    points: tuple[int, int] = (0, 0)      # (complete, planned)
    resumable: bool = False


def command(manifest: dict) -> str:
    argv = [str(a) for a in manifest.get("command") or []]
    if argv and Path(argv[0]).name in ("cakupan", "cli.py", "__main__.py"):
        argv[0] = "cakupan"
    return " ".join(argv) or "cakupan sweep SWEEP.toml --out FOLDER"


def open_sweep(folder: Path, area: Path | None = None) -> Opened:
    """Load a sweep folder; damaged, failed and missing runs become notes (never an error), and
    a run without its baseline replicate is left out of the summary, which stays paired."""
    area = area or results_area()
    relative = str(folder.relative_to(area)) if folder.is_relative_to(area) else folder.name
    try:
        results = Results.load(folder)
    except (UserError, OSError, ValueError, KeyError, TypeError) as problem:
        raise SweepPageError(N_("{folder} cannot be read: {problem}"), folder=shown(relative),
                             problem=str(problem)) from None
    manifest = results.manifest
    if manifest.get("kind") != "sweep":
        raise SweepPageError(N_("{folder} holds the results of `cakupan {kind}`, not of a sweep."),
                             folder=shown(relative), kind=str(manifest.get("kind")))
    started_here = (folder / SWEEP_FILE).is_file()
    running = _writer_alive(folder)
    baseline = manifest.get("baseline", backend.BASELINE) or None
    if baseline not in manifest.get("scenarios", {}):
        baseline = None
    runs = [r for r in manifest.get("runs", []) if isinstance(r, dict) and "key" in r]
    scenario_of = {r["key"]: r.get("scenario") for r in runs}
    notes: list[SweepPageError] = []

    def how(problem: str, **fields: Any) -> SweepPageError:
        if started_here:
            return SweepPageError(problem, N_("To recompute them, press Resume below."), **fields)
        return SweepPageError(problem, N_("To recompute them rerun: {command}"), command=command(manifest), **fields)
    damaged_keys = {p.stem for p in results.damaged}
    if damaged_keys & {k for k, s in scenario_of.items() if s == baseline}:
        names = sorted({str(p.relative_to(folder)) if p.is_relative_to(folder) else p.name
                        for p in results.damaged if scenario_of.get(p.stem) == baseline})
        notes.append(how(N_("The baseline's runs at some points are damaged ({files}): extra participants"
                            " and cost cannot be paired there, so those points are left out."),
                         files=_names(names)))
    others = sorted({str(p.relative_to(folder)) if p.is_relative_to(folder) else p.name
                     for p in results.damaged if scenario_of.get(p.stem) != baseline})
    if others:
        notes.append(how(N_("{count} damaged files ({files}): their runs are left out."),
                         count=len(others), files=_names(others)))
    if not results.failures.empty:
        notes.append(how(N_("{count} runs failed and are left out."), count=len(results.failures)))
    table = _paired(results.table, baseline)
    # the damaged files are said above and their points left out (_paired), so the summary of
    # what is left is paired: it need not refuse them again (Results.check_baseline)
    summary = replace(results, table=table, damaged=[]).summary() if not table.empty else pd.DataFrame()
    complete, n_points, _, _ = html_report.points_complete(results)
    if running:
        notes.insert(0, SweepPageError(N_("This sweep is still running: {done} of {points} points are"
                                          " complete so far."), done=complete, points=n_points))
    elif complete < n_points:
        notes.insert(0, SweepPageError(N_("This sweep is partial: {done} of {points} points are complete;"
                                          " the chart shows the runs that finished."), done=complete,
                                       points=n_points))
    if summary.empty:
        notes.append(SweepPageError(N_("No run of this sweep has results yet.")))
    resumable = started_here and not running and (complete < n_points or bool(notes))
    return Opened(folder, relative, results, summary, baseline, notes, (complete, n_points), resumable)


def _names(names: list[str]) -> str:
    return ", ".join(names[:NAMES_SHOWN]) + (" …" if len(names) > NAMES_SHOWN else "")


def _paired(table: pd.DataFrame, baseline: str | None) -> pd.DataFrame:
    """The runs that have their baseline replicate at the same point (all of them without a
    baseline): a missing baseline run leaves out its point's other runs instead of breaking
    the paired differences."""
    if table.empty or baseline is None:
        return table
    base = table["scenario"] == baseline
    pairs = pd.MultiIndex.from_frame(table.loc[base, ["point", "replicate"]].drop_duplicates())
    keep = base | pd.MultiIndex.from_frame(table[["point", "replicate"]]).isin(pairs)
    return table[keep.to_numpy()].reset_index(drop=True)
