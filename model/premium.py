"""The premium an informal worker faces each month: a dated parameter, not a constant.

    price_i(t) = premium_idr x (1 - discount_{sector(i)}(t))

`premium_idr` is the base JKK + JKM package (Rp 16,800, PP 44/2015; each region's
subsidies.toml). The national discounts are data, model/data/premium.toml (PP 50/2025 halves the
informal JKK + JKM contribution for transport workers Jan 2026 - Mar 2027 and for other sectors
Apr 2026 - Dec 2026); they are the defaults of the levers `premium_discount_transport` and
`premium_discount_other`, so a scenario may replace them with its own windows of months.

Transport workers (ojek, ojol, angkot and becak drivers) are a share `transport_share_of_urban`
of the urban informal workers: a static draw per worker, so a worker who moves into urban
informal work later is a transport worker by the same draw. Everyone who pays a premium pays
this price: a self-payer (take-up and retention weigh it: behaviour/take_up.py, payment.py), a
local government or a pilot (a subsidy buys twice the worker-months at half the price).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model import months
from model.population import URBAN

if TYPE_CHECKING:
    from model.model import EnrollmentModel

FILE = Path(__file__).parent / "data" / "premium.toml"
SECTORS = ("transport", "other")


@cache
def schedule() -> dict[str, list[dict[str, Any]]]:
    """The national discounts by sector, as lever windows ({from, to, value}) in file order."""
    with FILE.open("rb") as f:
        spec = tomllib.load(f)
    out: dict[str, list[dict[str, Any]]] = {sector: [] for sector in SECTORS}
    for i, entry in enumerate(spec.get("discount", [])):
        where = f"{FILE.name}: discount[{i}]"
        if entry.get("sector") not in SECTORS:
            raise ValueError(f"{where}.sector must be one of {', '.join(SECTORS)}; got {entry.get('sector')!r}")
        share = entry.get("share")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ValueError(f"{where}.share must be a number from 0 to 1; got {share!r}")
        for bound in ("from", "to"):
            months.parse(entry[bound])
        if not entry.get("source"):
            raise ValueError(f"{where} needs a source")
        out[entry["sector"]].append({"from": entry["from"], "to": entry["to"], "value": float(share)})
    return out


class Premium:
    """A run's prices: the discount of each sector by month and regency, and who is a transport
    worker. Reads the worker's segment (it changes with job turnover) when asked."""

    def __init__(self, m: EnrollmentModel):
        self.m = m
        self.base = float(m.params["premium_idr"])
        self.transport = m.lever_values["premium_discount_transport"]      # [month, regency]
        self.other = m.lever_values["premium_discount_other"]
        # Whether a worker would be a transport worker if urban: their static draw against the
        # share, compared once (one byte a worker instead of a float64 draw kept for the run).
        share = m.params["transport_share_of_urban"]
        self.transport_if_urban = m.streams.uniform("transport_worker", -1, np.arange(m.pop.n)) < share
        # Months with any discount: the others take the quick path (every price is the base).
        self.any = (self.transport > 0).any(axis=1) | (self.other > 0).any(axis=1)

    def is_transport(self, ids: np.ndarray) -> np.ndarray:
        pop = self.m.pop
        return (pop.segment[ids] == URBAN) & self.transport_if_urban[ids]

    def discount(self, ids: np.ndarray, t: int | None = None) -> np.ndarray:
        """Share of the base waived for each of `ids` in month t (default: this month)."""
        t = self.m.t if t is None else t
        if not self.any[t]:
            return np.zeros(len(ids))
        regency = self.m.pop.regency[ids]
        return np.where(self.is_transport(ids), self.transport[t, regency], self.other[t, regency])

    def price(self, ids: np.ndarray, t: int | None = None) -> np.ndarray:
        """Rupiah a month the premium of each of `ids` costs in month t (default: this month)."""
        return self.base * (1.0 - self.discount(ids, t))

    def lowest(self, t: int | None = None) -> float:
        """The lowest price anyone faces in month t (a bound for affordability)."""
        t = self.m.t if t is None else t
        return self.base * (1.0 - max(self.transport[t].max(), self.other[t].max()))
