"""cakupan's model: workers as numpy arrays, behaviours as small functions, Mesa for the actors.

`from model import EnrollmentModel` imports the model on first use (PEP 562), so importing any
submodule of model/ (or agents/, which import model submodules) never imports the whole model
first: every module imports alone (tests/test_architecture.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.model import EnrollmentModel

__all__ = ["EnrollmentModel"]


def __getattr__(name: str) -> Any:
    if name == "EnrollmentModel":
        from model.model import EnrollmentModel
        return EnrollmentModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
