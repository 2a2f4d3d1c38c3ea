"""Input that is not what it should be (bytes, nesting, devices, text for numbers, windows
outside the run) ends in exit 2 and one message naming the file, line and key: never a
traceback, never a silent acceptance."""

import pytest
from typer.testing import CliRunner

from experiments import cli
from experiments.errors import MAX_INPUT_BYTES
from experiments.scenario import ScenarioError, parse_scenario
from model.settings import SettingsError, validate

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def write(folder, name, content):
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def deep(levels):
    return "a = " + "[" * levels + "1" + "]" * levels + "\n"


@pytest.mark.parametrize("command", ["scenarios", "run", "sweep"])
@pytest.mark.parametrize("content, message", [
    (b'name = "caf\xe9"\n', ":1: not UTF-8 text"),
    (b'name = "x"\n\n# \xff\xfe\n', ":3: not UTF-8 text"),
    (deep(3000), "nested deeper than"),           # RecursionError in tomllib
    (deep(200), "nested deeper than"),            # parses, but too deep for the validators
    (b"x" * (MAX_INPUT_BYTES + 1), "larger than"),
])
def test_unreadable_input_files_exit_2_naming_the_file(tmp_path, command, content, message):
    path = write(tmp_path, "in.toml", content)
    extra = ["--out", tmp_path / "o"] if command == "sweep" else []
    result = invoke(command, path, *extra)
    assert result.exit_code == 2, result.output
    assert "in.toml" in result.output and message in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize("base", ["/proc/self/mem", "/dev/zero", "/tmp"])
def test_a_base_that_is_no_regular_file_is_refused(tmp_path, base):
    path = write(tmp_path, "s.toml", f'base = "{base}"\n')
    result = invoke("scenarios", path)
    assert result.exit_code == 2 and base in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("device", ["/dev/zero", "/proc/self/mem"])
def test_a_sweep_file_that_is_a_device_is_refused(tmp_path, device):
    result = invoke("sweep", device, "--out", tmp_path / "o")
    assert result.exit_code == 2 and device in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", ['"1e9"', '"1000"', "true"])
def test_text_for_a_number_is_rejected_in_a_table_as_for_a_plain_number(value):
    for form in (f"subsidy_budget_idr = {value}", f"subsidy_budget_idr = {{ Lahat = {value} }}",
                 f'subsidy_budget_idr = [{{ from = "2025-01", value = {{ Lahat = {value} }} }}]'):
        with pytest.raises(ScenarioError, match="subsidy_budget_idr") as error:
            parse_scenario(f"[levers.subsidy]\n{form}\n", "s.toml")
        assert "s.toml:2" in str(error.value)


def test_model_settings_reject_text_for_numbers_in_tables():
    with pytest.raises(SettingsError, match="Lahat"):
        validate({"subsidy_budget_idr": {"Lahat": "1e9"}})
    assert validate({"subsidy_budget_idr": {"Lahat": 1e9}})["subsidy_budget_idr"] == {"Lahat": 1e9}


@pytest.mark.parametrize("window", [
    'from = "2026-01"',                   # begins after the horizon
    'to = "2024-08"',                     # ends at month 0: levers act from month 1
    'from = "2023-01", to = "2024-02"',   # wholly before the data
])
def test_windows_wholly_outside_the_simulated_months_are_refused(window):
    text = f'horizon = "2025-06"\n[levers.market]\nperisai_agents = [{{ {window}, value = 1500 }}]\n'
    with pytest.raises(ScenarioError, match="outside the simulated months") as error:
        parse_scenario(text, "s.toml")
    assert "s.toml:3: levers.market.perisai_agents" in str(error.value)


def test_a_window_that_acts_for_one_month_is_accepted():
    text = '[levers.market]\nperisai_agents = [{ from = "2030-12", value = 1500 }, { to = "2020-01", value = 1 }]\n'
    assert parse_scenario(text, "s.toml").settings["perisai_agents"][0]["from"] == "2030-12"


def test_a_horizon_that_ends_before_every_window_is_refused_on_the_command_line():
    result = invoke("run", "market_ecosystem", "--horizon", "2024-10", "-r", "1")
    assert result.exit_code == 2 and "perisai_agents" in result.output, result.output


HUGE_GRID = """name = "huge"
scenarios = ["baseline"]
replicates = 1000
scale = 0.003
[factors.stop_rate]
levels = 1000000
[factors.perisai_agents]
levels = 1000000
"""


@pytest.mark.parametrize("levels, extra, message", [
    (1000000, [], "1,000,000,000,000,000 runs"),
    (1000000, ["--yes"], "the most one request may plan is 200,000 runs"),
    (100, [], "1,000,000 runs"),
    (10, [], "above 5,000 runs it must be confirmed: add --yes to start it"),
])
def test_a_huge_design_is_refused_with_its_estimate_before_it_is_built(tmp_path, levels, extra, message):
    text = HUGE_GRID.replace("1000000", str(levels)).replace("replicates = 1000", "replicates = 100")
    path = write(tmp_path, "huge.toml", HUGE_GRID if levels == 1000000 else text)
    result = invoke("sweep", path, "--out", tmp_path / "o", *extra)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "MB of results" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, message", [
    (["--scale", "1e-9"], "scale: 1e-09 is outside the allowed range; allowed: a number from 0.00096"),
    (["--scale", "0.0005"], "50 workers in the smallest regency"),
    (["-r", "1000001"], "replicates: 1,000,001 is outside the allowed range"),
    (["--horizon", "2099-12"], "no later than 2040-12"),
    (["--target-month", "13-2025"], "--target-month: '13-2025' is not a month"),
    (["--target-month", "2024-01"], "--target-month: 2024-01 is outside the allowed months"),
])
def test_limits_are_checked_before_the_first_run(tmp_path, args, message):
    result = invoke("run", "baseline", "-r", "1", "--scale", "0.003", *args, "--out", tmp_path / "o")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not list(tmp_path.rglob("*.parquet"))


def test_report_checks_the_target_month_first(tmp_path):
    result = invoke("report", tmp_path, "--target-month", "2025-13")
    assert result.exit_code == 2 and "--target-month" in result.output


@pytest.mark.parametrize("port", ["99999", "0", "abc", "-1"])
def test_the_app_refuses_a_port_out_of_range_with_one_line(port, capsys):
    from viz.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["--port", port])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "allowed: a whole number from 1 to 65535" in err


def test_a_sweep_factor_window_after_the_horizon_is_refused(tmp_path):
    path = write(tmp_path, "s.toml", 'name = "s"\nscenarios = ["baseline", "market_ecosystem"]\n'
                 'horizon = "2025-06"\nscale = 0.003\n[factors.perisai_agents]\nvalues = [600, 1800]\n'
                 'from = "2026-01"\n')
    result = invoke("sweep", path, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert "factors.perisai_agents: from/to: every window lies outside the simulated months" in result.output
