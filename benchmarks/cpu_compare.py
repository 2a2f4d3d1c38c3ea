"""Before/after on a busy machine: CPU seconds of build + 76-month run at scales 0.01 and 0.05,
of the status quo (`EnrollmentModel(scale, seed)`, the optimiser's unit of work) and the combined
regional plan, each code in fresh processes, the two codes alternating so load drifts hit both
alike. Wall-clock figures (`python -m benchmarks`) are meaningless when other work shares the
cores; CPU time is less so (still inflated by contention for caches).

    git archive <old commit> | tar -x -C /tmp/before      # and the same for the new code
    python -m benchmarks.cpu_compare 2 /tmp/before /tmp/after [out.json]   # rounds, two trees
"""
import json
import os
import subprocess
import sys

SNIPPET = r'''
import json, sys, time
from benchmarks.plan import REGIONAL_PLAN
from model import EnrollmentModel
scale, plan = float(sys.argv[1]), REGIONAL_PLAN if sys.argv[2] == "regional_plan" else {}
EnrollmentModel(scale=0.005, seed=99, horizon="2025-06", **REGIONAL_PLAN).run()   # warm imports
ts = []
for seed in (1, 2, 3):
    t = time.process_time()
    EnrollmentModel(scale=scale, seed=seed, **plan).run()
    ts.append(time.process_time() - t)
print(json.dumps(ts))
'''


SETTINGS = ("status_quo", "regional_plan")


def main(rounds: int, code: dict[str, str]) -> dict:
    """CPU seconds per build + run, by code, settings and scale; prints min and median."""
    out: dict[str, dict[str, list[float]]] = {name: {} for name in code}
    for rnd in range(rounds):
        for settings in SETTINGS:
            for scale in (0.01, 0.05):
                for name in (list(code) if rnd % 2 == 0 else list(code)[::-1]):
                    done = subprocess.run([sys.executable, "-c", SNIPPET, str(scale), settings],
                                          cwd=code[name], capture_output=True, text=True, check=True,
                                          env={"PYTHONPATH": code[name], "PATH": "/usr/bin:/bin"})
                    times = json.loads(done.stdout.strip().splitlines()[-1])
                    out[name].setdefault(f"{settings} {scale}", []).extend(times)
    for name, by_case in out.items():
        for case, ts in by_case.items():
            ts = sorted(ts)
            print(f"{name:6s} {case}: min {ts[0]:.3f}  median {ts[len(ts) // 2]:.3f}  "
                  f"(n={len(ts)}) CPU s per build+run")
    return out


if __name__ == "__main__":
    figures = main(int(sys.argv[1]), {"before": sys.argv[2], "after": sys.argv[3]})
    if len(sys.argv) > 4:
        with open(sys.argv[4], "w", encoding="utf-8") as f:
            json.dump({"load": list(os.getloadavg()), "cpu_s": figures}, f, indent=1)
