"""./dev.sh waits (bounded) for another apt or dpkg holding the package lock, then says what to
do, instead of stopping with apt's exit 100 and no hint. apt-get and sudo are stand-ins on PATH."""

import os
import subprocess
from pathlib import Path

DEV_SH = Path(__file__).resolve().parents[2] / "dev.sh"
FAKE_APT = """#!/bin/sh
n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"
if [ "$n" -le "$FAILS" ]; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 123 (apt)" >&2; exit 100
fi
if [ "$FAILS" = "other" ]; then echo "E: Unable to locate package nope" >&2; exit 100; fi
echo "apt-get $*"
"""


def apt_get(tmp_path, fails, wait="30"):
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "apt-get"
    fake.write_text(FAKE_APT)
    fake.chmod(0o755)
    sudo = tmp_path / "bin" / "sudo"      # as a user the script calls sudo apt-get
    sudo.write_text('#!/bin/sh\nexec "$@"\n')
    sudo.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "COUNTER": str(tmp_path / "n"),
           "FAILS": str(fails), "APT_LOCK_WAIT": wait, "APT_LOCK_POLL": "0.05"}
    result = subprocess.run(["bash", "-c", f'source "{DEV_SH}"; apt_get install -y chromium'],
                            capture_output=True, text=True, env=env, timeout=120)
    return result, int((tmp_path / "n").read_text())


def test_a_held_lock_is_waited_for(tmp_path):
    result, attempts = apt_get(tmp_path, fails=3)
    assert result.returncode == 0 and "install -y chromium" in result.stdout, result.stderr
    assert attempts == 4 and result.stderr.count("waiting for another apt/dpkg") == 3


def test_a_lock_held_too_long_ends_with_what_to_do(tmp_path):
    result, _ = apt_get(tmp_path, fails=10**6, wait="0")
    assert result.returncode == 1
    assert "still holds the package lock" in result.stderr and "run ./dev.sh again" in result.stderr


def test_other_apt_errors_are_not_retried(tmp_path):
    result, attempts = apt_get(tmp_path, fails="other")
    assert result.returncode == 1 and attempts == 1 and "Unable to locate package" in result.stderr
