"""Printing, saving and comparing benchmark figures. Figures are printed, never asserted."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_SET_LABEL = {"office-2024-08": "office", "article": "article", "kanwil": "Kanwil"}


def machine() -> dict:
    """What the figures were measured on: CPU, cores, memory, versions, date and commit."""
    import mesa
    import numpy

    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gb": _memory_gb(),
        "python": platform.python_version(), "numpy": numpy.__version__,
        "mesa": mesa.__version__, "commit": _commit(), "load": load(),
    }


def load() -> list[float] | None:
    """Load averages (1, 5, 15 minutes): other work on the machine slows measurements."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _commit() -> str:
    try:
        def git(*args):
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                                  text=True, check=True).stdout.strip()
        return git("rev-parse", "--short", "HEAD") + (" (modified)" if git("status", "--porcelain",
                                                                          "--", "model", "agents") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------------------- printing
def print_machine(info: dict) -> None:
    print(f"{info['date']}  {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
          f"Python {info['python']}, numpy {info['numpy']}, Mesa {info['mesa']}; commit {info['commit']}")


def print_load(before, after) -> None:
    print(f"\nload average (1, 5, 15 min) before {before}, after {after} "
          f"({os.cpu_count()} cores: above that, other work shared the machine)")


def print_runs(rows: list[dict]) -> None:
    print("\nCombined regional plan, 76 months (each in a fresh process)")
    print(f"{'data set':9s} {'scale':>5s} {'workers':>10s} {'build s':>8s} {'run s':>7s} "
          f"{'total s':>8s} {'worker-months/s':>16s} {'peak RSS GB':>12s}")
    for r in rows:
        print(f"{DATA_SET_LABEL[r['data_set']]:9s} {r['scale']:5.2f} {r['workers']:10,d} "
              f"{r['build_s']:8.2f} {r['run_s']:7.2f} {r['total_s']:8.2f} "
              f"{r['worker_months_per_s'] / 1e6:14.1f} M {r['peak_rss_gb']:12.2f}")
    if rows:
        print(f"(memory after imports, before building: {rows[0]['rss_after_imports_gb']:.2f} GB; "
              f"Kanwil: {KANWIL_NOTE})")
    floors = [r for r in rows if "floor_s" in r]
    if floors:
        print("\nAgainst the bare numpy floor (benchmarks/floor.py; same process, same population; "
              "ratio = floor s / run s, issue 24's target 0.7x)")
        for r in floors:
            print(f"  {DATA_SET_LABEL[r['data_set']]:8s} {r['scale']:5.2f}: model {r['run_s']:6.2f} s, "
                  f"floor {r['floor_s']:6.2f} s, ratio {r['floor_ratio']:.2f}x")


KANWIL_NOTE = "the three provinces one after the other in one process, each its default data set"


def print_reference(result: dict) -> None:
    model, reference = result["model"], result["reference"]
    print(f"\nObject-per-agent reference vs the model, same rules and population "
          f"({DATA_SET_LABEL[model['data_set']]} data set, scale {model['scale']}, "
          f"{reference['informal_workers']:,d} informal workers, {model['months']} months)")
    for name, r in (("model (REFERENCE_RULES)", model), ("reference (Mesa agents)", reference)):
        print(f"  {name:24s} run {r['run_s']:7.2f} s  "
              f"{r['informal_worker_months_per_s'] / 1e6:7.2f} M informal worker-months/s")
    print(f"  speed ratio: {result['ratio']:.0f}x")


def print_sweep(s: dict) -> None:
    print(f"\nSweep: {s['runs']} runs at scale {s['scale']} on {s['workers']} processes "
          f"({s['executor']})")
    print(f"  wall {s['wall_s']:.1f} s = {s['runs_per_minute']:.0f} runs per minute; "
          f"a run takes {s['mean_run_s_in_pool']:.3f} s in the pool, {s['mean_run_s_alone']:.3f} s alone")
    print(f"  executor overhead {100 * s['executor_overhead']:.1f}% of the cores' time; "
          f"contention x{s['contention']:.2f}")


# ---------------------------------------------------------------------------- save / compare
def save(figures: dict, path: str) -> None:
    Path(path).write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nsaved to {path}")


def compare(figures: dict, path: str) -> None:
    """Print this run's figures beside a saved reference's (ratio = reference / now for times)."""
    old = json.loads(Path(path).read_text())
    print(f"\nCompared with {path} ({old['machine']['date']}, commit {old['machine']['commit']});"
          " x = old / new, above 1 is faster now")
    before = {(r["data_set"], r["scale"]): r for r in old.get("runs", [])}
    for r in figures.get("runs", []):
        o = before.get((r["data_set"], r["scale"]))
        if o:
            print(f"  {DATA_SET_LABEL[r['data_set']]:8s} {r['scale']:5.2f}: total "
                  f"{o['total_s']:7.2f} -> {r['total_s']:7.2f} s (x{o['total_s'] / r['total_s']:.2f}), "
                  f"{_per_month(o, r)}build {o['build_s']:.2f} -> {r['build_s']:.2f} s, peak "
                  f"{o['peak_rss_gb']:.2f} -> {r['peak_rss_gb']:.2f} GB{_floor_change(o, r)}")
    if _same(old, figures, "reference", lambda r: r["model"]["scale"]):
        print(f"  reference ratio {old['reference']['ratio']:.0f}x -> {figures['reference']['ratio']:.0f}x")
    if _same(old, figures, "sweep", lambda s: (s["runs"], s["scale"])):
        print(f"  sweep {old['sweep']['runs_per_minute']:.0f} -> "
              f"{figures['sweep']['runs_per_minute']:.0f} runs per minute")


def _per_month(old: dict, new: dict) -> str:
    """A run's cost a month, then and now (the small scales' fixed work), if both say it."""
    if not all("run_s" in r and "months" in r for r in (old, new)):
        return ""
    return (f"{1000 * old['run_s'] / old['months']:.2f} -> {1000 * new['run_s'] / new['months']:.2f}"
            " ms a month, ")


def _floor_change(old: dict, new: dict) -> str:
    if "floor_ratio" not in old or "floor_ratio" not in new:
        return ""
    return f", floor ratio {old['floor_ratio']:.2f}x -> {new['floor_ratio']:.2f}x"


def _same(old: dict, new: dict, section: str, setting) -> bool:
    """Both have the section, measured with the same setting (else say why not compared)."""
    if section not in old or section not in new:
        return False
    if setting(old[section]) != setting(new[section]):
        print(f"  {section}: not compared, measured at {setting(old[section])} then, "
              f"{setting(new[section])} now")
        return False
    return True
