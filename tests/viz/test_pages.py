"""The compare page's result components rendered without a browser (solara.render): failed
runs are listed above the results, and scenarios that end before the target month still show."""

import ipyvuetify as v
import pytest
import solara
from plotly.graph_objs import FigureWidget

from tests.viz.test_backend import LosesSocialization
from viz import backend, state
from viz.pages import compare


@pytest.fixture
def short_comparison():
    """Three scenarios ending in 2025-06 (before the 2025-12 target month); one loses its runs."""
    builtins = backend.builtin_scenarios()
    chosen = [builtins[n].override(horizon="2025-06") for n in ("baseline", "socialization", "sme_partnerships")]
    result = backend.compare(chosen, 1, 0.005, executor=LosesSocialization())
    state.comparison.value = result
    yield result
    state.comparison.value = None


def test_failed_runs_are_listed_and_the_others_shown(short_comparison):
    _, rc = solara.render(compare.Problems(), handle_error=False)
    alerts = [str(w.children) for w in rc.find(v.Alert).widgets]
    assert len(alerts) == 1 and "socialization replicate 0: RuntimeError: worker process died" in alerts[0]
    _, rc = solara.render(compare.Results(), handle_error=False)
    # interactive charts: coverage, formal/informal, channels, spend, regency
    assert len(rc.find(FigureWidget).widgets) == 5
    table = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert ">baseline</td>" in table and ">sme_partnerships</td>" in table and "socialization<" not in table


def test_runs_ending_before_the_target_month_show_dashes_and_their_last_month(short_comparison):
    _, rc = solara.render(compare.Results(), handle_error=False)
    table = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert "nan" not in table and '<td data-column="coverage_interval">–</td>' in table
    _, rc = solara.render(compare.RegencyView(short_comparison), handle_error=False)
    assert "Coverage by regency, Jun 2025" in [w.children[0] for w in rc.find(v.CardTitle).widgets]
