"""Calibration: fit the uncertain behavioural parameters the targets can identify.

    from experiments.calibration import calibrate, write, plot
    fit = calibrate(region="jambi")        # targets and settings from model/data/regions/jambi/targets.toml
    write(fit)                            # model/data/calibration.toml: the model's new defaults
    plot(fit)                             # docs/calibration_fit.png

The targets (model/data/regions/<id>/targets.toml, each with its source and tolerance) are the provincial
coverage figures of 2024-2025, the regencies' observed figures (each with a tolerance by its
source's quality), the national early-year dip of informal actives, Perisai recruits
per agent-month (2018) and the shape of Banerjee et al. (2021) as simulated pilot experiments
whose effects must fall in stated ranges. Month 0 is matched by construction and only checked.

The objective is the sum of squared misses in units of each target's tolerance, averaged over a
fixed set of replicate seeds: with common random numbers (model/streams.py) the same parameter
values give the same number, so a deterministic optimiser applies. The search starts from a
scrambled Sobol design over the fitted ranges (plus the current defaults), evaluated as one batch
on an executor, then runs scipy's bounded Nelder-Mead from the best point. Every evaluation runs
its replicates on the experiments executors (experiments/runner.py), so it parallelises like a
sweep. Afterwards each parameter gets an approximate 90% interval (the evaluated values whose loss
is within 2.71 of the best) that says which fitted parameters the targets pin down.

Modules, by responsibility: `targets` (the targets file, its checks, `Spec`), `objective` (the
loss over replicate seeds, `Evaluation`, `fit_table`), `fit` (`calibrate`: the search and the
intervals), `file` (the calibration file: `write`, `read`, `check`), `plot` (the fit plot).
"""

from experiments.calibration.file import check, read, write
from experiments.calibration.fit import Calibration, calibrate
from experiments.calibration.objective import Evaluation, Objective, fit_table
from experiments.calibration.plot import plot
from experiments.calibration.targets import CalibrationError, Spec, Target, load_targets

__all__ = ["Calibration", "CalibrationError",
           "Evaluation", "Objective", "Spec", "Target", "calibrate", "check", "fit_table", "load_targets",
           "plot", "read", "write"]
