"""The results folder: a Parquet dataset, a run log and a JSON manifest, safe to interrupt.

    DIR/manifest.json          what was asked: code version, scenario texts, design, seeds, sessions
    DIR/outputs/<key>.parquet  monthly outputs of one completed run (its presence = done)
    DIR/regency/<key>.parquet  month x regency table of the same run
    DIR/runs.jsonl             one line per finished run: status, seconds, worker, error

Each file is written to a temporary name and renamed (atomic on one file system); the regency
file is renamed before the outputs file, so a run counts as done only when both exist. A killed
process leaves at worst a temporary file, which is ignored and cleaned up. Rerunning the same
command skips every run whose outputs file exists.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.errors import UserError

MANIFEST = "manifest.json"
OUTPUTS, REGENCY, LOG = "outputs", "regency", "runs.jsonl"


class StoreError(UserError, ValueError):
    """The folder cannot hold these results (e.g. it holds another experiment)."""


class Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def create(self) -> "Store":
        for sub in (OUTPUTS, REGENCY):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
            for stale in (self.folder / sub).glob(".*.tmp"):
                stale.unlink(missing_ok=True)
        return self

    # ------------------------------------------------------------ runs
    def completed(self) -> set[str]:
        """Keys of runs whose outputs are saved."""
        folder = self.folder / OUTPUTS
        return {p.stem for p in folder.glob("*.parquet")} if folder.is_dir() else set()

    def save_run(self, key: str, outputs: pd.DataFrame, regency: pd.DataFrame) -> None:
        """Both tables of one run, each atomically; the outputs file last marks it done."""
        _write_parquet(regency, self.folder / REGENCY / f"{key}.parquet")
        _write_parquet(outputs, self.folder / OUTPUTS / f"{key}.parquet")

    def log(self, record: dict[str, Any]) -> None:
        """Append one run's record; flushed to disk so a crash loses at most this line."""
        with open(self.folder / LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, dict]:
        """The latest record of each run (a torn last line from a crash is skipped)."""
        path, latest = self.folder / LOG, {}
        if not path.exists():
            return latest
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            latest[record["key"]] = record
        return latest

    def read(self, kind: str, keys: list[str] | None = None) -> pd.DataFrame:
        """One tidy table (OUTPUTS or REGENCY) of the given completed runs (default: all)."""
        folder = self.folder / kind
        done = self.completed()
        keys = sorted(done if keys is None else [k for k in keys if k in done])
        if not keys:
            return pd.DataFrame()
        dataset = ds.dataset([str(folder / f"{k}.parquet") for k in keys], format="parquet")
        return dataset.to_table().to_pandas()

    # ------------------------------------------------------------ manifest
    def read_manifest(self) -> dict | None:
        path = self.folder / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def write_manifest(self, manifest: dict) -> None:
        path = self.folder / MANIFEST
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, path)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    os.replace(tmp, path)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def code_version() -> str:
    """`git describe` of the source tree when it is a git checkout, else the package version."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=root,
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return f"git {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return f"cakupan {metadata.version('cakupan')}"
    except metadata.PackageNotFoundError:
        return "unknown"
