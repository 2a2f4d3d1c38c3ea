"""Start the app: `python -m viz [--host 127.0.0.1] [--port 8765]` (what `./dev.sh app` and
`cakupan app` run). Serves on the loopback address unless told otherwise: the app has no login.

This process supervises the server: solara runs as its child in a process group of its own
(with the pool's workers and the upload checks under it). On SIGINT (Ctrl+C) or SIGTERM the
server is asked to stop (SIGTERM to the group); whatever of the group is still there after
STOP_SECONDS - a thread busy on a request keeps a server from exiting - is killed (SIGKILL),
so the app always stops, with its children."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).with_name("app.py")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
STOP_SECONDS = 10.0   # how long the server's group may take to stop before it is killed


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The solara command line that serves the app (production mode: no reloader)."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open"]


def environment() -> dict[str, str]:
    """The process environment plus: no usage telemetry (the machine is offline anyway)."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def port(text: str) -> int:
    """A TCP port number, 1 to 65535 (argparse type)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port; allowed: a whole number from 1 to 65535")
    return number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """One line and exit 2 (as every cakupan command), not the usage block."""
        self.exit(2, f"error: {message}\n")


def main(argv: list[str] | None = None) -> None:
    parser = _Parser(prog="python -m viz", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port, 1 to 65535 (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    print(f"cakupan app on http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    sys.exit(supervise(command(args.host, args.port), environment()))


def supervise(argv: list[str], env: dict[str, str] | None = None, grace: float = STOP_SECONDS) -> int:
    """Run `argv` in a new process group until it exits or this process gets SIGINT or SIGTERM;
    then stop the whole group (SIGTERM, and SIGKILL after `grace` seconds). The server's exit
    code, or 0 when it was stopped on request."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server = subprocess.Popen(argv, env=env, start_new_session=True)
        while server.poll() is None and not stop.wait(0.2):
            pass
        _stop_group(server, grace)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0 if stop.is_set() else server.returncode


def _stop_group(server: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the server's process group, SIGKILL to what is left of it after `grace` s."""
    for number, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(server.pid, number)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            server.poll()                       # reap the server, so only live members count
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            continue
        break
    server.wait()


if __name__ == "__main__":
    main()
