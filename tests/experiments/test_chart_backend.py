"""Drawing a chart never changes matplotlib's global state: importing the modules that draw
PNGs (report, sensitivity, calibration) and saving a chart leave the process's backend as the
program set it, and leave no figure open in pyplot (a long-lived app process would leak them)."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_charts_leave_the_global_backend_and_pyplot_alone(tmp_path):
    code = textwrap.dedent(f"""
        import sys
        import matplotlib
        matplotlib.use("svg")                       # the program's own choice
        import pandas as pd
        from experiments import calibration, report, sensitivity
        indices = pd.DataFrame({{"output": ["coverage"] * 2, "factor": ["a", "b"], "method": ["sobol"] * 2,
                                "S1": [0.2, 0.5], "S1_conf": [0.1, 0.1], "ST": [0.3, 0.6], "ST_conf": [0.1, 0.1]}})
        sensitivity.chart(indices, r"{tmp_path / 'sensitivity.png'}")
        fig, ax = report.figure((4, 3))
        ax.plot([0, 1], [1, 0])
        report._save(fig, __import__("pathlib").Path(r"{tmp_path / 'line.png'}"))
        open_figures = sys.modules["matplotlib.pyplot"].get_fignums() if "matplotlib.pyplot" in sys.modules else []
        print(matplotlib.get_backend(), len(open_figures))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "0"]
    for name in ("sensitivity.png", "line.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
