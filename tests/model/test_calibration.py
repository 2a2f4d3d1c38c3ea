"""Month 0 reproduces the chosen data set, up to sampling noise (facts.md, datasets.toml)."""

import pytest

from model import data
from tests.helpers import run


@pytest.mark.parametrize("name", ["office-2024-08", "article"])
@pytest.mark.parametrize("scale", [0.01, 0.05])
def test_month0_matches_data_set(name, scale):
    ds = data.data_set(name)
    row = run(scale=scale, seed=7, data_set=name, horizon="2024-09").results().iloc[0]
    assert row["month"] == "2024-08"
    assert row["workers"] == pytest.approx(ds.eligible_workers, rel=1e-9)
    assert row["coverage"] == pytest.approx(0.34, abs=0.003)
    assert row["active"] == pytest.approx(ds.active_total, rel=0.01)
    assert row["active_informal"] == pytest.approx(ds.active_informal, rel=0.01)
    assert row["active_wage"] == pytest.approx(ds.active_wage, rel=0.01)
    assert row["active_construction"] == pytest.approx(ds.active_construction, rel=0.01)


def test_the_two_data_sets_differ_as_documented():
    office, article = data.data_set("office-2024-08"), data.data_set("article")
    assert office.active_total == 1_033_000
    assert office.eligible_workers == pytest.approx(3.04e6, rel=0.005)
    assert article.active_total == 1_300_000
    assert article.eligible_workers == pytest.approx(3.82e6, rel=0.005)


def test_month0_is_the_same_whatever_the_levers():
    plan = run(seed=3, horizon="2024-09", perisai_agents=3000, subsidy_budget_idr=5e10,
               subsidy_eligible=["informal"], villages_per_month=200)
    base = run(seed=3, horizon="2024-09")
    assert plan.results().iloc[0].drop("perisai_agents_active").equals(
        base.results().iloc[0].drop("perisai_agents_active"))


def test_status_quo_subsidies_and_vulnerable_workers(baseline):
    row = baseline.results().iloc[0]
    expected = sum(p["beneficiaries"] for p in data.subsidies()["regency"])
    expected += data.subsidies()["province"]["beneficiaries"]
    assert row["subsidised"] == pytest.approx(expected, rel=0.02)
    pop = baseline.pop
    assert pop.vulnerable.sum() * pop.weight == pytest.approx(400_000, rel=0.01)


def test_regency_weights_follow_population(baseline):
    table = baseline.regency_table()
    first = table[table.month == "2024-08"].set_index("regency")
    population = data.regencies().set_index("regency")["population"]
    share = first["workers"] / first["workers"].sum()
    assert (share - population / population.sum()).abs().max() < 0.002


def test_baseline_stays_in_the_spread_of_published_figures():
    """Status quo: coverage stays within the 2024-2025 spread of published figures (31-37%)."""
    frame = run(scale=0.05, seed=11, horizon="2025-12").results().set_index("month")
    for month in ["2024-09", "2025-04", "2025-08", "2025-12"]:
        assert 0.30 <= frame.loc[month, "coverage"] <= 0.38, month
