"""The search: Optuna (TPE or NSGA-II) in batches on the runner, a local phase, successive
halving over the rungs, then the report. The study lives in memory; evaluations.jsonl is the
stored state a rerun replays (parameters, metrics, the sampler's attributes and random state
after each batch), so a resumed search takes the path an uninterrupted one takes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.errors import UserError
from experiments.executors import Stopped
from experiments.optimize import report
from experiments.optimize.constraints import study_values, violations
from experiments.optimize.evaluate import Evaluator, ModelEvaluator
from experiments.optimize.evaluations import Evaluations
from experiments.optimize.local import LocalPhase, neighbours
from experiments.optimize.payers import spend_by_year
from experiments.optimize.problem import OptProblem, Rung, fingerprint
from experiments.optimize.rungs import Clock, Progress, promoted
from experiments.optimize.sensitivity import sensitivity
from experiments.optimize.space import (distributions, label, lever_values, restore_sampler, sampler,
                                        sampler_state, scenario_of, space, status_quo_params,
                                        upper_bound_params)
from experiments.scenario import Scenario
from experiments.store import Store, StoreError, write_atomic

if TYPE_CHECKING:
    import pandas as pd

PROBLEM_FILE = "problem.json"


def optimize(problem: OptProblem, out: str | Path | None = None, executor=None,
             evaluator: Evaluator | None = None, draws: Sequence[dict[str, Any]] | None = None,
             on_progress: Callable[[Progress], None] | None = None,
             stop: Callable[[], bool] | None = None) -> report.Outcome:
    """Search, re-evaluate the promising on each rung, and report; resumable in `out` (held with
    the store's folder lock while the search writes it).

    `evaluator` replaces the model (tests use an analytic one); `draws` are parameter draws
    applied to replicate r (the parameter ensemble); `stop` is polled between batches."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    evaluator = evaluator or ModelEvaluator(problem, executor, draws)
    workers = getattr(executor, "workers", 1) or 1
    batch = problem.search.batch or max(8, 2 * workers)
    if out is None:
        return _Run(problem, None, evaluator, batch, on_progress, stop).run()
    folder = Path(out)
    try:
        with Store(folder).writing(runs=False):
            return _Run(problem, folder, evaluator, batch, on_progress, stop).run()
    except StoreError as error:
        raise UserError(str(error).replace("another --out folder", "another folder (--out)")) from None


class _Run:
    """One invocation of the search (state: the study, the evaluations, the clock)."""

    def __init__(self, problem: OptProblem, folder: Path | None, evaluator: Evaluator, batch: int,
                 on_progress: Callable[[Progress], None] | None, stop: Callable[[], bool] | None):
        self.problem, self.folder, self.evaluate, self.batch = problem, folder, evaluator, batch
        self.on_progress, self.stop = on_progress, stop or (lambda: False)
        self.clock = Clock(problem)
        self.log = Evaluations(folder / "evaluations.jsonl" if folder else None, problem)
        self.dims = space(problem)
        self.dists = distributions(self.dims)
        self.local = LocalPhase()
        self.study = self._study()

    def _study(self):
        """An Optuna study in memory, replaying the candidates of evaluations.jsonl up to the
        last whole batch: their parameters, first-rung metrics and sampler attributes, then
        the sampler's random state and the local phase's state after that batch."""
        import optuna

        p = self.problem
        if self.folder:
            self._check_problem()
        chosen = sampler(p, self.batch)
        study = optuna.create_study(study_name=p.name, sampler=chosen, directions=["minimize", "maximize"])
        done = self.log.replayable()
        self.log.forget(from_trial=done)
        for number in range(done):
            m = self.log.metrics[(number, 0)]
            study.add_trial(optuna.trial.create_trial(
                params=self.log.params[number], distributions=self.dists, values=study_values(p, m),
                constraints=violations(p, m), system_attrs=self.log.attrs.get(number, {})))
        if done:
            state = self.log.batches[done]
            restore_sampler(chosen, state["sampler"])
            self.local = LocalPhase(**state["local"])
        return study

    def _check_problem(self) -> None:
        """Only search.trials may change between runs into one folder (problem.json)."""
        assert self.folder is not None
        path = self.folder / PROBLEM_FILE
        if not path.exists() and (self.folder / "study.log").exists():
            raise UserError(f"{self.folder} holds a search of an older cakupan (study.log); choose another "
                            "folder (or delete it to start over)")
        if path.exists() and path.read_text(encoding="utf-8", errors="replace") != fingerprint(self.problem):
            raise UserError(f"{self.folder} holds a search of another problem (or of an older cakupan); "
                            "choose another folder (or delete it to start over). Only search.trials may "
                            "change between runs into one folder")
        write_atomic(path, fingerprint(self.problem))

    def run(self) -> report.Outcome:
        p, search = self.problem, self.problem.search
        rung0 = search.rungs[0]
        done = len(self.study.trials)           # the candidates replayed from the log
        if not done:
            self.study.enqueue_trial(status_quo_params(p))
        self.clock.add(done, rung0, ran=False)
        local_from = int(search.trials * (1 - search.polish))
        converged = self.log.converged == search.trials
        while done < search.trials and not converged:
            self._check_stop()
            n = min(self.batch, search.trials - done)
            if done >= local_from:
                # The cheapest plan within the constraints. When the global phase found none (a
                # target near the bounds' reach), the local phase first tries the plan with every
                # lever at its upper bound, then walks from the closest plan (the least violation).
                incumbent = self.log.incumbent(0)
                if incumbent is None and not self.local.anchored:
                    self.local.anchored = True
                    self.study.enqueue_trial(upper_bound_params(p))
                elif incumbent is None:
                    incumbent = next(iter(self.log.ranking(0)), None)
                self.local.advance(incumbent)
                if self.local.converged(search.patience):
                    converged = True
                    self.log.add_converged(search.trials)
                    break
                if incumbent is not None:
                    for x in neighbours(self.dims, self.log.params[incumbent], self.local.step, n, p.seed + done):
                        self.study.enqueue_trial(x)
            trials = [self.study.ask(self.dists) for _ in range(n)]
            self._tell(trials, rung0, done + n)
            done += n
        self.clock.plan(done)
        candidates = {n: self.log.params[n] for n in range(done)}
        ranked = [t for t in self.log.ranking(0) if t in candidates]
        for level, rung in enumerate(search.rungs[1:], 1):
            ranked = ranked[:promoted(len(ranked), search.promote)]
            self._evaluate_logged(ranked, candidates, rung, level)
            ranked = [t for t in self.log.ranking(level) if t in ranked]
        return self._report(candidates, len(search.rungs) - 1)

    def _tell(self, trials, rung0: Rung, done: int) -> None:
        p = self.problem
        scenarios = [scenario_of(p, lever_values(p, t.params), rung0, label(p, t.number)) for t in trials]
        metrics = self.evaluate(scenarios, rung0)
        for trial, m in zip(trials, metrics, strict=True):
            for key, value in violations(p, m).items():
                trial.set_constraint(key, value)
            self.study.tell(trial.number, study_values(p, m))
        frozen = {t.number: t for t in self.study.get_trials(deepcopy=False)}
        self.log.add_batch([(t.number, m, t.params, _json_attrs(frozen[t.number].system_attrs))
                            for t, m in zip(trials, metrics, strict=True)],
                           done, sampler_state(self.study.sampler), self.local.state())
        self.clock.add(len(trials), rung0)
        self._progress("search", 0)

    def _evaluate_logged(self, numbers: list[int], candidates, rung: Rung, level: int) -> None:
        p = self.problem
        todo = [n for n in numbers if (n, level) not in self.log.metrics]
        self.clock.add(len(numbers) - len(todo), rung, ran=False)
        for i in range(0, len(todo), self.batch):
            self._check_stop()
            chunk = todo[i:i + self.batch]
            scenarios = [scenario_of(p, lever_values(p, candidates[n]), rung, label(p, n)) for n in chunk]
            self.log.add_many([(n, level, m) for n, m in zip(chunk, self.evaluate(scenarios, rung), strict=True)])
            self.clock.add(len(chunk), rung)
            self._progress(f"re-evaluation {level}/{len(p.search.rungs) - 1}", level)

    def _check_stop(self) -> None:
        if self.stop():
            raise Stopped("stopped; what finished is saved" + (
                f" in {self.folder}: run the same command to resume" if self.folder else ""))

    def _progress(self, phase: str, level: int) -> None:
        if not self.on_progress:
            return
        elapsed, left = self.clock.left()
        self.on_progress(Progress(phase, round(self.clock.done_units, 6), round(self.clock.total_units, 6),
                                  elapsed, left, self.log.front(level)))

    def _report(self, candidates: dict[int, dict], level: int) -> report.Outcome:
        p = self.problem
        rung = p.search.rungs[level]
        table = self.log.table(level)
        scenarios = {int(n): scenario_of(p, lever_values(p, candidates[n]), rung, label(p, n))
                     for n in table["trial"]}
        best, reachable, closest = report.choose(p, table)
        recommended = best.iloc[0].to_dict() if not best.empty else None
        outcome = report.Outcome(p, table, self.log.front(level), recommended, reachable, closest, scenarios,
                                 folder=self.folder)
        if recommended is not None:
            trial = int(recommended["trial"])
            tables = self._plan_runs(scenarios[trial], rung)
            spend = report.expected_spend(p, tables[1]) if tables and "spend_idr" in tables[1] else None
            outcome.by_regency = report.by_regency(p, scenarios[trial], spend)
            if tables and "spend_idr" in tables[1]:
                outcome.spend_by_year = spend_by_year(p, *tables)
            if p.search.sensitivity:
                outcome.sensitivity = sensitivity(p, candidates[trial], rung, recommended, self.log.sensitivity,
                                                  lambda chunk: self._sensitivity_batch(chunk, rung), self.batch)
        if self.folder:
            report.write(outcome, self.folder)
        return outcome

    def _plan_runs(self, plan: Scenario, rung: Rung) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The recommended plan's runs at the last rung again (the evaluations keep only
        metrics), the same seeds and draws, so the same worlds as its metrics: its outputs and
        regency tables, for the spend by regency and by budget year and payer. None when the
        evaluator runs no model (an analytic one in tests)."""
        if not isinstance(self.evaluate, ModelEvaluator):
            return None
        self._check_stop()
        return self.evaluate.run([plan], rung)[0]

    def _sensitivity_batch(self, chunk: list, rung: Rung) -> None:
        self._check_stop()
        metrics = self.evaluate([s for _, s in chunk], rung)
        self.log.add_sensitivity([(name, m) for (name, _), m in zip(chunk, metrics, strict=True)])
        self.clock.add(len(chunk), rung)
        self._progress("sensitivity", len(self.problem.search.rungs) - 1)


def _json_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """A trial's sampler attributes that a replayed study needs (NSGA-II's generation; the
    constraints and enqueued parameters are given again by create_trial)."""
    return {k: v for k, v in attrs.items() if not k.startswith(("constraints", "fixed_params"))}
