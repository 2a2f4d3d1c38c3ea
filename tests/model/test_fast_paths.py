"""The model's fast paths give exactly what the plain computation gives: the same draws, the same
decisions. Each test computes the plain version beside the fast one on a model in mid-run."""

from types import SimpleNamespace

import numpy as np
import pytest

from model import EnrollmentModel, channels
from model.behaviour import awareness, outreach, payment, take_up
from model.population import FARMER, _priority_order, in_priority_order
from model.streams import _GOLDEN, _MASK64, Streams, draw, sfc64_raw
from tests.helpers import month_started

PLAN = dict(perisai_agents=1500, villages_per_month=20,
            subsidy_budget_idr=30e9, digital_payment_share=0.5, registration_assistance=0.3)


def _splitmix64_uniform(key: int, worker: int) -> float:
    """The documented draw in plain Python: SplitMix64 of (key, worker id), top 53 bits."""
    x = (worker * _GOLDEN + key) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    x ^= x >> 31
    return (x >> 11) / 2.0**53


def test_uniform_is_the_documented_hash_whatever_else_is_drawn():
    streams = Streams(42)
    ids = np.arange(0, 200_000, 3)          # several hashing blocks
    draws = streams.uniform("take_up", 7, ids)
    key = streams.key("take_up", 7)
    for i in [0, 1, 10_922, 10_923, 50_000, len(ids) - 1]:
        assert draws[i] == _splitmix64_uniform(key, int(ids[i]))
    subset = ids[::97]
    assert np.array_equal(streams.uniform("take_up", 7, subset), draws[::97])
    assert not np.array_equal(streams.uniform("take_up", 8, subset), draws[::97])
    assert draw(streams.key_u64("take_up", 7), int(ids[5])) == draws[5]        # a compiled loop's draw
    assert np.array_equal(streams.uniform("take_up", 7, ids.astype(np.int32)), draws)


def test_waiting_list_order_is_a_stable_sort_by_priority_with_ties():
    rng = np.random.default_rng(3)
    priority = rng.integers(0, 50, 10_000).astype(np.float32) / 50   # many ties
    ids = np.sort(rng.choice(10_000, 3_000, replace=False))
    pop = SimpleNamespace(n=len(priority), subsidy_priority=priority)
    _priority_order(pop)
    assert np.array_equal(pop.by_priority, np.argsort(priority, kind="stable"))
    assert np.array_equal(pop.by_priority[pop.priority_rank], np.arange(pop.n))
    expected = ids[np.argsort(priority[ids], kind="stable")]
    assert np.array_equal(in_priority_order(pop, ids), expected)


@pytest.fixture
def mid_run():
    """A model at the start of month 4, scratch arrays reset, some workers contacted."""
    model = month_started(EnrollmentModel(scale=0.03, seed=4, **PLAN), 3)
    rng = np.random.default_rng(0)
    model.contact[:] = rng.choice(4, model.pop.n, p=[0.7, 0.1, 0.1, 0.1])
    return model


def test_take_up_bound_never_drops_a_joiner(mid_run):
    m = mid_run
    ids = take_up.at_risk(m)
    contact = m.contact[ids]
    plain = m.streams.uniform("take_up", m.t, ids) < take_up.join_probability(m, ids, contact)
    assert plain.sum() > 20
    assert np.array_equal(take_up.decide(m, ids, contact), plain)


@pytest.fixture(scope="module")
def discount_month():
    """A model at the start of a month of the national premium discount (PP 50/2025)."""
    model = EnrollmentModel(scale=0.02, seed=5, **PLAN)
    while not model.premium.any[model.t + 1]:
        model.step()
    model.t += 1
    model._begin_month()
    return model


def test_own_ceiling_bounds_b_of_the_uncontacted_in_a_discount_month(discount_month):
    m = discount_month
    ids = np.flatnonzero(m.pop.informal())
    own = take_up.own_probability(m, ids, np.zeros(len(ids), dtype=np.uint8))
    assert m.premium.discount(ids).max() > 0
    assert np.all(m.take_up_ceiling[ids] >= own)


def test_take_up_bound_never_drops_a_joiner_in_a_discount_month(discount_month):
    m = discount_month
    ids = take_up.at_risk(m)
    contact = np.random.default_rng(1).choice(4, len(ids), p=[0.7, 0.1, 0.1, 0.1]).astype(np.uint8)
    plain = m.streams.uniform("take_up", m.t, ids) < take_up.join_probability(m, ids, contact)
    assert plain.sum() > 20
    assert np.array_equal(take_up.decide(m, ids, contact), plain)


@pytest.mark.parametrize("month", ["mid_run", "discount_month"])
@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_joins_after_contact_are_the_plain_comparison(month, code, request):
    m = request.getfixturevalue(month)
    ids = np.flatnonzero(m.pop.informal() & ~m.pop.inf_active)
    u = m.streams.uniform("take_up", m.t, ids)
    plain = u < take_up.join_probability(m, ids, np.full(len(ids), code, dtype=np.uint8))
    assert plain.sum() > 10
    assert np.array_equal(take_up.joins_after_contact(m, ids, code, u), plain)


