"""`python -m viz` serves the app file with solara, on 127.0.0.1:8765 unless told otherwise."""

import sys

import pytest

from viz import __main__ as launch


def test_command_runs_solara_on_the_app_in_production_mode():
    argv = launch.command()
    assert argv[:4] == [sys.executable, "-m", "solara", "run"]
    assert argv[4].endswith("viz/app.py")
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and argv[argv.index("--port") + 1] == "8765"
    assert "--production" in argv


def test_host_and_port_are_passed_through(monkeypatch):
    calls = []
    monkeypatch.setattr(launch, "supervise", lambda argv, env: calls.append((argv, env)) or 0)
    with pytest.raises(SystemExit) as exited:
        launch.main(["--host", "0.0.0.0", "--port", "9001"])
    assert exited.value.code == 0
    argv, env = calls[0]
    assert argv[argv.index("--host") + 1] == "0.0.0.0" and argv[argv.index("--port") + 1] == "9001"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
