"""The per-phase timer times every phase of the model's month, once a month, and changes nothing."""

from collections import defaultdict

from agents import local_government
from benchmarks import phases
from benchmarks.plan import REGIONAL_PLAN
from model import EnrollmentModel
from model.behaviour import formal, take_up

SMALL = dict(scale=0.003, seed=2, horizon="2025-09", **REGIONAL_PLAN)


def test_every_phase_is_timed_once_a_month_and_the_run_is_unchanged():
    plain = EnrollmentModel(**SMALL).run().results()
    model = EnrollmentModel(**SMALL)
    times = defaultdict(list)
    with phases.timing(model, times):
        model.run()
    assert model.results().equals(plain)
    names = {f"{module.rsplit('.', 1)[-1]}.{name}" for module, name in phases.MODULE_PHASES}
    names |= {f"{actor}.{name}" for actor, name in phases.ACTOR_PHASES} | {"model._begin_month"}
    assert set(times) == names
    assert all(len(times[name]) == model.n_months for name in names)
    assert all(t >= 0 for name in names for t in times[name])


def test_the_phases_are_unwrapped_afterwards():
    step_all, turnover, step = local_government.step_all, formal.turnover, take_up.step
    model = EnrollmentModel(**SMALL)
    with phases.timing(model, defaultdict(list)):
        assert local_government.step_all is not step_all
        assert "visit" in vars(model.perisai)
    assert (local_government.step_all, formal.turnover, take_up.step) == (step_all, turnover, step)
    assert "visit" not in vars(model.perisai) and "_begin_month" not in vars(model)


def test_the_command_prints_each_phase_with_its_first_and_last_months(capsys):
    phases.main(["0.002", "1", "bengkulu"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bengkulu at scale 0.002")
    assert out[1].split()[:2] == ["the", "month"]
    rows = {line.split()[0]: line.split() for line in out[2:]}
    assert {"local_government.step_all", "perisai.visit", "collector.record"} <= set(rows)
    assert all(row[3] == "->" for row in rows.values())