def test_awareness_bound_never_drops_a_learner(mid_run):
    m = mid_run
    ids = np.flatnonzero(~m.pop.aware & m.pop.informal())
    u = m.streams.uniform("awareness", m.t, ids)
    plain = ids[u < m.params["peer_awareness"] * m.peer_coverage[m.pop.peer_group[ids]]]
    awareness.step(m)
    assert len(plain) > 5
    assert np.array_equal(np.flatnonzero(m.pop.aware[ids]), np.searchsorted(ids, plain))


def test_stopping_bound_never_drops_a_stop(mid_run):
    m, pop = mid_run, mid_run.pop
    paying = np.flatnonzero(pop.informal() & pop.inf_active & ~pop.stopped & (pop.payer == -1))
    u = m.streams.uniform("stop_paying", m.t, paying)
    plain = paying[u < payment.stop_probability(m, paying)]
    before = pop.stopped.copy()
    payment.step(m)
    assert len(plain) > 20
    assert np.array_equal(np.flatnonzero(pop.stopped & ~before), plain)


def test_wage_active_by_firm_slot_is_the_plain_rule_after_job_moves(mid_run):
    m, pop = mid_run, mid_run.pop
    for _ in range(3):      # job moves, exits and entries rewrite firms; firms change state
        m.step()
    wage = pop.firm >= 0
    assert np.array_equal(pop.firm_slot[wage] // 2, pop.firm[wage])
    assert np.all(pop.firm_slot[~wage] == 2 * pop.firms.n)
    fast = pop.wage_active(m.partial_share)
    assert np.array_equal(fast, pop.wage_active_plain(m.partial_share))
    assert 0 < np.count_nonzero(fast) < np.count_nonzero(wage)
    # a share other than the slots' falls back to the plain rule
    assert np.array_equal(pop.wage_active(0.0), pop.wage_active_plain(0.0))


@pytest.mark.parametrize("seed", [0, 1, 2**31 + 3, 2**32 - 1, 2**32, 2**40 + 5, 10**20 + 7])
def test_generator_states_are_numpys_seed_sequence_and_sfc64(seed):
    """Set up together, every (month, extra) stream starts where numpy's own objects start and
    draws the same numbers, whatever the seed's width (one or several 32-bit words)."""
    streams = Streams(seed)
    months, extra = np.array([-1, 0, 1, 5, 76, 400]), np.arange(18)
    states = streams.generator_states("campaign", months, extra)
    for i, t in enumerate(months):
        for e in extra:
            plain = streams.generator("campaign", int(t), int(e))
            assert np.array_equal(states[i, e], plain.bit_generator.state["state"]["state"])
    plain = streams.generator("campaign", 5, 9).integers(0, 7_777, 500)
    assert np.array_equal(streams.seeded(states[3, 9]).integers(0, 7_777, 500), plain)
    assert not np.array_equal(streams.seeded(states[3, 8]).integers(0, 7_777, 500), plain)


def test_generator_states_refuse_what_seed_sequence_refuses():
    with pytest.raises(ValueError, match="months >= -1"):
        Streams(1).generator_states("campaign", np.array([-2]), np.arange(3))
    with pytest.raises(ValueError, match="below 2\\*\\*32"):
        Streams(1).generator_states("campaign", np.array([1]), np.array([2**32]))


def test_generator_states_without_extra_are_numpys():
    streams = Streams(77)
    states = streams.generator_states("job_move", np.arange(10))
    for t in range(10):
        plain = streams.generator("job_move", t).bit_generator.state["state"]["state"]
        assert np.array_equal(states[t], plain)


def test_hiring_firms_draw_what_generator_choice_draws():
    """The same firms as numpy's choice with the hiring weights, and the stream left where
    choice leaves it (the next draws of the month depend on it)."""
    from model.behaviour import formal

    model = EnrollmentModel(scale=0.02, seed=3, horizon="2024-10")
    weights = model.pop.firms.workers.astype(float)
    weights /= weights.sum()
    for t, k in [(1, 1), (2, 37), (3, 5000)]:
        plain, fast = model.streams.generator("job_move", t), model.streams.generator("job_move", t)
        expected = plain.choice(model.pop.firms.n, size=k, p=weights)
        assert np.array_equal(formal._hiring_firms(model, k, fast), expected)
        assert fast.random() == plain.random()


@pytest.mark.parametrize("region", ["sumsel", "jambi", "bengkulu"])
def test_firms_are_numbered_regency_by_regency(region):
    """formal.inspections finds each regency's open firms as a slice of all open firms."""
    firms = EnrollmentModel(scale=0.01, seed=2, region=region, horizon="2025-01").pop.firms
    assert len(firms.regency) > 100 and np.all(np.diff(firms.regency.astype(int)) >= 0)


def test_ranges_is_the_concatenation_of_aranges():
    from model.arrays import ranges

    starts, lengths = np.array([5, 0, 100, 7, 3]), np.array([3, 0, 1, 4, 0])
    expected = np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths, strict=True)])
    assert np.array_equal(ranges(starts, lengths), expected)
    assert ranges(np.zeros(0), np.zeros(0)).dtype == np.int64


