"""An uploaded scenario is checked in a child process with a time budget (viz/budget.py): the
page's thread only waits, an over-long check is stopped and its process is gone, and the
problems come back as the same errors the CLI gives (issue 26, case 9)."""

import time

import psutil
import pytest

from experiments.scenario import ScenarioError
from viz import backend, budget



def test_a_check_over_its_budget_is_stopped_and_its_process_is_gone():
    start = time.monotonic()
    with pytest.raises(budget.OverBudget, match=r"slow.toml: checking took longer than 0.5 s"):
        budget.run(time.sleep, (60,), 0.5, "slow.toml")
    assert time.monotonic() - start < 10
    servers = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
    assert len(servers) == 1                               # the checks' parent (the pool's too)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(servers[0].children()):
        time.sleep(0.1)
    assert _alive(servers[0].children()) == []


def _alive(processes):
    found = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def test_an_upload_of_77000_regency_entries_is_refused_with_one_line():
    entries = ", ".join(f"R{i} = 1" for i in range(77_000))
    data = f'name = "big"\n[levers.subsidy]\nsubsidy_budget_idr = {{ {entries} }}\n'.encode()
    assert len(data) < backend.MAX_UPLOAD_BYTES
    with pytest.raises(ScenarioError) as raised:
        backend.parse_upload("big.toml", data)
    assert raised.value.problems[0].line == 3 and "77,000 entries" in str(raised.value)


def test_errors_keep_their_type_and_problems_across_the_process():
    with pytest.raises(ScenarioError) as raised:
        backend.parse_upload("typo.toml", b'name = "t"\n[levers.market]\nperisai_agent = 5\n')
    assert raised.value.problems[0].line == 3 and raised.value.problems[0].path == "levers.market.perisai_agent"
    with pytest.raises(backend.limits.LimitError, match="t.toml: horizon: 2099-12"):
        backend.parse_upload("t.toml", b'name = "t"\nhorizon = "2099-12"\n')
    assert backend.parse_upload("ok.toml", b'name = "ok"\nbase = "baseline"\n').name == "ok"


def test_an_unexpected_error_in_the_child_carries_its_traceback():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        budget.run(divmod, (1, 0), 10, "x.toml")
