"""The informal worker's decision rule: whether an aware, uncovered worker joins this month.

Two routes into coverage, as in the Bass diffusion model, then registration friction:

    h_i = (1 - phi_i) * min(1, b_i + q * F_g)

    b_i    own motivation:  logit(b_i) = logit(take_up_rate)
                                        + valuation_sd * v_i                 (perceived value)
                                        - price_sensitivity * (c_i - c_ref)  (premium, % of income)
                                        + contact effect                     (Perisai visit,
                                          village promoter or campaign reaching i this month)
    q * F_g imitation: q = `imitation`, F_g = coverage of i's peers (the village's informal
            workers, or the market's traders) at the start of the month
    phi_i  friction: the share of attempts that fail. `friction` x (1 - registration_assistance)
           for self-registration; `assisted_friction` when a Perisai agent or village promoter
           registers the worker; 0 for a lapsed participant, who resumes by paying with their ID.

c_i = 100 x out-of-pocket premium / income_i and c_ref is its median over informal workers, so
`take_up_rate` is the take-up of a typical worker at the full Rp 16,800 package. With
valuation_sd = price_sensitivity = contact = phi = 0 and one well-mixed group, h = p + q F: the
discrete Bass model (tests/model/test_validation.py checks the curve).

Evidence for the shape (Banerjee et al., AER 2021): information alone moves little (small
campaign effect), assistance helps modestly (lower friction), friction is large (phi about 0.5).
A subsidy reaches workers by one of two mechanisms (docs/model.md): list enrolment (the payer
registers named beneficiaries; only data quality fails, `list_enrolment`) or an offer the worker
must take up through the same friction (`offer_take_up`; every pilot, and subsidy levers set to
"offer").

Every worker gets exactly one take-up draw per month (stream "take_up"), whichever route decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from model import arrays, channels, participation
from model.channels import VILLAGE_CONTACT
from model.population import FARMER, SELF_PAYER
from model.streams import draw

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def own_logit(m: EnrollmentModel) -> np.ndarray:
    """logit(b_i) without the contact effect, for every worker (float32).

    Income and perceived value never change, so the model computes this once at build
    (EnrollmentModel.take_up_logit) instead of every month for everyone at risk.
    """
    pop, par = m.pop, m.params
    price_pct = 100.0 * par["premium_idr"] / pop.income
    return (logit(par["take_up_rate"]) + par["valuation_sd"] * pop.valuation
            - par["price_sensitivity"] * (price_pct - m.ref_price_pct))


def own_ceiling(m: EnrollmentModel) -> np.ndarray:
    """An upper bound of b_i for each worker no outreach reached this month (contact 0), in any
    month: the price term at a full waiver (every discount is in [0, 1]), plus a margin far
    above float32 rounding. Static, so the model computes it once at build (float32)."""
    pop, par = m.pop, m.params
    waiver = np.maximum(0.0, par["price_sensitivity"] * 100.0 * par["premium_idr"] / pop.income)
    return (1.0 / (1.0 + np.exp(-(m.take_up_logit + waiver))) + 1e-5).astype(np.float32)


def contact_effects(m: EnrollmentModel) -> np.ndarray:
    """The contact effect on logit(b_i) by contact code (channels.*_CONTACT), float32."""
    par = m.params
    return np.array([0.0, par["campaign_effect"], par["village_contact_effect"],
                     par["perisai_visit_effect"]], dtype=np.float32)


def own_probability(m: EnrollmentModel, ids: np.ndarray, contact: np.ndarray) -> np.ndarray:
    """b_i: own motivation, with the contact effect of this month (float32)."""
    par = m.params
    z = _own_logit(np.ascontiguousarray(ids), np.ascontiguousarray(contact), m.take_up_logit,
                   contact_effects(m))
    if m.premium.any[m.t]:      # a discounted premium: the price term at this month's price
        z = z + (par["price_sensitivity"] * m.premium.discount(ids) * 100.0 * par["premium_idr"]
                 / m.pop.income[ids]).astype(np.float32)
    return 1.0 / (1.0 + np.exp(-z))


def join_probability(m: EnrollmentModel, ids: np.ndarray, contact: np.ndarray,
                     own: np.ndarray | None = None) -> np.ndarray:
    """h_i for workers `ids` with contact codes `contact` (arrays of equal length); `own` is
    their b_i if already worked out (`own_probability`, elementwise the same numbers)."""
    pop, par = m.pop, m.params
    own = own_probability(m, ids, contact) if own is None else own
    self_friction = par["friction"] * (1.0 - m.lever("registration_assistance"))   # by regency
    peers, friction = _peers_and_friction(
        np.ascontiguousarray(ids), np.ascontiguousarray(contact), pop.peer_group, m.peer_coverage,
        np.float32(par["imitation"]), pop.regency, self_friction, float(par["assisted_friction"]),
        pop.registered)
    friction = m.pilot.adjust_friction(ids, friction)
    return (1.0 - friction) * np.minimum(1.0, own + peers)


@numba.njit(cache=True)
def _own_logit(ids, contact, logit, effects):
    """logit[ids] + effects[contact] (float32, as numpy adds them), in one pass."""
    z = np.empty(ids.size, dtype=np.float32)
    for j in range(ids.size):
        z[j] = logit[ids[j]] + effects[contact[j]]
    return z


@numba.njit(cache=True)
def _peers_and_friction(ids, contact, peer_group, coverage, imitation, regency, self_friction,
                        assisted_friction, registered):
    """In one pass, for each of `ids`: imitation x F_g (float32, as numpy multiplies the python
    float by the float32 coverage) and phi_i before a pilot's assistance (float64): 0 if
    registered, else assisted_friction if contact >= VILLAGE_CONTACT, else the regency's."""
    peers = np.empty(ids.size, dtype=np.float32)
    friction = np.empty(ids.size)
    for j in range(ids.size):
        i = ids[j]
        peers[j] = imitation * coverage[peer_group[i]]
        phi = assisted_friction if contact[j] >= VILLAGE_CONTACT else self_friction[regency[i]]
        friction[j] = 0.0 if registered[i] else phi
    return peers, friction


