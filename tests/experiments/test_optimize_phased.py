"""Plans by period (issue 22 item 5): a lever with `periods` gets one value per budget year or
half-year from the decision month, as windows of months; the search finds a known phased
optimum; the recommended plan's spend is reported by budget year and payer."""

import pandas as pd
import pytest

from experiments import optimize as opt
from experiments.optimize.payers import spend_by_year
from experiments.optimize.space import lever_values, space, status_quo_params

PHASED = """
name = "phased"
[objective]
goal = "min_spend"
month = "{month}"
target = 0.5
probability = 0.5
[levers.campaign_reach_per_month]
low = 0
high = 300000
periods = "half_year"
[levers.villages_per_month]
low = 0
high = 200
[search]
trials = {trials}
batch = 8
rungs = [{{ scale = 0.005, replicates = 1 }}, {{ scale = 0.01, replicates = 2 }}]
sensitivity = false
"""


def phased(month="2027-12", trials=200):
    return opt.parse_problem(PHASED.format(month=month, trials=trials), "phased.toml")


def test_periods_run_from_the_decision_month_by_half_year_and_by_budget_year():
    problem = phased("2028-09")
    campaign = next(lever for lever in problem.levers if lever.name == "campaign_reach_per_month")
    assert problem.periods(campaign) == [("2027H1", "2027-01", "2027-06"), ("2027H2", "2027-07", "2027-12"),
                                         ("2028H1", "2028-01", "2028-06"), ("2028H2", "2028-07", "2028-09")]
    by_year = campaign.model_copy(update={"periods": "budget_year"})
    assert problem.periods(by_year) == [("2027", "2027-01", "2027-12"), ("2028", "2028-01", "2028-09")]
    dims = space(problem)
    assert sorted(dims) == ["campaign_reach_per_month@2027H1", "campaign_reach_per_month@2027H2",
                            "campaign_reach_per_month@2028H1", "campaign_reach_per_month@2028H2",
                            "villages_per_month"]
    values = lever_values(problem, {k: 1000.0 * (i + 1) for i, k in enumerate(sorted(dims))})
    assert values["campaign_reach_per_month"][1] == {"from": "2027-07", "to": "2027-12", "value": 2000.0}
    assert values["villages_per_month"] == 200.0          # 5,000 asked: clipped to its bound, set once
    # the status quo is the first candidate: every period at the base's value
    assert {status_quo_params(problem)[k] for k in dims if k.startswith("campaign")} == {20_000.0}


def test_a_lever_by_regency_and_budget_year_is_a_table_in_each_window():
    text = PHASED.format(month="2028-12", trials=4) + '[levers.subsidy_budget_idr]\nhigh = 1e10\nby_regency = true\n' \
        'periods = "budget_year"\n'
    problem = opt.parse_problem(text, "p.toml")
    dims = space(problem)
    assert "subsidy_budget_idr[Lahat]@2027" in dims and "subsidy_budget_idr[Lahat]@2028" in dims
    values = lever_values(problem, {k: 1e9 for k in dims})["subsidy_budget_idr"]
    assert [(w["from"], w["to"]) for w in values] == [("2027-01", "2027-12"), ("2028-01", "2028-12")]
    assert values[0]["value"]["Lahat"] == 1e9 and len(values[0]["value"]) == 17


@pytest.mark.parametrize("text, says", [
    ('decision_month = "none"\n', "counts periods from the decision month"),
    ('start = "2027-04"\n', "leave start out"),
])
def test_periods_need_a_decision_month_and_no_start(text, says):
    with pytest.raises(opt.ProblemError, match=says):
        opt.parse_problem(text + PHASED.format(month="2027-12", trials=4), "p.toml")


def test_an_unknown_period_names_the_allowed_ones():
    with pytest.raises(opt.ProblemError, match=r"p.toml:11: levers.campaign_reach_per_month.periods: Input should "
                                               r"be 'once', 'budget_year' or 'half_year'; got 'monthly'"):
        opt.parse_problem(PHASED.format(month="2027-12", trials=4).replace('"half_year"', '"monthly"'), "p.toml")


class PhasedToy:
    """Analytic stand-in: coverage at the objective month depends on the campaigns of the LAST
    half-year only (those of the first have lapsed by then), and every month's campaign costs.
    The cheapest plan reaching 50%: nothing in 2027H1, 100,000 a month in 2027H2, no villages
    (Rp 10 bn a year of spend for six months = Rp 5 bn)."""

    def __call__(self, scenarios, rung):
        out = []
        for s in scenarios:
            windows = s.settings["campaign_reach_per_month"]
            first, last = windows[0]["value"], windows[1]["value"]
            villages = s.settings["villages_per_month"]
            coverage = 0.3 + 0.2 * min(1.0, last / 100_000) + 0.1 * min(1.0, villages / 100)
            spend = (first * 6 + last * 6) * 1e5 / 12 + villages * 1e8
            out.append({"coverage": coverage, "coverage_mean": coverage, "coverage_at_p": coverage,
                        "p_target": float(coverage >= 0.5 - 1e-12), "spend_year_idr": spend,
                        "office_year_idr": spend, "local_year_idr": 0.0, "replicates": rung.replicates})
        return out


def test_the_search_finds_the_known_phased_optimum():
    outcome = opt.optimize(phased(), evaluator=PhasedToy())
    assert outcome.reachable
    plan = outcome.scenarios[int(outcome.recommended["trial"])].settings["campaign_reach_per_month"]
    first, last = plan[0]["value"], plan[1]["value"]
    assert first < 10_000                                # nothing needed before the last half-year
    assert last == pytest.approx(100_000, rel=0.05)
    assert outcome.recommended["spend_year_idr"] == pytest.approx(5e9, rel=0.15)


def test_spend_by_budget_year_and_payer_adds_up_to_the_plans_spend():
    problem = phased("2028-06")
    months = [f"{y}-{m:02d}" for y in (2026, 2027, 2028) for m in range(1, 13)]
    outputs = pd.DataFrame([{"replicate": r, "month": m, "spend_idr": 10.0 + 5.0 * r, "spend_subsidy_idr": 4.0}
                            for r in (0, 1) for m in months])
    regency = pd.DataFrame([{"replicate": r, "month": m, "regency": name, "spend_idr": amount}
                            for r in (0, 1) for m in months for name, amount in (("Lahat", 3.0), ("PALI", 0.0))])
    table = spend_by_year(problem, outputs, regency).set_index(["year", "kind"])
    assert sorted(set(table.index.get_level_values("year"))) == [2027, 2028]     # the history's 2026 left out
    assert table.loc[(2027, "office"), "spend_idr"] == pytest.approx(12 * (12.5 - 4.0))
    assert table.loc[(2027, "regency"), "payer"] == "Lahat"                     # PALI spends nothing: no row
    assert table.loc[(2027, "regency"), "spend_idr"] == pytest.approx(12 * 3.0)
    assert table.loc[(2027, "province"), "spend_idr"] == pytest.approx(12 * 1.0)
    assert "DBH Sawit" in table.loc[(2027, "province"), "payer"]
    assert table.loc[(2028, "office"), "spend_idr"] == pytest.approx(6 * 8.5)   # January to June 2028
    assert table.loc[2027, "spend_idr"].sum() == pytest.approx(12 * 12.5)       # every payer: the plan's spend
