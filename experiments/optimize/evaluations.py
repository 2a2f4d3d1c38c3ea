"""The store of evaluations: every evaluation (trial, rung, metrics; a first-rung candidate's
search parameters and sampler bookkeeping), appended to evaluations.jsonl once per batch, so a
resumed search skips what is done and gives the sampler the state it had. The ranking, the
incumbent and the front of a rung come from it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.optimize.constraints import Metrics, feasible, objective_value, violations
from experiments.optimize.problem import OptProblem

COLUMNS = ["trial", "objective", "spend_year_idr", "office_year_idr", "local_year_idr",
           "coverage", "coverage_mean", "coverage_at_p", "p_target", "violation", "feasible"]


class Evaluations:
    """evaluations.jsonl of one search folder (or memory only, without a folder)."""

    def __init__(self, path: Path | None, problem: OptProblem):
        self.path, self.problem = path, problem
        self.metrics: dict[tuple[int, int], Metrics] = {}
        self.params: dict[int, dict[str, float]] = {}     # each candidate's search parameters
        self.attrs: dict[int, dict[str, Any]] = {}        # each candidate's sampler attributes
        self.batches: dict[int, dict[str, Any]] = {}      # trials done -> sampler and local state after them
        self.sensitivity: dict[str, Metrics] = {}
        self.converged: int | None = None                  # search.trials of a search that converged
        self.torn = False                                  # the file ends inside a line (a killed writer)
        if path and path.exists():
            text = path.read_text(encoding="utf-8", errors="replace")
            self.torn = bool(text) and not text.endswith("\n")
            for line in text.splitlines():
                try:
                    self._load(json.loads(line))
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue        # a line cut short by a killed process: evaluated again

    def _load(self, row: dict) -> None:
        if "sensitivity" in row:
            self.sensitivity[row["sensitivity"]] = row["metrics"]
        elif "converged" in row:
            self.converged = row["converged"]
        elif "batch" in row:
            self.batches[int(row["batch"])] = {"sampler": row["sampler"], "local": row["local"]}
        else:
            self.metrics[(row["trial"], row["rung"])] = row["metrics"]
            if "params" in row:
                self.params[row["trial"]] = row["params"]
                self.attrs[row["trial"]] = row.get("attrs", {})

    def _append(self, rows: list[dict]) -> None:
        """One write and one fsync per batch: a killed process loses at most its last batch."""
        if self.path and rows:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(("\n" if self.torn else "") + "".join(json.dumps(row) + "\n" for row in rows))
                f.flush()
                os.fsync(f.fileno())
            self.torn = False

    def add_batch(self, rows: list[tuple[int, Metrics, dict[str, float], dict[str, Any]]], done: int,
                  sampler: list, local: dict) -> None:
        """A first-rung batch: (trial, metrics, parameters, sampler attributes) per candidate,
        then the sampler's random state and the local phase's state after it, in one write (a
        batch whose last line is cut short is searched again)."""
        lines: list[dict[str, Any]] = [{"trial": trial, "rung": 0, "metrics": m, "params": x, "attrs": attrs}
                                       for trial, m, x, attrs in rows]
        lines.append({"batch": done, "sampler": sampler, "local": local})
        for line in lines:
            self._load(line)
        self._append(lines)

    def add_many(self, rows: list[tuple[int, int, Metrics]]) -> None:
        """Re-evaluations (trial, rung, metrics) above the first rung."""
        lines = [{"trial": trial, "rung": rung, "metrics": m} for trial, rung, m in rows]
        for line in lines:
            self._load(line)
        self._append(lines)

    def add_sensitivity(self, rows: list[tuple[str, Metrics]]) -> None:
        lines = [{"sensitivity": label, "metrics": m} for label, m in rows]
        for line in lines:
            self._load(line)
        self._append(lines)

    def add_converged(self, trials: int) -> None:
        """The local search stopped improving: a resumed search with the same trials reports."""
        self._append([{"converged": trials}])
        self.converged = trials

    def replayable(self) -> int:
        """First-rung candidates a resumed study can take as they are: numbered 0..n-1 without
        a gap, ending where a batch's sampler state was logged."""
        n = 0
        while n in self.params and (n, 0) in self.metrics:
            n += 1
        return max([b for b in self.batches if b <= n], default=0)

    def forget(self, from_trial: int) -> None:
        """Drop candidates from `from_trial` on (after a gap in the log they are searched again)."""
        self.params = {n: x for n, x in self.params.items() if n < from_trial}
        self.attrs = {n: x for n, x in self.attrs.items() if n < from_trial}
        self.metrics = {k: m for k, m in self.metrics.items() if k[0] < from_trial}
        self.batches = {b: s for b, s in self.batches.items() if b <= from_trial}

    def table(self, rung: int) -> pd.DataFrame:
        p = self.problem
        rows = [{"trial": t, **m, "objective": objective_value(p, m),
                 "violation": max([0.0, *violations(p, m).values()]), "feasible": feasible(p, m)}
                for (t, r), m in sorted(self.metrics.items()) if r == rung]
        table = pd.DataFrame(rows)
        if table.empty:
            return pd.DataFrame(columns=COLUMNS)
        return table[[*COLUMNS, *[c for c in table if c not in COLUMNS]]]

    def incumbent(self, rung: int, before: int | None = None) -> int | None:
        """The best candidate so far within every constraint (for min_spend: the target's
        graded constraint too): the cheapest, or the highest objective for the other goals.
        `before`: among the trials numbered below it only."""
        table = self.table(rung)
        if before is not None and not table.empty:
            table = table[table["trial"] < before]
        ok = table[table["violation"] <= 0] if not table.empty else table
        if ok.empty:
            return None
        if self.problem.objective.goal == "min_spend":
            ok = ok.sort_values(["spend_year_idr", "trial"])
        else:
            ok = ok.sort_values(["objective", "spend_year_idr", "trial"], ascending=[False, True, True])
        return int(ok["trial"].iloc[0])

    def ranking(self, rung: int) -> list[int]:
        """Trials best first: within the constraints, then by Pareto layer, then objective."""
        table = self.table(rung)
        if table.empty:
            return []
        table = table.assign(layer=pareto_layers(table["spend_year_idr"].to_numpy(), table["objective"].to_numpy()))
        order = table.sort_values(["violation", "layer", "objective", "spend_year_idr"],
                                  ascending=[True, True, False, True], kind="stable")
        return [int(t) for t in order["trial"]]

    def front(self, rung: int) -> pd.DataFrame:
        """Non-dominated candidates (less spend, more objective) among the feasible of a rung;
        all candidates when none is feasible."""
        table = self.table(rung)
        ok = table[table["feasible"].astype(bool)] if not table.empty else table
        pool = ok if not ok.empty else table
        if pool.empty:
            return pool
        layer = pareto_layers(pool["spend_year_idr"].to_numpy(), pool["objective"].to_numpy())
        return pool[layer == 0].sort_values("spend_year_idr").reset_index(drop=True)


def pareto_layers(spend: np.ndarray, objective: np.ndarray) -> np.ndarray:
    """Non-dominated sorting of (min spend, max objective): layer 0 is the front."""
    n = len(spend)
    layer = np.full(n, -1)
    remaining = set(range(n))
    level = 0
    while remaining:
        current = [i for i in remaining if not any(
            spend[j] <= spend[i] and objective[j] >= objective[i]
            and (spend[j] < spend[i] or objective[j] > objective[i])
            for j in remaining)]
        for i in current:
            layer[i] = level
        remaining -= set(current)
        level += 1
    return layer