def test_residents_of_villages_are_those_living_there_in_order(mid_run):
    model = mid_run
    villages = np.array([3, 0, 41, 41, 7])
    expected = np.concatenate([np.flatnonzero(model.pop.village == v) for v in villages])
    assert np.array_equal(model.residents_of(villages), expected)
    assert len(model.residents_of(np.zeros(0, dtype=np.int64))) == 0


@pytest.mark.parametrize("high", [1, 2, 3, 7, 1000, 30_382, 2**31 + 1, 2**32 - 3, 2**32 - 1])
def test_integers_are_what_generator_integers_draws(high):
    """Streams.integers reproduces numpy's Lemire draws from the raw SFC64 outputs, for ranges
    with almost no rejections and for ranges just below 2**32, where about half are rejected
    (so the retry with more words runs)."""
    streams = Streams(7)
    states = streams.generator_states("campaign", np.arange(3), np.arange(4))
    for k in (0, 1, 2, 5, 40):
        for state in states.reshape(-1, 4):
            expected = np.random.Generator(np.random.SFC64(0))
            expected.bit_generator.state = {"bit_generator": "SFC64", "state": {"state": state},
                                            "has_uint32": 0, "uinteger": 0}
            want = expected.integers(0, high, k)
            got = streams.integers(state, high, k)
            assert got.dtype == want.dtype == np.int64
            np.testing.assert_array_equal(got, want)


def test_integers_refuse_what_generator_integers_refuses():
    streams = Streams(1)
    state = streams.generator_states("campaign", np.arange(1))[0]
    with pytest.raises(ValueError):
        streams.integers(state, 0, 3)


def test_sfc64_raw_is_numpys_sfc64():
    streams = Streams(5)
    states = streams.generator_states("campaign", np.arange(4), np.arange(3)).reshape(-1, 4)
    raw = sfc64_raw(states, 37)
    for state, row in zip(states, raw, strict=True):
        np.testing.assert_array_equal(row, streams.seeded(state).bit_generator.random_raw(37))


def test_integers_many_are_integers_one_stream_at_a_time():
    """Batched and one-by-one draws agree stream for stream: small and large counts (beyond the
    batch, drawn one by one), k = 0, high = 1, and ranges just below 2**32 where about half the
    words are rejected (so some streams fall short in the batch and are redrawn)."""
    streams = Streams(11)
    states = streams.generator_states("campaign", np.arange(6), np.arange(5)).reshape(-1, 4)
    rng = np.random.default_rng(0)
    for highs in ([7] * 30, [30_382] * 30, [2**32 - 1] * 30, [1] * 30,
                  rng.integers(2, 5000, 30).tolist()):
        ks = rng.integers(0, 60, 30)
        ks[:3] = (0, 1, 2 * 256)          # nothing, one value, more than a batch holds
        got = streams.integers_many(states, np.array(highs), ks)
        want = np.concatenate([streams.integers(state, int(high), int(k))
                               for state, high, k in zip(states, highs, ks, strict=True)])
        assert got.dtype == want.dtype == np.int64
        np.testing.assert_array_equal(got, want)
    ks = np.array([3, 0, 5])          # every stream drawn together (the usual path)
    got = streams.integers_many(states[:3], np.array([10, 20, 30]), ks)
    want = np.concatenate([streams.integers(states[i], h, int(k))
                           for i, (h, k) in enumerate(zip([10, 20, 30], ks, strict=True))])
    np.testing.assert_array_equal(got, want)
    assert len(streams.integers_many(states[:0], np.zeros(0), np.zeros(0))) == 0


@pytest.mark.parametrize("settings", [{}, {"campaign_reach_per_month": 3_000_000}])
def test_campaign_audiences_drawn_at_build_are_those_of_their_month(settings):
    """Every month's audience drawn at build is what drawing it in its month gives; months with
    streams too large to draw together (the second case) are left to their month."""
    model = EnrollmentModel(scale=0.01, seed=4, horizon="2025-06", **settings)
    at_build = [t for t, ids in enumerate(model.campaign_audiences) if ids is not None]
    assert at_build == ([] if settings else list(range(model.n_months + 1)))
    for t in at_build:
        np.testing.assert_array_equal(model.campaign_audiences[t], outreach.audience(model, t))


def test_campaign_reach_is_the_plain_rule(mid_run):
    """A campaign's audience (repeats included): its informal workers aware and contacted with
    at least the campaign's code; the formal ones untouched."""
    m, pop = mid_run, mid_run.pop
    ids = np.random.default_rng(2).integers(0, pop.n, 5_000)
    informal = ids[pop.segment[ids] >= FARMER]
    aware, contact = pop.aware.copy(), m.contact.copy()
    aware[informal] = True
    contact[informal] = np.maximum(contact[informal], channels.CAMPAIGN_CONTACT)
    assert (contact != m.contact).any() and (aware != pop.aware).any()
    assert len(informal) < len(ids)                       # formal workers in the audience too
    outreach._reach(ids, pop.segment, pop.aware, m.contact, channels.CAMPAIGN_CONTACT)
    assert np.array_equal(pop.aware, aware) and np.array_equal(m.contact, contact)
