"""cakupan's model: workers as numpy arrays, behaviours as small functions, Mesa for the actors."""

from model.model import EnrollmentModel

__all__ = ["EnrollmentModel"]
