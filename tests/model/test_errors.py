"""Invalid arguments give a clear message naming the setting and the allowed values."""

import pytest

from model import EnrollmentModel
from model.settings import SettingsError


def make(**kwargs):
    return EnrollmentModel(scale=0.002, seed=1, horizon="2024-10", **kwargs)


@pytest.mark.parametrize("kwargs, expected", [
    ({"perisai_agent": 10}, ["perisai_agent", "Did you mean 'perisai_agents'"]),
    ({"subsidy_budget_idr": -5}, ["subsidy_budget_idr", "below the minimum 0"]),
    ({"subsidy_share": 1.5}, ["subsidy_share", "above the maximum 1"]),
    ({"subsidy_budget_idr": {"Palembng": 1e9}}, ["Palembng", "Did you mean 'Kota Palembang'",
                                                 "Musi Banyuasin"]),
    ({"subsidy_eligible": ["farmers"]}, ["subsidy_eligible", "Did you mean 'farmer'",
                                         "palm_smallholder"]),
    ({"villages_per_month": [{"from": "2025-13", "value": 5}]}, ["villages_per_month[0].from",
                                                                  "YYYY-MM"]),
    ({"villages_per_month": [{"form": "2025-01", "value": 5}]}, ["villages_per_month", "from, to, value"]),
    ({"villages_per_month": [{"from": "2026-01", "to": "2025-01", "value": 5}]}, ["after"]),
    ({"perisai_agents": "many"}, ["perisai_agents", "expected a number"]),
    ({"take_up_rate": "high"}, ["take_up_rate", "expected a number"]),
    ({"subsidy_months": 2.5}, ["subsidy_months", "whole number"]),
    ({"pilot_unit": "villages"}, ["pilot_unit", "Did you mean 'village'"]),
])
def test_bad_settings_are_named(kwargs, expected):
    with pytest.raises(SettingsError) as error:
        make(**kwargs)
    for text in expected:
        assert text in str(error.value)


def test_all_problems_are_reported_at_once():
    with pytest.raises(SettingsError) as error:
        make(subsidy_share=2, perisai_agents=-1)
    assert len(error.value.problems) == 2


@pytest.mark.parametrize("kwargs, text", [
    ({"scale": 0}, "scale"), ({"scale": 1.5}, "scale"), ({"seed": -1}, "seed"),
    ({"seed": "x"}, "seed"), ({"data_set": "bps"}, "office-2024-08"),
    ({"horizon": "2024-08"}, "after"), ({"horizon": "2030"}, "YYYY-MM"),
])
def test_bad_model_arguments(kwargs, text):
    args = {"scale": 0.002, "seed": 1, "horizon": "2024-10", **kwargs}
    with pytest.raises(ValueError, match=text):
        EnrollmentModel(**args)


def test_aliases_and_numpy_values_are_accepted():
    import numpy as np
    model = make(subsidy_budget_idr={"muba": np.float64(1e9), "OKI": 2e9},
                 perisai_agents=np.int64(10))
    assert model.params["subsidy_budget_idr"] == {"Musi Banyuasin": 1e9, "Ogan Komering Ilir": 2e9}
