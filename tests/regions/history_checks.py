"""Checks of a region's optional history.toml (issue 22: programmes and observations after
month 0); its schema is described in docs/regions.md."""

from __future__ import annotations

from model import months
from model.parameters import SUBSIDY_GROUPS
from tests.regions.names import is_month, is_text, names_of

PROGRAMME_STATUS = {"observed", "announced", "planned"}
PROGRAMME_LEVELS = {"province", "regency", "other"}
MONTHS_BASIS = {"stated", "derived", "assumption"}


def history_problems(files, history, table, ds) -> list[str]:
    p = []
    names = names_of(table)
    month0 = ds.get("month0", "0000-01")
    for programme in history.get("programme", []):
        where = f"{files.id}: history.toml programme {programme.get('name')!r}"
        b = programme.get("beneficiaries")
        ok = (is_text(programme.get("name")) and is_text(programme.get("payer")) and is_text(programme.get("source"))
              and programme.get("level") in PROGRAMME_LEVELS and programme.get("status") in PROGRAMME_STATUS
              and programme.get("months_basis") in MONTHS_BASIS and is_month(programme.get("start"))
              and isinstance(programme.get("months"), int) and programme["months"] > 0
              and (b is None or (isinstance(b, int) and b >= 0))
              and set(programme.get("eligible", ["?"])) <= set(SUBSIDY_GROUPS))
        if not ok:
            p.append(f"{where}: needs name, payer, level of {sorted(PROGRAMME_LEVELS)}, status of "
                     f"{sorted(PROGRAMME_STATUS)}, start YYYY-MM, months > 0 with months_basis of "
                     f"{sorted(MONTHS_BASIS)}, beneficiaries >= 0 or absent, eligible groups and a source")
            continue
        if months.ordinal(programme["start"]) <= months.ordinal(month0):
            p.append(f"{where}: starts at or before month 0 ({month0}): that is subsidies.toml's")
        if (programme["level"] == "regency") != (str(programme.get("regency", "")).casefold() in names):
            p.append(f"{where}: a regency programme names one regency of this province (and only it does)")
        superseded = programme.get("superseded_by")
        if superseded is not None and superseded not in {q.get("name") for q in history.get("programme", [])}:
            p.append(f"{where}: superseded_by {superseded!r} names no programme of this file")
        if programme["months_basis"] == "assumption" and "months_range" not in programme and b is not None:
            p.append(f"{where}: an assumed duration needs months_range = [low, high]")
    through = history.get("through")
    if history and not (is_month(through) and months.ordinal(through) > months.ordinal(month0)):
        p.append(f"{files.id}: history.toml needs through = 'YYYY-MM' after month 0 ({month0}): "
                 "the last month it covers")
    for dated in history.get("programme", []) + history.get("observed", []):
        when = dated.get("start", dated.get("month"))
        if is_month(through) and is_month(when) and months.ordinal(when) > months.ordinal(through):
            p.append(f"{files.id}: history.toml {dated.get('name', when)!r} is dated after through = {through}")
    for seen in history.get("observed", []):
        scope = str(seen.get("scope", ""))
        if not (is_month(seen.get("month")) and is_text(seen.get("source"))
                and (scope == "province" or scope.casefold() in names)
                and any(k in seen for k in ("coverage", "active", "denominator"))):
            p.append(f"{files.id}: history.toml observation {seen.get('month')} {scope!r} needs month, scope "
                     "('province' or a regency), a coverage, active or denominator, and a source")
    return p
