"""Before/after on a busy machine: CPU seconds of build + 76-month run of the combined plan at
scales 0.01 and 0.05, each code in fresh processes, the two codes alternating so load drifts
hit both alike. Wall-clock figures (`python -m benchmarks`) are meaningless when other work
shares the cores; CPU time is less so (still inflated by contention for caches).

    git archive <old commit> | tar -x -C /tmp/before      # and the same for the new code
    python -m benchmarks.cpu_compare 2 /tmp/before /tmp/after     # rounds, then the two trees
"""
import json
import subprocess
import sys

SNIPPET = r'''
import json, sys, time
from benchmarks.plan import REGIONAL_PLAN
from model import EnrollmentModel
scale = float(sys.argv[1])
EnrollmentModel(scale=0.005, seed=99, horizon="2025-06", **REGIONAL_PLAN).run()   # warm imports
ts = []
for seed in (1, 2, 3):
    t = time.process_time()
    EnrollmentModel(scale=scale, seed=seed, **REGIONAL_PLAN).run()
    ts.append(time.process_time() - t)
print(json.dumps(ts))
'''


def main(rounds: int, code: dict[str, str]) -> dict:
    """CPU seconds per build + run, by code and scale; prints min and median."""
    out: dict[str, dict[float, list[float]]] = {name: {} for name in code}
    for rnd in range(rounds):
        for scale in (0.01, 0.05):
            for name in (list(code) if rnd % 2 == 0 else list(code)[::-1]):
                done = subprocess.run([sys.executable, "-c", SNIPPET, str(scale)], cwd=code[name],
                                      env={"PYTHONPATH": code[name], "PATH": "/usr/bin:/bin"},
                                      capture_output=True, text=True, check=True)
                out[name].setdefault(scale, []).extend(json.loads(done.stdout.strip().splitlines()[-1]))
    for name, by_scale in out.items():
        for scale, ts in by_scale.items():
            ts = sorted(ts)
            print(f"{name:6s} scale {scale}: min {ts[0]:.3f}  median {ts[len(ts) // 2]:.3f}  "
                  f"(n={len(ts)}) CPU s per build+run")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]), {"before": sys.argv[2], "after": sys.argv[3]})
