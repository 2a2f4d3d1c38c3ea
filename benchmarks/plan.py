"""The settings the benchmarks run: the combined regional plan, and the rules-only setting used
to compare the model with the object-per-agent reference.

REGIONAL_PLAN mirrors the scenario library's combined regional plan
(`experiments/library/regional_plan.toml`, written in parallel) until benchmarks can load that
file. Its subsidy budgets are written as *non-overlapping* windows that each list every
programme running in those months: a later window replaces a whole month's row, and a table
keeps every regency it does not name at the status quo (model/levers.py), so overlapping
windows that each name only the newly added regency would drop the earlier ones.
"""

from __future__ import annotations

# Regency programmes of the plan, cumulative as they start (yearly budgets in rupiah).
_FROM_2025_01 = {"OKU Timur": 1.6e9, "Lahat": 4.35456e9, "Musi Rawas Utara": 1.65312e9}
_FROM_2025_06 = {**_FROM_2025_01, "PALI": 1.3104e9}
_FROM_2025_07 = {**_FROM_2025_06, "Musi Banyuasin": 9.072e9}
_FROM_2025_09 = {**_FROM_2025_07, "Ogan Komering Ilir": 15.3216e9}
_2025_Q4 = {**_FROM_2025_09, "Muara Enim": 1.34946e9}   # Muara Enim funds Oct-Dec 2025 only

REGIONAL_PLAN: dict = dict(
    villages_per_month=[{"from": "2025-01", "value": 60}],
    perisai_agents=[{"from": "2025-01", "value": 1500}],
    firms_per_month=300, inspections_per_month=100, campaign_reach_per_month=150_000,
    digital_payment_share=0.4, registration_assistance=0.3,
    palm_subsidy_budget_idr=[{"from": "2025-01", "value": 7.2576e9}],
    subsidy_budget_idr=[
        {"to": "2024-12", "value": {"OKU Timur": 0.940464e9}},   # = the status quo
        {"from": "2025-01", "to": "2025-05", "value": _FROM_2025_01},
        {"from": "2025-06", "to": "2025-06", "value": _FROM_2025_06},
        {"from": "2025-07", "to": "2025-08", "value": _FROM_2025_07},
        {"from": "2025-09", "to": "2025-09", "value": _FROM_2025_09},
        {"from": "2025-10", "to": "2025-12", "value": _2025_Q4},
        {"from": "2026-01", "value": _FROM_2025_09},
    ],
)

# The real model with only the rules the reference implements (benchmarks/reference_model.py):
# informal awareness from peers, take-up with friction, stopping, lapsing and resuming. Every
# other channel is off; month-0 subsidised workers become self-payers who keep paying in month 1
# (post_subsidy_retention = 1), and no one changes jobs, so the informal workforce is fixed.
REFERENCE_RULES: dict = dict(
    perisai_agents=0, villages_per_month=0, campaign_reach_per_month=0,
    firms_per_month=0, inspections_per_month=0,
    subsidy_budget_idr=0, palm_subsidy_budget_idr=0, post_subsidy_retention=1.0,
    digital_payment_share=0, job_separation_rate=0,
)
