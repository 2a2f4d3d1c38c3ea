"""The `cakupan` command line: help everywhere, exit code 2 with a clear message for bad input."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from experiments import cli

runner = CliRunner()
COMMANDS = ["scenarios", "parameters", "run", "sweep", "report", "app"]


def invoke(*args):
    return runner.invoke(cli.app, list(args))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_scenarios_lists_the_built_ins_with_descriptions():
    result = invoke("scenarios")
    assert result.exit_code == 0
    assert "regional_plan" in result.output and "Perisai" in result.output


def test_scenarios_prints_a_resolved_scenario():
    result = invoke("scenarios", "regional_plan")
    assert result.exit_code == 0 and "[levers.market]" in result.output and "base =" not in result.output


def test_parameters_lists_the_registry():
    result = invoke("parameters", "--kind", "lever")
    assert result.exit_code == 0 and "perisai_agents" in result.output and "take_up_rate" not in result.output


def test_run_prints_a_comparison_with_the_baseline(tmp_path):
    result = invoke("run", "market_ecosystem", "-r", "2", "--scale", "0.003", "--horizon", "2025-03",
                    "--workers", "1", "--target-month", "2025-03", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "baseline" in result.output and "market_ecosystem" in result.output
    assert "Rp per extra participant" in result.output
    report = invoke("report", str(tmp_path / "out"), "--target-month", "2025-03")
    assert report.exit_code == 0, report.output
    for name in ("summary.csv", "coverage.png", "spend.png", "regency.png"):
        assert (tmp_path / "out" / "report" / name).stat().st_size > 0


def bad_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[levers.market]\nperisai_agent = 10\n')
    return str(path)


def bad_sweep(tmp_path):
    path = tmp_path / "bad_sweep.toml"
    path.write_text('name = "s"\nscenarios = ["baseline"]\n[factors.stop_rate]\nmin = 0.5\nmax = 2\n')
    return str(path)


@pytest.mark.parametrize("args, message", [
    (lambda p: ["run", "regional_plna"], "Did you mean 'regional_plan'"),
    (lambda p: ["run", bad_file(p)], "bad.toml:3: levers.market.perisai_agent"),
    (lambda p: ["run", "baseline", "--scale", "2"], "scale"),
    (lambda p: ["run", "baseline", "--horizon", "2024-01"], "must be after"),
    (lambda p: ["run", str(p / "missing.toml")], "no such scenario file"),
    (lambda p: ["scenarios", bad_file(p)], "Did you mean 'perisai_agents'"),
    (lambda p: ["sweep", bad_sweep(p), "--out", str(p / "o")], "factors.stop_rate"),
    (lambda p: ["sweep", str(p / "nope.toml"), "--out", str(p / "o")], "no such sweep file"),
    (lambda p: ["report", str(p)], "holds no results"),
    (lambda p: ["run", "baseline", "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1"],
     "cannot reach the Dask scheduler"),
    (lambda p: ["parameters", "--kind", "levers"], "unknown kind"),
    (lambda p: ["run", "baseline", "--replicates", "0"], "replicates"),
])
def test_user_errors_exit_2_with_a_message_and_no_traceback(tmp_path, args, message):
    result = invoke(*args(tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_app_says_when_it_is_not_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "APP_MODULE", "no_such_app_module")
    result = invoke("app")
    assert result.exit_code == 2 and "not installed" in result.output


def test_app_serves_on_loopback_unless_told_otherwise(monkeypatch):
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: calls.append(argv))
    assert invoke("app").exit_code == 0
    assert invoke("app", "--host", "0.0.0.0", "--port", "9000").exit_code == 0
    assert [argv[1:] for argv in calls] == [["-m", "viz", "--host", "127.0.0.1", "--port", "8765"],
                                           ["-m", "viz", "--host", "0.0.0.0", "--port", "9000"]]


def test_the_installed_command_reports_errors_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments.cli", "run", bad_file(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: invalid scenario:") and "Traceback" not in done.stderr


def test_run_reports_chance_and_parameter_parts_and_drivers():
    result = invoke("run", "regional_plan", "-r", "4", "--scale", "0.002", "--horizon", "2025-12",
                    "--target-month", "2025-12", "--decision-month", "none",
                    "--workers", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert "chance and what the calibration targets could not pin down" in result.output
    assert "coverage 2025-12: chance" in result.output and "Rp: parameters" in result.output
    assert "What drives each policy's effect" in result.output
    # 4 replicates: the split and the ranking would be noise ("±0.0%", rho ±1.00): said instead
    assert "n/a (<16 replicates)" in result.output and "±0.0%" not in result.output
    assert "regional_plan: not ranked: 4 replicates, at least 16 needed" in result.output


def test_run_with_chance_only_says_the_parameters_were_not_varied():
    result = invoke("run", "regional_plan", "-r", "2", "--scale", "0.002", "--horizon", "2025-12",
                    "--target-month", "2025-12", "--decision-month", "none",
                    "--workers", "1", "--quiet", "--uncertainty", "chance")
    assert result.exit_code == 0, result.output
    assert "not varied" in result.output and "What drives" not in result.output


def test_run_rejects_an_unknown_uncertainty():
    result = invoke("run", "baseline", "-r", "2", "--uncertainty", "all")
    assert result.exit_code == 2 and "chance, parameters, both" in result.output
