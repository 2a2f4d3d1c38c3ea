"""viz/plan_timeline.py: the recommended plan's levers month by month and its spend by budget
year and payer, as the Plan page shows them, in both languages."""

import pandas as pd

from experiments import optimize as opt
from experiments.optimize.space import lever_values, scenario_of, space
from viz import plan_timeline

PROBLEM = """
name = "p"
[objective]
goal = "min_spend"
month = "2028-03"
[levers.perisai_agents]
high = 1500
periods = "half_year"
[levers.subsidy_budget_idr]
high = 1e10
by_regency = true
periods = "budget_year"
[search]
trials = 2
rungs = [{ scale = 0.005, replicates = 1 }]
"""


def plan():
    problem = opt.parse_problem(PROBLEM, "p.toml")
    params = {k: 0.0 for k in space(problem)}
    params.update({"perisai_agents@2027H1": 100.0, "perisai_agents@2027H2": 900.0, "perisai_agents@2028H1": 400.0,
                   "subsidy_budget_idr[Lahat]@2027": 2e9, "subsidy_budget_idr[PALI]@2028": 5e8})
    return problem, scenario_of(problem, lever_values(problem, params), problem.search.rungs[0], "p_0001")


def test_the_timeline_has_a_row_per_lever_and_funded_regency_and_a_column_per_month():
    problem, scenario = plan()
    assert plan_timeline.plan_months(problem)[0] == "2027-01" and plan_timeline.plan_months(problem)[-1] == "2028-03"
    fig = plan_timeline.timeline_figure(problem, scenario, 1, "en")
    heat = fig.data[0]
    assert list(heat.y) == ["Perisai agents", "Subsidy budget: Lahat", "Subsidy budget: PALI"]   # unfunded left out
    assert len(heat.x) == 15 and heat.x[0] == "Jan 2027" and heat.x[-1] == "Mar 2028"
    agents = heat.text[0]
    assert agents[0] == "Perisai agents, Jan 2027: 100" and agents[6] == "Perisai agents, Jul 2027: 900"
    assert heat.z[0][6] == 1.0 and heat.z[0][0] == 100 / 900                  # a share of the row's largest
    assert heat.text[1][0] == "Subsidy budget: Lahat, Jan 2027: Rp 2 bn" and heat.z[1][12] == 0.0
    assert heat.text[2][12] == "Subsidy budget: PALI, Jan 2028: Rp 500 m"
    indonesian = plan_timeline.timeline_figure(problem, scenario, 1, "id").data[0]
    assert indonesian.x[4] == "Mei 2027" and indonesian.text[1][0].endswith("Rp 2 miliar")


def test_the_spend_table_has_a_total_per_year_then_each_payer():
    table = pd.DataFrame([{"year": 2027, "payer": "BPJS Ketenagakerjaan (Kanwil Sumbagsel)", "kind": "office",
                           "spend_idr": 3e9},
                          {"year": 2027, "payer": "Lahat", "kind": "regency", "spend_idr": 2e9},
                          {"year": 2028, "payer": "PALI", "kind": "regency", "spend_idr": 1.25e8}])
    rows = plan_timeline.spend_rows(table, "en")
    assert list(rows["Payer"]) == ["Total 2027", "BPJS Ketenagakerjaan (Kanwil Sumbagsel)", "Lahat",
                                   "Total 2028", "PALI"]
    assert list(rows["Spend"]) == ["Rp 5 bn", "Rp 3 bn", "Rp 2 bn", "Rp 125 m", "Rp 125 m"]
    assert list(rows.index) == [1, 2, 3, 4, 5]
    ids = plan_timeline.spend_rows(table, "id")
    assert list(ids.columns) == ["Tahun anggaran", "Pembayar", "Siapa", "Belanja"]
    assert ids["Pembayar"].iloc[0] == "Total 2027" and ids["Siapa"].iloc[2] == "pemerintah kabupaten/kota"
    assert ids["Belanja"].iloc[0] == "Rp 5 miliar"
