"""Work on uploaded input, done in a child process with a time budget.

The app checks an uploaded scenario (`backend.parse_upload`) in a process of its own: the page's
thread only waits, at most `seconds`, and then the child is killed, so no input can keep a
server core busy after the page has given up on it, and a closed page leaves nothing running.
Children are forked from the forkserver that the app's pool also uses (experiments/ already
imported there, so a check starts in milliseconds) and die with the app (PR_SET_PDEATHSIG and a
thread watching the app's pid, as the pool's workers do).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from typing import Any, Callable

from experiments.errors import UserError
from experiments.executors import _worker_start

_METHOD = "forkserver" if sys.platform.startswith("linux") else "spawn"
_CONTEXT = multiprocessing.get_context(_METHOD)
if _METHOD == "forkserver":
    _CONTEXT.set_forkserver_preload(["experiments.runner"])   # the pool's preload (viz/pool.py)


class OverBudget(UserError):
    """The work took longer than its budget and was stopped."""


def run(fn: Callable[..., Any], args: tuple, seconds: float, what: str) -> Any:
    """fn(*args) in a child process: its result, or the UserError it raised (same type), or
    OverBudget naming `what` when `seconds` pass first (the child is then killed). `fn` must be
    a module-level function (the child imports it by name); an unexpected error in the child
    becomes a RuntimeError carrying the child's traceback (the app logs it under an id)."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, fn, args, os.getpid()), daemon=True,
                             name="cakupan-check")
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise OverBudget(f"{what}: checking took longer than {seconds:g} s and was stopped; a scenario"
                             " file is a few hundred lines of TOML")
        kind, value = receiver.recv()
    except EOFError:
        raise RuntimeError(f"{what}: the checking process ended without an answer "
                           f"(exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if kind == "error":
        raise value
    if kind == "bug":
        raise RuntimeError(f"{what}: unexpected error while checking:\n{value}")
    return value


def _child(sender, fn: Callable[..., Any], args: tuple, parent: int) -> None:
    _worker_start(parent)
    try:
        answer: tuple[str, Any] = ("ok", fn(*args))
    except UserError as error:
        answer = ("error", error)
    except BaseException:
        answer = ("bug", traceback.format_exc())
    try:
        sender.send(answer)
    except Exception:       # an error that does not pickle: its message, as an UploadError-like text
        sender.send(("error", UserError(str(answer[1]))))
    sender.close()
