"""The results folder: a Parquet dataset, a run log and a JSON manifest, safe to interrupt.

    DIR/manifest.json          what was asked: code version, scenario texts, design, seeds,
                               sessions, and each stored file's size and SHA-256
    DIR/outputs/<key>.parquet  monthly outputs of one completed run
    DIR/regency/<key>.parquet  month x regency table of the same run
    DIR/runs.jsonl             one line per finished run: status, seconds, worker, error, files
    DIR/.lock, DIR/.owner.json the writer's lock (held while writing) and who holds it

One folder has one writer at a time: `Store.writing()` takes an OS file lock (filelock; the OS
drops it when the process dies, so a killed writer never blocks the next) and refuses a second
writer naming the holder. Each file is written under a unique temporary name and renamed (atomic
on one file system); the regency file is renamed before the outputs file, and each file's size
and checksum go to the run log, so a damaged or truncated file is recognised (`verify`) and
its run recomputed on resume instead of counted as done.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from experiments.errors import UserError
from experiments.layout import ROOT

MANIFEST = "manifest.json"
OUTPUTS, REGENCY, LOG = "outputs", "regency", "runs.jsonl"
LOCK, OWNER = ".lock", ".owner.json"


class StoreError(UserError, ValueError):
    """The folder cannot hold these results (another writer, another experiment, not a folder)."""


@dataclass(frozen=True)
class Check:
    """What `Store.verify` found: runs whose files are intact, and damaged files (their runs
    count as not done)."""

    good: set[str]
    damaged: list[Path]

    @property
    def damaged_runs(self) -> set[str]:
        return {path.stem for path in self.damaged}


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock: FileLock | None = None

    # ------------------------------------------------------------ ownership
    @contextmanager
    def writing(self, command: list[str] | None = None, runs: bool = True) -> Iterator["Store"]:
        """Hold the folder's lock while writing; StoreError naming the holder if it is taken.
        runs=False: a folder of another writer (an optimisation), without the runs' subfolders."""
        self.create() if runs else writable_folder(self.folder, what=str(self.folder))
        lock = FileLock(str(self.folder / LOCK))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise StoreError(f"{self.folder} is being written by {self.holder()}; wait for it to finish"
                             " or choose another --out folder") from None
        except OSError as error:
            raise StoreError(f"{self.folder}: cannot write here ({error.strerror or error}); choose"
                             " a folder you can write") from None
        try:
            self._check_manifest_is_a_file()
            self._write_json(OWNER, {"pid": os.getpid(), "host": socket.gethostname(),
                                     "command": command if command is not None else sys.argv,
                                     "since": now()})
            self._clean_temporary()
            yield self
        finally:
            (self.folder / OWNER).unlink(missing_ok=True)
            lock.release()

    def writer(self) -> str | None:
        """Who is writing the folder now ('pid N on HOST ...'), or None when no process holds its
        lock (tested by taking the lock for an instant; the OS drops a dead writer's lock)."""
        if not (self.folder / LOCK).exists():
            return None
        lock = FileLock(str(self.folder / LOCK))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return self.holder()
        except OSError:
            return None
        lock.release()
        return None

    def holder(self) -> str:
        """Who holds the lock, as 'pid N on HOST (command ...)', from the owner file."""
        try:
            owner = json.loads((self.folder / OWNER).read_text(encoding="utf-8"))
            command = " ".join(map(str, owner.get("command", [])))
            return f"pid {owner['pid']} on {owner['host']} since {owner.get('since')} ({command})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process (it is starting)"

    def create(self) -> "Store":
        """The folder and its subfolders; StoreError if that path is a file or not writable."""
        for sub in (OUTPUTS, REGENCY):
            writable_folder(self.folder / sub, what=f"{self.folder}: the results folder")
        return self

    def _clean_temporary(self) -> None:
        """Temporary files of killed writers (only called while holding the lock)."""
        for sub in (OUTPUTS, REGENCY, "."):
            for stale in (self.folder / sub).glob(".*.tmp"):
                stale.unlink(missing_ok=True)

    # ------------------------------------------------------------ runs
    def completed(self) -> set[str]:
        """Keys of runs whose outputs file exists (see `verify` for intact ones)."""
        folder = self.folder / OUTPUTS
        return {p.stem for p in folder.glob("*.parquet")} if folder.is_dir() else set()

    def save_run(self, key: str, outputs: pd.DataFrame, regency: pd.DataFrame) -> dict[str, dict]:
        """Both tables of one run, each atomically; the outputs file last marks it done.
        Returns {relative path: {"size", "sha256"}} for the run log."""
        return {**_write_parquet(regency, self.folder, f"{REGENCY}/{key}.parquet"),
                **_write_parquet(outputs, self.folder, f"{OUTPUTS}/{key}.parquet")}

    def verify(self, keys: set[str] | None = None) -> Check:
        """Runs (default: all with an outputs file) whose two files match their recorded size
        and checksum; a file with no record (the writer died before logging it) must at least
        read as Parquet. Damaged files are listed, never raised."""
        keys = self.completed() if keys is None else keys & self.completed()
        recorded = self.file_records()
        good, damaged = set(), []
        for key in sorted(keys):
            bad = [path for path in (f"{REGENCY}/{key}.parquet", f"{OUTPUTS}/{key}.parquet")
                   if not self._intact(path, recorded.get(path))]
            damaged += [self.folder / p for p in bad]
            if not bad:
                good.add(key)
        return Check(good, damaged)

    def _intact(self, relative: str, record: dict | None) -> bool:
        path = self.folder / relative
        try:
            if record is not None:
                return path.stat().st_size == record["size"] and _sha256(path) == record["sha256"]
            pq.read_metadata(path)
            return True
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return False

    def discard_damaged(self, keys: set[str] | None = None) -> set[str]:
        """Delete both files of every damaged run among `keys` (default: all), so the next
        execution recomputes them; their keys. Call it while holding the lock."""
        damaged = self.verify(keys).damaged_runs
        self.remove_runs(damaged)
        return damaged

    def remove_runs(self, keys: set[str]) -> None:
        """Delete both files of these runs (damaged ones) so they are recomputed; the outputs
        file first, so a run is never counted done with a missing regency table."""
        for key in keys:
            for sub in (OUTPUTS, REGENCY):
                (self.folder / sub / f"{key}.parquet").unlink(missing_ok=True)

    def file_records(self) -> dict[str, dict]:
        """{relative path: {"size", "sha256"}} of every file the log and manifest record."""
        files = {}
        manifest = self.read_manifest(strict=False) or {}
        if isinstance(manifest.get("files"), dict):
            files.update(manifest["files"])
        for record in self.records().values():
            if isinstance(record.get("files"), dict):
                files.update(record["files"])
        return files

    def log(self, record: dict[str, Any]) -> None:
        """Append one run's record; flushed to disk so a crash loses at most this line."""
        with open(self.folder / LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, dict]:
        """The latest record of each run (torn or damaged lines are skipped)."""
        path, latest = self.folder / LOG, dict[str, dict]()
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return latest
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                latest[record["key"]] = record
        return latest

    def read(self, kind: str, keys: list[str] | None = None) -> pd.DataFrame:
        """One tidy table (OUTPUTS or REGENCY) of the given intact runs (default: all)."""
        return self.read_runs(kind, self.verify(None if keys is None else set(keys)).good)

    def read_runs(self, kind: str, keys: set[str]) -> pd.DataFrame:
        """One tidy table of runs already verified."""
        folder, ordered = self.folder / kind, sorted(keys)
        if not ordered:
            return pd.DataFrame()
        dataset = ds.dataset([str(folder / f"{k}.parquet") for k in ordered], format="parquet")
        return dataset.to_table().to_pandas()

    # ------------------------------------------------------------ manifest
    def read_manifest(self, strict: bool = True) -> dict | None:
        """The manifest, None if there is none; a damaged one is a StoreError (or None when
        not `strict`)."""
        path = self.folder / MANIFEST
        self._check_manifest_is_a_file()
        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            if not strict:
                return None
            raise StoreError(f"{path} is damaged ({error}); rerun the command that wrote the folder"
                             " to rewrite it (saved runs are kept and checked)") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("runs"), list):
            if not strict:
                return None
            raise StoreError(f"{path} is damaged (not a results manifest); rerun the command that"
                             " wrote the folder to rewrite it")
        return manifest

    def write_manifest(self, manifest: dict) -> None:
        self._check_manifest_is_a_file()
        self._write_json(MANIFEST, manifest)

    def _check_manifest_is_a_file(self) -> None:
        """StoreError (one message for reading and writing) when manifest.json is there but is
        no regular file - a folder, say - which no rerun could replace."""
        path = self.folder / MANIFEST
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise StoreError(f"{path} is not a file (a folder or another kind of entry), so the results"
                             f" manifest can be neither read nor written; move it away (e.g. `mv {path}"
                             f" {path}.old`) and rerun the command that wrote {self.folder} (saved runs are"
                             " kept and checked)")

    def _write_json(self, name: str, content: dict) -> None:
        path = self.folder / name
        tmp = _temporary(path)
        tmp.write_text(json.dumps(content, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, path)


def writable_folder(path: str | Path, what: str | None = None, create: bool = True) -> Path:
    """`path` as a folder this process can write, created with its parents (or, with
    create=False, checked without creating anything: its nearest existing ancestor must be a
    writable folder); StoreError naming it if it is a file, lies under one or is not writable."""
    path, what = Path(path), what or str(path)
    try:
        if create:
            path.mkdir(parents=True, exist_ok=True)
        existing = next(p for p in (path, *path.parents) if p.exists() or p.is_symlink())
        if not existing.is_dir():
            raise NotADirectoryError(20, "not a directory")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied")
    except (FileExistsError, NotADirectoryError):
        raise StoreError(f"{what} is a file, or lies under one; give a folder") from None
    except OSError as error:
        raise StoreError(f"{what} cannot be created or written ({error.strerror or error});"
                         " choose a folder you can write") from None
    return path


def _temporary(path: Path) -> Path:
    """A temporary name no other process or thread uses: .NAME.PID.RANDOM.tmp beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def write_atomic(path: Path, text: str) -> None:
    """A text file written under a temporary name and renamed: never half a file."""
    tmp = _temporary(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_parquet(frame: pd.DataFrame, folder: Path, relative: str) -> dict[str, dict]:
    path = folder / relative
    tmp = _temporary(path)
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        record = {"size": tmp.stat().st_size, "sha256": _sha256(tmp)}
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return {relative: record}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def code_version() -> str:
    """`git describe` of the source tree when it is a git checkout, else the package version."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return f"git {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return f"cakupan {metadata.version('cakupan')}"
    except metadata.PackageNotFoundError:
        return "unknown"
