"""Golden outputs: digests of `results()` and `regency_table()` for a fixed set of runs, so a
speed-up can be checked to leave every result bit for bit as it was.

    python -m benchmarks.golden --save     # capture from the current code (before optimising)
    python -m benchmarks.golden            # compare the current code with the saved digests

The cases cover every scenario of the library (each strategy, the combined regional plan, the
village pilot), several seeds, scales, both data sets and horizons, and the reference rules.
Each table is stored as one SHA-256 per column over its exact bytes (dtype, then values), with
the column's sum beside it so a mismatch says where and by how much.
`tests/model/test_golden_outputs.py` runs the same comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import sys

import numpy as np

SAVED = pathlib.Path(__file__).with_name("saved") / "golden-outputs.json"

_RUN_FIELDS = ("scale", "seed", "data_set", "horizon")


# The scenario library as of this capture, named (not listed from the folder) so that a scenario
# added later does not need a digest until someone captures one.
LIBRARY = ("baseline", "easier_payment", "local_programmes_2025", "market_ecosystem",
           "palm_smallholders_2025", "pilot_village_subsidy", "regional_plan", "sme_partnerships",
           "socialization", "village_ecosystem", "vulnerable_subsidy")


def cases() -> list[dict]:
    """Every case: a name, the scenario (library name or "reference_rules") and run fields."""
    out = [dict(scenario=name, scale=0.01, seed=1, data_set="office-2024-08", horizon="2030-12")
           for name in LIBRARY]
    out += [
        dict(scenario="regional_plan", scale=0.01, seed=2, data_set="office-2024-08", horizon="2030-12"),
        dict(scenario="regional_plan", scale=0.02, seed=3, data_set="article", horizon="2030-12"),
        dict(scenario="regional_plan", scale=0.005, seed=11, data_set="article", horizon="2026-01"),
        dict(scenario="pilot_village_subsidy", scale=0.02, seed=5, data_set="office-2024-08",
             horizon="2026-06"),
        dict(scenario="pilot_village_subsidy", scale=0.01, seed=6, data_set="article",
             horizon="2026-06"),
        dict(scenario="vulnerable_subsidy", scale=0.015, seed=9, data_set="article", horizon="2028-06"),
        dict(scenario="baseline", scale=0.01, seed=4, data_set="article", horizon="2030-12"),
        dict(scenario="reference_rules", scale=0.01, seed=8, data_set="office-2024-08",
             horizon="2030-12"),
    ]
    for case in out:
        case["name"] = "{scenario}-s{seed}-x{scale}-{data_set}-{horizon}".format(**case)
    return out


def settings(scenario: str) -> dict:
    """The scenario's model settings without the run fields (the case sets those)."""
    if scenario == "reference_rules":
        from benchmarks.plan import REFERENCE_RULES

        return dict(REFERENCE_RULES)
    from experiments.scenario import load_scenario

    return {k: v for k, v in load_scenario(scenario).model_kwargs().items() if k not in _RUN_FIELDS}


def run_case(case: dict):
    """The model of one case, run to its horizon."""
    from model import EnrollmentModel

    return EnrollmentModel(scale=case["scale"], seed=case["seed"], data_set=case["data_set"],
                           horizon=case["horizon"], **settings(case["scenario"])).run()


def _column_digest(values) -> dict:
    """SHA-256 of a column's dtype and exact bytes (text joined by NUL), and its sum if numeric."""
    arr = np.asarray(values)
    h = hashlib.sha256()
    if arr.dtype.kind in "biuf":
        h.update(arr.dtype.str.encode())
        h.update(np.ascontiguousarray(arr).tobytes())
        total = float(np.nansum(arr.astype(float)))
    else:
        h.update(b"text")
        h.update("\x00".join(map(str, arr.tolist())).encode())
        total = None
    return {"sha256": h.hexdigest(), "sum": total}


def table_digest(frame) -> dict:
    """Shape, index, and one digest per column, in column order."""
    return {"shape": list(frame.shape),
            "index": _column_digest(frame.index.to_numpy())["sha256"],
            "columns": {str(c): _column_digest(frame[c].to_numpy()) for c in frame.columns}}


def digest(model) -> dict:
    return {"results": table_digest(model.results()), "regency_table": table_digest(model.regency_table())}


def differences(saved: dict, now: dict) -> list[str]:
    """Human-readable differences between two digests of one case (empty when identical)."""
    out = []
    for table in ("results", "regency_table"):
        a, b = saved[table], now[table]
        # Columns added after the capture (additive outputs, e.g. the regency table's spend_idr)
        # are not differences: every captured column must be there, in order, bit for bit.
        added = list(b["columns"])[len(a["columns"]):]
        b = {**b, "shape": [b["shape"][0], b["shape"][1] - len(added)],
             "columns": {c: d for c, d in b["columns"].items() if c not in added}}
        if a["shape"] != b["shape"] or list(a["columns"]) != list(b["columns"]):
            out.append(f"{table}: shape/columns {a['shape']} {list(a['columns'])} -> "
                       f"{b['shape']} {list(b['columns'])}")
            continue
        if a["index"] != b["index"]:
            out.append(f"{table}: index differs")
        for col, da in a["columns"].items():
            db = b["columns"][col]
            if da["sha256"] != db["sha256"]:
                out.append(f"{table}.{col}: sum {da['sum']!r} -> {db['sum']!r}")
    return out


def load() -> dict:
    return json.loads(SAVED.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="capture the digests from the current code")
    args = parser.parse_args(argv)
    if args.save:
        captured = {c["name"]: digest(run_case(c)) for c in cases()}
        SAVED.write_text(json.dumps(captured, indent=1) + "\n")
        print(f"saved {len(captured)} cases to {SAVED}")
        return 0
    saved, failed = load(), 0
    for case in cases():
        diff = differences(saved[case["name"]], digest(run_case(case)))
        failed += bool(diff)
        print(("DIFFERS " if diff else "same    ") + case["name"])
        for line in diff:
            print("    " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