def decide(m: EnrollmentModel, ids: np.ndarray, contact: np.ndarray) -> np.ndarray:
    """Which of `ids` join this month (their one take-up draw against h_i).

    Friction only lowers h_i (every friction parameter is in [0, 1]) and F_g is at most the
    largest group's coverage, so h_i <= b_i + imitation * max F. h_i is worked out in full only
    for the few workers whose draw is below that bound, and b_i only for those whose draw is
    below its static ceiling (`own_ceiling`): the same decisions as computing it for everyone,
    several times faster.
    """
    u = m.streams.uniform("take_up", m.t, ids)
    peers_max = m.params["imitation"] * m.peer_coverage.max()
    # The bound itself is worked out only where the static ceiling of b_i (`own_ceiling`, for
    # the uncontacted) does not already rule the worker out, and for every contacted worker.
    near = np.flatnonzero((u < m.take_up_ceiling[ids] + peers_max) | (contact != 0))
    join = np.zeros(len(ids), dtype=bool)
    join[near[_joins(m, ids[near], u[near], contact[near], peers_max)]] = True
    return join


def _joins(m: EnrollmentModel, ids: np.ndarray, u: np.ndarray, contact: np.ndarray,
           peers_max: np.float32) -> np.ndarray:
    """Positions in `ids` (draws `u`, contact codes `contact`) of those who join: u below the
    bound b_i + imitation * max F, then below h_i (worked out only for those)."""
    own = own_probability(m, ids, contact)
    maybe = np.flatnonzero(u < own + peers_max)
    return maybe[u[maybe] < join_probability(m, ids[maybe], contact[maybe], own[maybe])]


