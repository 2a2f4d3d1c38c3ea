"""The optimisation benchmark: the default problem for the Kanwil, and its out-of-sample check."""

from types import SimpleNamespace

from benchmarks import optimize_bench as bench
from experiments import optimize as opt


def test_the_kanwil_option_is_the_default_problem_with_the_offices_region():
    sumsel, kanwil = bench.load("reach_50"), bench.load("reach_50", "kanwil")
    assert sumsel.base.region == "sumsel" and kanwil.base.region == "kanwil"
    assert kanwil.objective == sumsel.objective and kanwil.search == sumsel.search
    assert kanwil.budget == sumsel.budget and kanwil.decision == sumsel.decision == "2027-01"
    assert len(opt.space(sumsel)) == 30 and len(opt.space(kanwil)) == 51    # the regencies of 3 provinces


def test_the_out_of_sample_check_reruns_the_plan_with_new_seeds_at_a_larger_scale(monkeypatch):
    monkeypatch.setattr(bench, "VERIFY_REPLICATES", 2)
    problem = bench.load("reach_50")
    last = problem.search.rungs[-1]
    rung = opt.Rung(scale=0.002, replicates=2)
    problem = problem.model_copy(update={"search": problem.search.model_copy(update={"rungs": [rung]})})
    status_quo = opt.scenario_of(problem, opt.lever_values(problem, opt.status_quo_params(problem)), rung, "sq")
    outcome = SimpleNamespace(recommended={"trial": 0}, scenarios={0: status_quo}, reachable=True)
    checked = bench.verify(problem, outcome, workers=1)
    assert checked is not None and last.scale > rung.scale
    assert checked["scale"] == rung.scale * bench.VERIFY_SCALE_FACTOR and checked["replicates"] == 2
    assert checked["seed"] == problem.seed + bench.VERIFY_SEED_OFFSET
    # the status quo is far below 50% in 2027-12: it does not meet the target
    assert checked["p_target"] == 0 and checked["coverage_mean"] < 0.45 and not checked["meets_target"]
    assert bench.verify(problem, SimpleNamespace(recommended=None), workers=1) is None
