"""Property-based fuzzing of what a user hands the CLI: scenario files, sweep files and command
line arguments (arbitrary bytes, arbitrary TOML documents, mutations of the built-in scenarios
and the example sweep). Whatever the input: no traceback; exit 0, or exit 2 with one message
that names the file (and, where the input has one, the line and key).

The CLI runs in this process (typer's CliRunner) and stops before the first model run (the
experiment is replaced by a sentinel once every check has passed), so examples are cheap.
CI runs the "ci" profile (about 200 examples over the tests); a longer search is

    HYPOTHESIS_PROFILE=long python -m pytest tests/experiments/test_fuzz.py
"""

import os
import tempfile
import tomllib
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import tomli_w
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

import importlib

from experiments import cli
from experiments.scenario import library_names, _library_text

settings.register_profile("ci", max_examples=34, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

runner = importlib.import_module("experiments.runner")
sweep = importlib.import_module("experiments.sweep")   # the package exports a function of that name
EXAMPLES = Path(sweep.__file__).parent / "examples"


class WouldRun(Exception):
    """Every check passed; the experiment would start here."""


def _would_run(*args, **kwargs):
    raise WouldRun


@contextmanager
def validation_only():
    with mock.patch.object(runner, "experiment", _would_run), mock.patch.object(sweep, "experiment", _would_run):
        yield


def invoke(args: list[str]):
    with validation_only():
        return CliRunner().invoke(cli.app, args)


def check(result, name: str) -> None:
    """Exit 0 (or would run), or exit 2 with one message naming the file; never a traceback."""
    if isinstance(result.exception, WouldRun):
        return
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith(("error:", "Usage:")), result.output
        if name:   # the file, or the scenario it names (an option such as --scale changed it)
            assert name.removesuffix(".toml") in result.output, result.output


def with_file(content: bytes, name: str, args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        check(invoke(args(str(path), folder)), name)


def scenario_args(path, folder):
    return ["run", path, "-r", "1", "--scale", "0.003"]


def sweep_args(path, folder):
    return ["sweep", path, "--out", str(Path(folder) / "out")]


# ---------------------------------------------------------------- strategies
KEYS = sorted({"name", "description", "base", "start", "horizon", "seed", "scale", "data_set", "levers",
               "parameters", "costs", "rules", "pilot", "village", "market", "firms", "subsidy",
               "payment", "socialization", "perisai_agents", "villages_per_month", "subsidy_budget_idr",
               "stop_rate", "from", "to", "value", "Lahat", "others", "scenarios", "replicates",
               "design", "samples", "factors", "min", "max", "values", "levels", "baseline"})
scalars = st.one_of(st.integers(-2**63, 2**63 - 1), st.floats(), st.booleans(), st.text(max_size=20),
                    st.sampled_from(["2025-01", "2024-08", "2031-13", "1e9", "baseline", "lhs", "grid",
                                     "/proc/self/mem", "../../etc/passwd", "<b>x</b>"]))
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12))
documents = st.dictionaries(keys, st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12), max_size=8)


def toml_bytes(document) -> bytes | None:
    try:
        return tomli_w.dumps(document).encode()
    except (TypeError, ValueError):   # e.g. mixed-type arrays that TOML cannot write
        return None


def mutate(document: dict, data) -> dict:
    """Replace, delete or add one value somewhere in a parsed document."""
    node = document
    while isinstance(node, dict) and node:
        key = data.draw(st.sampled_from(sorted(node)))
        action = data.draw(st.sampled_from(["descend", "replace", "delete", "add"]))
        if action == "descend" and isinstance(node[key], dict):
            node = node[key]
            continue
        if action == "replace" or action == "descend":
            node[key] = data.draw(st.recursive(scalars, lambda i: st.lists(i, max_size=3), max_leaves=4))
        elif action == "delete":
            del node[key]
        else:
            node[data.draw(keys)] = data.draw(scalars)
        break
    return document


# ---------------------------------------------------------------- properties
@given(st.binary(max_size=400), st.sampled_from(["scenario", "sweep"]))
def test_arbitrary_bytes(content, kind):
    with_file(content, "fuzz.toml", scenario_args if kind == "scenario" else sweep_args)


@given(documents, st.sampled_from(["scenario", "sweep"]))
def test_arbitrary_toml_documents(document, kind):
    content = toml_bytes(document)
    if content is not None:
        with_file(content, "fuzz.toml", scenario_args if kind == "scenario" else sweep_args)


@given(st.sampled_from(library_names()), st.data())
def test_mutated_built_in_scenarios(name, data):
    document = mutate(tomllib.loads(_library_text(name)), data)
    document.pop("base", None) if data.draw(st.booleans()) else None
    content = toml_bytes(document)
    if content is not None:
        with_file(content, f"{name}.toml", scenario_args)


@given(st.sampled_from(["perisai_sweep.toml", "sensitivity.toml"]), st.data())
def test_mutated_example_sweeps(name, data):
    document = mutate(tomllib.loads((EXAMPLES / name).read_text()), data)
    document["scenarios"] = [s for s in document.get("scenarios", []) if not str(s).endswith(".toml")] \
        if isinstance(document.get("scenarios"), list) else document.get("scenarios", [])
    content = toml_bytes({k: v for k, v in document.items() if v is not None})
    if content is not None:
        with_file(content, name, sweep_args)


@given(st.text(max_size=12).map(lambda text: text.rstrip("\x00")), st.data())
def test_mutated_text_of_built_in_scenarios(insert, data):
    """Character-level damage: a cut, or text inserted anywhere (quotes, brackets, newlines)."""
    text = _library_text(data.draw(st.sampled_from(library_names())))
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 20))
    damaged = text[:at] + insert + text[at + cut:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.toml"
        path.write_bytes(damaged.encode("utf-8", errors="replace"))
        check(invoke(["scenarios", str(path)]), "damaged.toml")


OPTIONS = ["--scale", "--horizon", "--replicates", "--seed", "--workers", "--target-month", "--out",
           "--baseline", "--connect-timeout", "--yes", "--no-baseline", "-q"]
values = st.one_of(st.text(max_size=10), st.sampled_from(["0", "-1", "1e-9", "2", "0.003", "1e308", "nan",
                                                         "inf", "2024-09", "13-2025", "2099-12", "99999"]),
                   st.integers(-10**12, 10**12).map(str), st.floats().map(str))


@given(st.lists(st.tuples(st.sampled_from(OPTIONS), values), max_size=4))
def test_arbitrary_run_arguments(pairs):
    with tempfile.TemporaryDirectory() as folder:
        args = ["run", "baseline", "-r", "1", "--scale", "0.003"]
        for option, value in pairs:
            if option in ("--yes", "--no-baseline", "-q"):
                args.append(option)
            elif option == "--out":
                args += [option, str(Path(folder) / value.replace("\x00", ""))]
            else:
                args += [option, value]
        check(invoke(args), "")
