import pytest

from tests.helpers import run


@pytest.fixture(scope="session")
def baseline():
    """The status-quo run at the small test scale, seed 1."""
    return run()
