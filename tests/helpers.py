

from model import EnrollmentModel

SMALL = 0.01  # about 30,000 simulated workers: a 76-month run takes well under a second
_CACHE: dict[str, EnrollmentModel] = {}


def run(scale=SMALL, seed=1, horizon="2030-12", data_set="office-2024-08", **settings):
    """A finished model, cached by its arguments (treat it as read-only)."""
    key = repr((scale, seed, horizon, data_set, sorted(settings.items())))
    if key not in _CACHE:
        _CACHE[key] = EnrollmentModel(scale=scale, seed=seed, horizon=horizon,
                                      data_set=data_set, **settings).run()
    return _CACHE[key]


def results(**kwargs):
    return run(**kwargs).results()




def month_started(model: EnrollmentModel, months_done: int) -> EnrollmentModel:
    """`model` after `months_done` months, at the start of the next one: the month counted and
    its scratch arrays reset, none of its steps run yet (a mid-run state to test a step on)."""
    for _ in range(months_done):
        model.step()
    model.t += 1
    model._begin_month()
    return model
