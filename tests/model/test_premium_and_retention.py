"""The dated premium (PP 50/2025) and retention after a subsidy ends (issue 22, item 4)."""

import numpy as np
import pytest

from model import EnrollmentModel, months, premium
from model.behaviour import payment
from model.population import FARMER, URBAN
from tests.helpers import run


@pytest.fixture(scope="module")
def model():
    return EnrollmentModel(scale=0.02, seed=4, horizon="2027-12")


def at(m, month):
    return months.index(month, m.start)


def test_the_premium_halves_in_the_pp50_windows_for_the_right_workers(model):
    m, pop = model, model.pop
    informal = np.flatnonzero(pop.segment >= FARMER)
    transport = informal[m.premium.is_transport(informal)]
    other = informal[~m.premium.is_transport(informal)]
    assert len(transport) and (pop.segment[transport] == URBAN).all()
    share = len(transport) / np.count_nonzero(pop.segment[informal] == URBAN)
    assert abs(share - m.params["transport_share_of_urban"]) < 0.03
    expected = {  # month: (transport, other) price
        "2025-12": (16_800, 16_800), "2026-01": (8_400, 16_800), "2026-03": (8_400, 16_800),
        "2026-04": (8_400, 8_400), "2026-12": (8_400, 8_400), "2027-01": (8_400, 16_800),
        "2027-03": (8_400, 16_800), "2027-04": (16_800, 16_800),
    }
    for month, (p_transport, p_other) in expected.items():
        t = at(m, month)
        assert (m.premium.price(transport, t) == p_transport).all(), month
        assert (m.premium.price(other, t) == p_other).all(), month


def test_the_schedule_is_read_from_the_data_file():
    windows = premium.schedule()
    assert windows["transport"] == [{"from": "2026-01", "to": "2027-03", "value": 0.5}]
    assert windows["other"] == [{"from": "2026-04", "to": "2026-12", "value": 0.5}]


def test_a_scenario_may_change_the_premium_with_windows():
    m = EnrollmentModel(scale=0.01, seed=1, horizon="2027-12",
                        premium_discount_other=[{"from": "2027-01", "to": "2027-06", "value": 0.25}])
    ids = np.flatnonzero(m.pop.segment == FARMER)[:5]
    assert (m.premium.price(ids, at(m, "2026-06")) == 8_400).all()      # the national window stays
    assert (m.premium.price(ids, at(m, "2027-03")) == 12_600).all()     # the scenario's window
    assert (m.premium.price(ids, at(m, "2027-09")) == 16_800).all()
    flat = EnrollmentModel(scale=0.01, seed=1, horizon="2027-12", premium_discount_other=0)
    assert (flat.premium.price(ids, at(flat, "2026-06")) == 16_800).all()   # a number replaces it


def test_a_subsidy_buys_twice_the_worker_months_at_half_the_premium():
    """The same budget pays about twice the beneficiaries while the premium is halved."""
    common = dict(scale=0.02, seed=3, horizon="2026-09", subsidy_eligible=["informal"],
                  list_enrolment_throughput=1e7, list_enrolment_lead_months=0)
    budget = [{"from": "2026-01", "value": {"Banyuasin": 2e10}}]
    pp50 = run(subsidy_budget_idr=budget, **common).results().set_index("month")
    flat = run(subsidy_budget_idr=budget, premium_discount_transport=0, premium_discount_other=0,
               **common).results().set_index("month")
    base = run(**common).results().set_index("month")
    gain_pp50 = pp50.loc["2026-08", "subsidised"] - base.loc["2026-08", "subsidised"]
    gain_flat = flat.loc["2026-08", "subsidised"] - base.loc["2026-08", "subsidised"]
    assert 1.6 < gain_pp50 / gain_flat < 2.4, (gain_pp50, gain_flat)
    # never more than the same money: the year's spend stays within the budgets in force
    extra = (pp50["spend_subsidy_idr"] - base["spend_subsidy_idr"]).loc["2026-01":"2026-08"].sum()
    assert 0 < extra <= 2e10 * 8 / 12 * 1.001


def test_retention_grows_with_the_months_covered_and_with_a_lower_price(model):
    m, pop, par = model, model.pop, model.params
    ids = np.flatnonzero((pop.segment >= FARMER) & (pop.segment != URBAN))[:2000]
    saved_t, saved_since = m.t, pop.payer_since.copy()
    try:
        def keep(month, covered):
            m.t = at(m, month)
            pop.payer_since[ids] = m.t - covered
            return payment.keep_probability(m, ids)
        short, year, long = keep("2025-06", 3), keep("2025-06", 12), keep("2025-06", 36)
        assert (short < year).all() and (year < long).all()
        # 12 months at the median price share: the fitted post_subsidy_retention (median worker)
        assert abs(np.median(year) - par["post_subsidy_retention"]) < 0.03
        # ln(3/12) x retention_duration_effect in log-odds, for every worker
        logit = lambda p: np.log(p / (1 - p))      # noqa: E731
        assert np.allclose(logit(short) - logit(year), par["retention_duration_effect"] * np.log(3 / 12))
        # in the PP 50/2025 window (others: Apr-Dec 2026) the price is halved: more keep paying
        cheap = keep("2026-06", 12)
        assert (cheap > year).all()
        assert np.allclose(logit(cheap) - logit(year),
                           par["price_sensitivity"] * 100 * 8_400 / pop.income[ids], rtol=1e-4)
    finally:
        m.t, pop.payer_since[:] = saved_t, saved_since


@pytest.mark.parametrize("sample", ["uncovered", "all"])
def test_a_pilot_12_months_after_its_subsidy_ended_shows_a_lasting_effect(sample):
    """Banerjee et al. (AER 2021): coverage eightfold while subsidised, twice as high a year after
    the subsidy ended: a share (2c - c)/(8c - c) = 1/7 of the effect left (the calibration target,
    0.14 +- 0.07). Before the fix, a pilot of all workers showed treated = control (the subsidy
    ended also for workers who had paid their own premium before and made most of them stop)."""
    frame = run(scale=0.02, seed=1, horizon="2026-08", pilot_unit="worker", pilot_units=0, pilot_share=0.5,
                pilot_months=12, pilot_sample=sample, pilot_subsidy_share=1.0,
                pilot_start="2024-09").results().set_index("month")
    during, after = frame.loc["2025-08"], frame.loc["2026-08"]
    left = after["pilot_effect"] / during["pilot_effect"]
    assert 0.07 <= left <= 0.21, left
    assert after["pilot_effect_low"] > 0                       # a lasting effect, not noise
    assert after["pilot_treated_coverage"] / after["pilot_control_coverage"] > 1.05
