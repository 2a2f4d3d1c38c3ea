"""Experiments on the cakupan model: scenario files, replicated runs, sweeps, executors,
a resumable results store, summary statistics and the `cakupan` command line.

Data flows one way: scenario TOML -> model keyword arguments -> runs on an executor -> store
-> summary -> CLI and app (docs/architecture.md).
"""

from experiments.runner import Results, run
from experiments.scenario import Scenario, library_names, load_scenario, parse_scenario
from experiments.sweep import load_sweep, sweep

__all__ = ["Results", "Scenario", "library_names", "load_scenario", "load_sweep",
           "parse_scenario", "run", "sweep"]
