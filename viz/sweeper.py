"""The Sweeps page's door into experiments/sweep.py: sweep files from the library or the
browser, checked exactly as `cakupan sweep` checks a file (the upload door's size and UTF-8
checks, the nesting bound, the schema; built-in scenarios only: a file from the browser is data,
never a path into the server); their size checked on the server like a comparison's
(experiments/limits.py); and the run on the app's shared pool into a folder the server chooses,
`<area>/app-sweeps/<name>-<time>-<id>/`, with the sweep file as it ran, so Resume continues it.
The area, the list and opening a folder are viz/sweep_folders.py's.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import tomli_w

from experiments import library_names, limits
from experiments.errors import parse_toml
from experiments.executors import Executor, Lifetime, Stopped
from experiments.i18n import N_
from experiments.runner import Interrupted
from experiments.sweep import Sweep, SweepError, parse_sweep, sweep
from viz import backend
from viz.pool import Cancelled
from viz.sweep_folders import APP_FOLDER, SWEEP_FILE, SweepPageError, command, manifest_of, results_area, shown

LIBRARY = Path(__file__).resolve().parents[1] / "experiments" / "examples"
MAX_SWEEP_RUNS = 2000       # per sweep started from the page: about 5 min at scale 0.01 on 2 cores
MAX_LINE_CHARS = 300        # each of those lines (a line may quote the input)


# ---------------------------------------------------------------------------------- sweep files
def library() -> dict[str, Path]:
    """The sweep files shipped with cakupan (experiments/examples/*.toml), by file name."""
    return {p.name: p for p in sorted(LIBRARY.glob("*.toml"))}


def library_text(name: str) -> str:
    files = library()
    if name not in files:
        raise SweepPageError(N_("{name} is not a sweep of the library; choose one of: {names}."),
                             name=shown(str(name)), names=", ".join(files))
    return files[name].read_text(encoding="utf-8")


def upload_text(filename: str, data: bytes | None, size: int | None = None) -> tuple[str, str]:
    """(source name, text) of a file from the browser: at most 1 MB of UTF-8 (as a scenario
    upload, backend.parse_upload). `data` is None when the browser did not send a file over the
    limit; `size` is its size."""
    source = Path(str(filename)).name[:200] or "upload.toml"
    size = len(data) if data is not None else size or 0
    if data is None or size > backend.MAX_UPLOAD_BYTES:
        raise SweepPageError(N_("{file}: {size} bytes is over the 1 MB limit for a sweep file."),
                             file=source, size=int(size))
    try:
        return source, data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SweepPageError(N_("{file}: not a UTF-8 text file (byte {byte}); save the sweep as UTF-8"
                                " TOML."), file=source, byte=error.start) from None


def _refused(source: str, problem: str) -> SweepPageError:
    # The file's checks list at most errors.MAX_LISTED problems and count the rest themselves
    # ("... and N more"); here each line is only cut short.
    lines = [shown(line, MAX_LINE_CHARS) for line in str(problem).splitlines()]
    return SweepPageError(N_("The sweep file {file} was refused:\n{problems}"), file=source,
                          problems="\n".join(lines))


def read(text: str, source: str) -> dict:
    """A sweep file's TOML (nesting bounded as for every input file), or one message."""
    try:
        raw = parse_toml(text)
    except ValueError as problem:
        raise _refused(source, f"{source}: not valid TOML: {problem}") from None
    check(raw, source)
    return raw


def check(raw: dict, source: str) -> Sweep:
    """The sweep's schema (experiments.sweep.parse_sweep, as `cakupan sweep`), and scenarios that
    are built-in names: a file from the browser is data, never a path into the server."""
    try:
        spec = parse_sweep(raw, source, LIBRARY)
    except SweepError as problem:
        raise _refused(source, str(problem)) from None
    names = library_names()
    unknown = [s for s in spec.scenarios if s not in names]
    if unknown:
        raise _refused(source, f"{source}: scenarios: {', '.join(map(repr, unknown))} not built-in;"
                       f" a sweep started in the app may name only: {', '.join(names)}")
    return spec


@dataclass(frozen=True)
class Request:
    """A checked sweep: the file as it will run, its spec and what it costs."""

    source: str
    text: str
    spec: Sweep
    cost: limits.Estimate


def request(raw: dict, source: str, scale: Any, replicates: Any, samples: Any = None) -> Request:
    """The sweep with the page's scale, replicates and (for sampled designs) samples written
    into it, checked as a file and against the limits on the server (a request can bypass the
    page's controls)."""
    limits.check_scale(scale)
    if scale not in backend.SCALES:
        raise limits.LimitError(f"scale: {scale!r} is not offered; allowed: {', '.join(map(str, backend.SCALES))}")
    limits.check_replicates(replicates, backend.MAX_REPLICATES)
    raw = {**raw, "scale": float(scale), "replicates": replicates}
    if raw.get("design", "grid") != "grid":
        raw["samples"] = limits.check_count(samples, 1, MAX_SWEEP_RUNS, "samples")
    spec = check(raw, source)
    scenarios = [builtins()[s] for s in spec.scenarios]
    n_months = max(limits.check_horizon(spec.horizon or s.horizon, s.data_set,
                                        field=f"{source}: horizon") for s in scenarios)
    runs = spec.size() * len(scenarios) * spec.replicates
    cost = limits.estimate(runs, float(scale), n_months, backend.POOL.workers)
    if runs > MAX_SWEEP_RUNS:
        raise SweepPageError(N_("This sweep is {runs} runs; the app runs at most {most} per sweep: use"
                                " fewer points or replicates, or run it with `cakupan sweep`."),
                             runs=runs, most=MAX_SWEEP_RUNS)
    return Request(source, tomli_w.dumps({k: v for k, v in raw.items() if k != "directory"}), spec, cost)


@functools.cache
def builtins() -> dict:
    """The built-in scenarios (immutable), loaded once."""
    return backend.builtin_scenarios()


# ---------------------------------------------------------------------------------- running
def new_folder(name: str, area: Path | None = None) -> Path:
    """A new folder of the server's choosing for a sweep: never a path typed by the user."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40].strip("_") or "sweep"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = (area or results_area()) / APP_FOLDER / f"{safe}-{stamp}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


class Counting(Lifetime):
    """The pool's executor for one sweep: counts finished runs for the progress bar, and turns a
    Cancel into the runner's Stopped (the runner then saves what finished and says so)."""

    def __init__(self, inner: Executor, on_done: Callable[[int, int], None]):
        self.inner, self.on_done = inner, on_done
        self.name, self.workers = inner.name, inner.workers

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        tasks = list(tasks)
        self.on_done(0, len(tasks))
        try:
            for done, item in enumerate(self.inner.imap_unordered(fn, tasks), start=1):
                self.on_done(done, len(tasks))
                yield item
        except Cancelled:
            raise Stopped("sweep cancelled") from None

    def cancel(self) -> Any:
        return self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


def run(chosen: Request, folder: Path, executor: Executor, on_done: Callable[[int, int], None]) -> bool:
    """Run the sweep into `folder` (resumable: the runs already saved there are skipped),
    keeping the sweep file beside the results. False when cancelled (what finished is saved)."""
    (folder / SWEEP_FILE).write_text(chosen.text, encoding="utf-8")
    try:
        sweep(chosen.spec, out=folder, executor=Counting(executor, on_done), progress=False)
    except Interrupted:
        return False
    return True


def resume_request(folder: Path) -> Request:
    """The request that wrote an app sweep's folder, to continue or repair it."""
    path = folder / SWEEP_FILE
    if not path.is_file():
        raise SweepPageError(N_("This sweep was not started in the app; to continue it rerun: {command}"),
                             command=command(manifest_of(folder) or {}))
    raw = read(path.read_text(encoding="utf-8"), path.name)
    return request(raw, path.name, raw.get("scale"), raw.get("replicates"), raw.get("samples"))
