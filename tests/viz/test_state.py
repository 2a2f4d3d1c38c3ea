"""The compare page's session state: copies are selected and opened, a rejected edit is
reported and loses nothing, uploads cannot shadow a built-in."""

import pytest

from viz import backend, state


@pytest.fixture(autouse=True)
def fresh_state():
    yield
    state.scenarios.value = dict(state.BUILTINS)
    state.selected.value = state.DEFAULT_SELECTION
    state.editing.value = state.message.value = None


def test_duplicate_selects_and_opens_the_copy():
    state.duplicate("socialization")
    assert state.editing.value == "socialization_copy"
    assert state.selected.value == (*state.DEFAULT_SELECTION, "socialization_copy")
    assert state.scenarios.value["socialization_copy"].settings == state.BUILTINS["socialization"].settings
    state.toggle("socialization_copy", False)
    assert "socialization_copy" not in state.selected.value


def test_a_rejected_edit_is_reported_and_keeps_the_last_good_value():
    state.duplicate("market_ecosystem")
    state.set_lever("market_ecosystem_copy", "perisai_agents", 2500.0)
    state.set_lever("market_ecosystem_copy", "perisai_agents", 99_999.0)
    assert "perisai_agents" in state.message.value and "above the maximum" in state.message.value
    assert state.scenarios.value["market_ecosystem_copy"].settings["perisai_agents"] == 2500.0
    assert state.scenarios.value["market_ecosystem"] is state.BUILTINS["market_ecosystem"]


def test_an_upload_cannot_replace_a_built_in():
    upload = backend.parse_upload("b.toml", b'name = "baseline"\nbase = "baseline"\n')
    with pytest.raises(backend.UserError, match="name of a built-in scenario"):
        state.add_scenario(upload)
    assert state.scenarios.value["baseline"] is state.BUILTINS["baseline"]