def joins_after_contact(m: EnrollmentModel, ids: np.ndarray, code: int, u: np.ndarray) -> np.ndarray:
    """u < h_i for workers `ids`, all reached by contact `code` this month, with their take-up
    draws `u`. The same as comparing with `join_probability` for all of them, which is worked
    out only where u is below a bound of h_i: b_i <= own_ceiling_i x e^effect (sigmoid(z + e)
    <= e^e sigmoid(z) for e >= 0), plus imitation x max F."""
    contact = np.full(len(ids), code, dtype=np.uint8)
    scale = max(1.0, float(np.exp(contact_effects(m)[code])))
    add = m.params["imitation"] * float(m.peer_coverage.max()) + 1e-5
    # as numpy works out ceiling[ids] * scale + add: the python floats taken as float32
    near = _below(np.ascontiguousarray(ids), u, m.take_up_ceiling, np.float32(scale), np.float32(add))
    join = np.zeros(len(ids), dtype=bool)
    join[near] = u[near] < join_probability(m, ids[near], contact[near])
    return join


@numba.njit(cache=True)
def _below(ids, u, ceiling, scale, add):
    """Positions j (ascending, int64) where u[j] < ceiling[ids[j]] x scale + add (float32).
    The tests first (independent loads of scattered ids), then the positions gathered."""
    keep = np.empty(ids.size, dtype=np.uint8)
    for j in range(ids.size):
        keep[j] = u[j] < ceiling[ids[j]] * scale + add
    return arrays.compress(keep, np.arange(ids.size))


def list_enrolment(m: EnrollmentModel, ids: np.ndarray, share_paid: float) -> np.ndarray:
    """Chance that listed beneficiaries the payer registers end up active (mechanism "list"):
    logit(a) = logit(list_enrolment_success) - price_sensitivity x (premium left to pay, % of
    income). The worker takes no step; what fails is the list's data (ID numbers and the like)."""
    par = m.params
    out_of_pocket = 100 * m.premium.price(ids) * (1 - share_paid) / m.pop.income[ids]
    return 1 / (1 + np.exp(-(logit(par["list_enrolment_success"]) - par["price_sensitivity"] * out_of_pocket)))


def offer_take_up(m: EnrollmentModel, ids: np.ndarray, share_paid: float, assisted: bool = False) -> np.ndarray:
    """Chance that workers offered a subsidy paying `share_paid` of the premium register
    (mechanism "offer", and every pilot): the worker decides as in any take-up,

        h_i = (1 - phi_i) * expit(logit(b_i) + offer_effect + price_sensitivity * share_paid * c_i)

    own motivation b_i at the premium left to pay, the offer's prompt (`offer_effect`, the
    calibrated pull of a time-limited offer, Banerjee et al. 2021), and the same friction phi_i
    as self-registration (cut by the regency's registration assistance and a pilot's
    assistance; `assisted_friction` when an agent or promoter registers the worker)."""
    pop, par = m.pop, m.params
    base_pct = 100.0 * par["premium_idr"] / pop.income[ids]
    now_pct = 100.0 * m.premium.price(ids) / pop.income[ids]
    # take_up_logit is at the base price; the worker weighs the part left to pay at today's price
    z = m.take_up_logit[ids] + par["offer_effect"] + par["price_sensitivity"] * (base_pct - now_pct * (1 - share_paid))
    own = 1.0 / (1.0 + np.exp(-z))
    if assisted:
        friction = np.full(len(ids), par["assisted_friction"])
    else:
        friction = (par["friction"] * (1.0 - m.lever("registration_assistance")))[pop.regency[ids]]
    friction = np.where(pop.registered[ids], 0.0, friction)
    friction = m.pilot.adjust_friction(ids, friction)
    return (1.0 - friction) * own


def subsidy_take_up(m: EnrollmentModel, ids: np.ndarray, share_paid: float, mechanism: str) -> np.ndarray:
    """Chance each of `ids` ends up an active subsidised participant under `mechanism`."""
    if mechanism == "list":
        return list_enrolment(m, ids, share_paid)
    return offer_take_up(m, ids, share_paid)


def at_risk_mask(m: EnrollmentModel) -> np.ndarray:
    """Aware informal workers not covered (or self-payers who stopped) and not yet decided."""
    pop = m.pop
    uncovered = ~pop.inf_active | pop.stopped
    return (pop.segment >= FARMER) & pop.aware & uncovered & (pop.payer == SELF_PAYER) & ~m.decided


