"""Start the app: `python -m viz [--host 127.0.0.1] [--port 8765]` (what `./dev.sh app` and
`cakupan app` run). Serves on the loopback address unless told otherwise: the app has no login."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


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
    os.execve(sys.executable, command(args.host, args.port), environment())


if __name__ == "__main__":
    main()
