"""The settings the benchmarks run: the combined regional plan, and the rules-only setting used
to compare the model with the object-per-agent reference.

REGIONAL_PLAN is the scenario library's combined regional plan
(`experiments/library/regional_plan.toml`), read from there so there is one definition of it.
"""

from __future__ import annotations

from experiments.scenario import load_scenario

_RUN_FIELDS = ("scale", "seed", "data_set", "horizon")  # the benchmarks set these themselves

REGIONAL_PLAN: dict = {name: value for name, value in load_scenario("regional_plan").model_kwargs().items()
                       if name not in _RUN_FIELDS}

# The real model with only the rules the reference implements (benchmarks/reference_model.py):
# informal awareness from peers, take-up with friction, stopping, lapsing and resuming. Every
# other channel is off; month-0 subsidised workers become self-payers who keep paying in month 1
# (post_subsidy_retention = 1), and no one changes jobs, so the informal workforce is fixed.
REFERENCE_RULES: dict = dict(
    perisai_agents=0, villages_per_month=0, campaign_reach_per_month=0,
    firms_per_month=0, inspections_per_month=0,
    subsidy_budget_idr=0, palm_subsidy_budget_idr=0, post_subsidy_retention=1.0,
    digital_payment_share=0, job_separation_rate=0,
    premium_discount_transport=0, premium_discount_other=0,   # one premium: the reference has no PP 50/2025
    apbd_p_month=9,   # month 1 (2024-09) is a budget boundary, so the month-0 programmes end there
)
