"""Reporting problems costs time linear in the input: one key -> line index per file
(keylines.KeyLines), at most MAX_LISTED problems described and the rest counted (issue 26,
case 9). The sizes are those of the probe: 77,000 entries in a file under 1 MB."""

import pytest

from experiments import keylines
from experiments.errors import MAX_LISTED, MAX_INPUT_BYTES
from experiments.scenario import ScenarioError, load_scenario, parse_scenario
from experiments.sweep import SweepError, load_sweep

N = 77_000


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size < MAX_INPUT_BYTES
    return path


@pytest.fixture
def index_builds(monkeypatch):
    """How many times a file's text is indexed (each build is one pass over it)."""
    built = []
    original = keylines.KeyLines.__init__

    def counting(self, text):
        built.append(len(text))
        original(self, text)

    monkeypatch.setattr(keylines.KeyLines, "__init__", counting)
    return built


@pytest.mark.parametrize("layout", ["table", "inline"])
def test_77000_regency_entries_are_one_problem_at_the_table(tmp_path, index_builds, layout):
    entries = [f"R{i} = 1" for i in range(N)]
    text = ('name = "big"\n[levers.subsidy.subsidy_budget_idr]\n' + "\n".join(entries) + "\n" if layout == "table"
            else 'name = "big"\n[levers.subsidy]\nsubsidy_budget_idr = { ' + ", ".join(entries) + " }\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(_write(tmp_path, "big.toml", text))
    assert str(raised.value).splitlines()[1:] == [
        f"  {tmp_path / 'big.toml'}:{2 if layout == 'table' else 3}: levers.subsidy.subsidy_budget_idr: "
        "77,000 entries; a regency table has at most 18 (one per regency and 'others')"]
    assert index_builds == [len(text)]


def test_77000_unknown_keys_list_the_first_ones_in_file_order_and_count_the_rest(tmp_path, index_builds):
    text = 'name = "big"\n[levers.subsidy]\n' + "".join(f"x{i} = 1\n" for i in range(N))
    with pytest.raises(ScenarioError) as raised:
        load_scenario(_write(tmp_path, "keys.toml", text))
    lines = str(raised.value).splitlines()
    assert len(lines) == 1 + MAX_LISTED + 1
    assert lines[1].startswith(f"  {tmp_path / 'keys.toml'}:3: levers.subsidy.x0: unknown key 'x0'")
    last = f"  {tmp_path / 'keys.toml'}:{2 + MAX_LISTED}: levers.subsidy.x{MAX_LISTED - 1}:"
    assert lines[MAX_LISTED].startswith(last)
    assert lines[-1] == f"  ... and {N - MAX_LISTED:,} more problems (fix these first)"
    assert len(raised.value.problems) == MAX_LISTED and raised.value.more == N - MAX_LISTED
    assert index_builds == [len(text)]


def test_a_few_problems_are_all_listed_without_a_count():
    text = 'name = "two"\n[levers.subsidy]\nx = 1\ny = 2\n'
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "two.toml")
    assert len(raised.value.problems) == 2 and "more problem" not in str(raised.value)


def test_a_huge_value_is_shown_cut_short(tmp_path):
    text = 'name = "v"\n[levers]\nsubsidy = ' + repr(["a"] * 50_000).replace("'", '"') + "\n"
    with pytest.raises(ScenarioError) as raised:
        load_scenario(_write(tmp_path, "v.toml", text))
    assert len(str(raised.value)) < 400


@pytest.mark.parametrize("body, more", [
    ("".join(f"[factors.f{i}]\n" for i in range(N // 2)), N // 2 - MAX_LISTED),
    ("".join(f"x{i} = 1\n" for i in range(N)) + "[factors.stop_rate]\n", N - MAX_LISTED),
])
def test_a_sweep_file_with_77000_problems_lists_the_first_and_counts_the_rest(tmp_path, body, more):
    head = 'name = "big"\nscenarios = ["baseline"]\nreplicates = 1\ndesign = "grid"\n'
    with pytest.raises(SweepError) as raised:
        load_sweep(_write(tmp_path, "sweep.toml", head + body))
    lines = str(raised.value).splitlines()
    assert len(lines) == 1 + MAX_LISTED + 1 and all(len(line) < 400 for line in lines)
    assert lines[-1] == f"  ... and {more:,} more problems (fix these first)"


# ---------------------------------------------------------------- the index itself
TEXT = """name = "x"
base = "baseline"
[levers.subsidy]
subsidy_share = 0.5
subsidy_budget_idr = [
  { from = "2025-01", value = { "OKU Timur" = 1.6e9 } },
  { from = "2025-06", to = "2025-12", value = { PALI = 7.644e8 } },
]
[levers.village]
villages_per_month = { Palembang = 3, "Muara Enim" = 2 }
"""


@pytest.mark.parametrize("path, line", [
    (("name",), 1), (("base",), 2), (("levers",), None), (("levers", "subsidy"), 3),
    (("levers", "subsidy", "subsidy_share"), 4), (("levers", "subsidy", "subsidy_budget_idr"), 5),
    (("levers", "subsidy", "subsidy_budget_idr", 1, "to"), 7),
    (("levers", "subsidy", "subsidy_budget_idr", 1, "value", "PALI"), 7),
    (("levers", "subsidy", "subsidy_budget_idr", 0, "value", "OKU Timur"), 6),
    (("levers", "village", "villages_per_month", "Muara Enim"), 10),
    (("levers", "village", "unknown"), 9), (("nothing",), None),
])
def test_key_lines_finds_each_key_and_names_inside_values(path, line):
    assert keylines.KeyLines(TEXT).line(path) == line
