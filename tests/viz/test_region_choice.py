"""The Compare page's region: checked on the server against the regions of model/data/regions/
and the office, whatever the page sends; a chosen region reaches every scenario of the run."""

import pytest

from experiments import limits
from model import data
from viz import backend

ALLOWED = ", ".join([*data.region_ids(), "kanwil"])


@pytest.mark.parametrize("forged", ["../x", "<b>", "kanwil2", "", "SUMSEL", None, 3, ["jambi"]])
def test_a_forged_region_is_refused_with_one_message_naming_the_allowed(forged):
    with pytest.raises(limits.LimitError) as error:
        backend.check_region(forged)
    message = str(error.value)
    assert message.startswith("region: ") and message.endswith(f"allowed: {ALLOWED}")
    assert "\n" not in message


def test_check_request_refuses_a_forged_region_before_anything_runs():
    runs = list(backend.builtin_scenarios().values())[:2]
    with pytest.raises(limits.LimitError, match="region: '../x' is not offered"):
        backend.check_request(2, 1, 0.005, runs, "chance", "../x")


@pytest.mark.parametrize("region", [*data.region_ids(), "kanwil"])
def test_every_offered_region_passes_and_overrides_every_scenario(region):
    builtins = backend.builtin_scenarios()
    runs = backend.in_region(backend.with_baseline([builtins["regional_plan"]], builtins), region)
    assert {s.region for s in runs} == {region} and len(runs) == 2
    backend.check_request(2, 1, 0.005, runs, "chance", region)


def test_the_kanwil_map_holds_the_three_provinces_regencies():
    places, shapes = backend.region_places("kanwil")
    assert len(places) == len(shapes) == sum(len(data.regencies(r)) for r in data.region_ids())
    assert set(places["bps_code"].astype(str)) == {s.bps_code for s in shapes}
    assert "Kota Jambi" in set(places["regency"])


def test_a_kanwil_comparison_has_the_office_row_each_province_and_one_map_of_38():
    from experiments.executors import SerialExecutor
    from viz import charts

    builtins = backend.builtin_scenarios()
    result = backend.compare([builtins["baseline"], builtins["regional_plan"]], 1, 0.005,
                             executor=SerialExecutor(), region="kanwil")
    assert result.region == "kanwil" and result.failures.empty
    assert result.target[0] != backend.TARGET                  # the office's weighted target, not Sumsel's
    assert list(backend.summary(result)["scenario"]) == ["baseline", "regional_plan"]
    provinces = backend.province_summaries(result)
    assert list(provinces) == sorted(data.region_ids())
    assert provinces["jambi"][0] == (0.55, "2027-12")
    places, shapes = backend.region_places("kanwil")
    month = charts.month_shown(result.results.regency, result.target[1])
    fig = charts.regency_choropleth_figure(result.results.regency, places, shapes, month, "regional_plan")
    filled = [t for t in fig.data if t.fill == "toself"]
    assert len(filled) == 38 and "Kota Jambi" in fig.data[-1].text and "Kota Palembang" in fig.data[-1].text