def at_risk(m: EnrollmentModel) -> np.ndarray:
    return np.flatnonzero(at_risk_mask(m))


def contacted_bound(m: EnrollmentModel, peers_max: np.float32) -> tuple[np.float32, np.float32]:
    """(scale, add): own_ceiling_i x scale + add bounds h_i of a worker reached by any contact,
    float32 (the bound of `joins_after_contact` at the largest contact effect)."""
    scale = np.float32(np.maximum(1.0, np.exp(contact_effects(m))).max())
    return scale, np.float32(peers_max + np.float32(1e-5))


def step(m: EnrollmentModel) -> None:
    """The monthly decision of everyone at risk who was not decided by a Perisai visit."""
    pop = m.pop
    peers_max = m.params["imitation"] * m.peer_coverage.max()
    # One pass: everyone at risk is marked decided and draws; only those near a join are kept.
    near, u = _at_risk_near(pop.segment, pop.aware, pop.inf_active, pop.stopped, pop.payer,
                            m.decided, m.contact, m.take_up_ceiling,
                            m.streams.key_u64("take_up", m.t), peers_max, *contacted_bound(m, peers_max))
    joined = near[_joins(m, near, u, m.contact[near], peers_max)]
    channel = np.array([channels.CHANNEL_OF_CONTACT[c] for c in range(4)], dtype=np.uint8)
    participation.enrol(m, joined, channel[m.contact[joined]])


# The workers are visited in blocks of _BLOCK, each in loops the compiler vectorizes (flags, then
# draws), then its few near workers gathered word by word (8 flags at a time).
_BLOCK = 4096


@numba.njit(cache=True)
def _at_risk_near(segment, aware, inf_active, stopped, payer, decided, contact, ceiling, key,
                  peers_max, scale, add):
    """One pass over the workers. Each at risk (`at_risk_mask`) is marked decided and draws
    "take_up" (key); kept are those whose draw is below a bound of h_i (float32, as numpy
    works it out): ceiling + peers_max if no contact reached them, as `decide` bounds them,
    else ceiling x scale + add (`contacted_bound`). Returns their ids (ascending, int64) and
    draws.
    Everyone's draw is worked out (a vectorized loop is cheaper than picking the at-risk out
    first); a draw depends only on its worker, so the kept draws are the same."""
    n = segment.size
    aware, inf_active, stopped = aware.view(np.uint8), inf_active.view(np.uint8), stopped.view(np.uint8)
    decided = decided.view(np.uint8)
    near = np.empty(n + 1, dtype=np.int64)      # one past the last kept: written, not kept
    flag = np.zeros(_BLOCK, dtype=np.uint8)
    words = flag.view(np.uint64)
    k = 0
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        seg, aw, st, act = segment[lo:hi], aware[lo:hi], stopped[lo:hi], inf_active[lo:hi]
        pay, dec, con, ceil = payer[lo:hi], decided[lo:hi], contact[lo:hi], ceiling[lo:hi]
        for j in range(hi - lo):
            f = (np.uint8(seg[j] >= FARMER) & aw[j] & (st[j] | (act[j] ^ np.uint8(1)))
                 & np.uint8(pay[j] == SELF_PAYER) & (dec[j] ^ np.uint8(1)))
            flag[j] = f
            dec[j] |= f
        for j in range(hi - lo):
            u = draw(key, lo + j)
            flag[j] &= np.uint8(((u < ceil[j] + peers_max) & (con[j] == 0))
                                | ((u < ceil[j] * scale + add) & (con[j] != 0)))
        flag[hi - lo:] = 0
        for w in range(_BLOCK >> 3):
            if words[w] != 0:
                for b in range(8):
                    near[k] = lo + 8 * w + b
                    k += flag[8 * w + b]
    near = near[:k].copy()
    u = np.empty(k)
    for j in range(k):
        u[j] = draw(key, near[j])
    return near, u
