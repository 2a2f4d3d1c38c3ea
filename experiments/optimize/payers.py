"""The recommended plan's spend by budget year and payer: what a Bappeda needs for its budget
proposal. From the plan's runs at the last rung (the same seeds and draws as its metrics), the
months from the decision month to the objective's, summed per calendar year (the APBD's year)
and averaged over the replicates:

- the office (BPJS Ketenagakerjaan): every item but the subsidies (Perisai agents, campaigns,
  villages, firm partnerships and inspections, pilots), as evaluate.LOCAL_SPEND splits it;
- each regency's government: its own subsidy budget (the regency table's `spend_idr`);
- the province: its own programme (the subsidy spend the regencies' budgets do not pay: South
  Sumatra's palm fund, Jambi's and Bengkulu's provincial programmes; for the Kanwil the three
  provinces' together).

A year the plan covers only in part is the spend of its months (the budget year's remaining
months are not in the plan), so the rows add up to the plan's spend over its months.
"""

from __future__ import annotations

import pandas as pd

from experiments import office
from experiments.optimize.evaluate import LOCAL_SPEND
from experiments.optimize.problem import OptProblem
from model import data

COLUMNS = ["year", "payer", "kind", "spend_idr"]
OFFICE, REGENCY, PROVINCE = "office", "regency", "province"


def spend_by_year(problem: OptProblem, outputs: pd.DataFrame, regency: pd.DataFrame) -> pd.DataFrame:
    """Rows (year, payer, kind, spend_idr): the office, each regency with spend, the province,
    per budget year of the plan's months; means over replicates (rupiah)."""
    plan_months = problem.plan_months(outputs)
    years = plan_months["month"].str[:4].astype(int)
    n = max(1, plan_months["replicate"].nunique())
    total = plan_months.groupby(years)["spend_idr"].sum() / n
    local = sum(plan_months.groupby(years)[c].sum() for c in LOCAL_SPEND) / n
    own = problem.plan_months(regency)
    by_regency = own.groupby([own["month"].str[:4].astype(int), "regency"])["spend_idr"].sum() / \
        max(1, own["replicate"].nunique())
    rows = []
    for year in total.index:
        rows.append({"year": int(year), "payer": office_payer(problem), "kind": OFFICE,
                     "spend_idr": float(total[year] - local[year])})
        regencies = by_regency[year] if year in by_regency.index.get_level_values(0) else pd.Series(dtype=float)
        for name, spend in regencies.items():
            if spend > 0:
                rows.append({"year": int(year), "payer": str(name), "kind": REGENCY, "spend_idr": float(spend)})
        province = float(local[year] - regencies.sum())
        if province > 1.0:          # rupiah: what the regencies' budgets do not explain
            rows.append({"year": int(year), "payer": province_payer(problem), "kind": PROVINCE,
                         "spend_idr": province})
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["year", "kind", "spend_idr"], ascending=[True, True, False],
                           key=lambda c: c.map({OFFICE: 0, PROVINCE: 1, REGENCY: 2}) if c.name == "kind" else c,
                           kind="stable").reset_index(drop=True)


def office_payer(problem: OptProblem) -> str:
    region = problem.base.region
    name = "Kanwil Sumbagsel" if region == office.OFFICE else (data.load(region).office or data.load(region).name)
    return f"BPJS Ketenagakerjaan ({name})"


def province_payer(problem: OptProblem) -> str:
    region = problem.base.region
    if region == office.OFFICE:
        return ", ".join(data.load(r).province_payer for r in office.provinces())
    return data.load(region).province_payer
