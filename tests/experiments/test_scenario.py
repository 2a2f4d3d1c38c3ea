"""Scenario files: inheritance, start, round trips and errors that name the key, file and line."""

import pytest

from experiments.scenario import ScenarioError, load_scenario, parse_scenario


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def test_a_child_states_only_what_differs(tmp_path):
    write(tmp_path, "parent.toml", 'name = "parent"\ndescription = "p"\nscale = 0.02\nseed = 7\n'
                                   '[levers.market]\nperisai_agents = 900\nperisai_commission = 0.1\n')
    child = load_scenario(write(tmp_path, "child.toml", 'base = "parent.toml"\n[levers.market]\n'
                                                        'perisai_agents = 1200\n'))
    assert child.settings == {"perisai_agents": 1200, "perisai_commission": 0.1}
    assert (child.scale, child.seed) == (0.02, 7)        # run fields are inherited
    assert (child.name, child.description) == ("child", "")  # its own identity is not


def test_inheritance_chains_through_built_ins():
    plan = load_scenario("regional_plan")
    programmes = load_scenario("local_programmes_2025")
    assert plan.settings["subsidy_budget_idr"] == programmes.settings["subsidy_budget_idr"]
    assert plan.settings["perisai_agents"] == [{"from": "2025-01", "value": 1500}]


def test_a_file_can_build_on_a_built_in_and_override_it(tmp_path):
    more = load_scenario(write(tmp_path, "more.toml", 'base = "market_ecosystem"\n'
                                                      '[levers.market]\nperisai_agents = 3000\n'))
    assert more.settings == {"perisai_agents": 3000}


def test_inheritance_cycles_are_reported(tmp_path):
    write(tmp_path, "a.toml", 'base = "b.toml"\n')
    write(tmp_path, "b.toml", 'base = "a.toml"\n')
    with pytest.raises(ScenarioError, match=r"inheritance cycle: .*a\.toml -> .*b\.toml -> .*a\.toml"):
        load_scenario(tmp_path / "a.toml")


def test_a_file_based_on_itself_is_a_cycle(tmp_path):
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(write(tmp_path, "self.toml", 'base = "self.toml"\n'))


def test_start_delays_numbers_and_tables_but_not_windows():
    scenario = parse_scenario('start = "2025-03"\n[levers.firms]\nfirms_per_month = 50\n'
                              '[levers.village]\nvillages_per_month = [{to = "2025-12", value = 5},'
                              ' {from = "2026-01", value = 9}]\n[parameters]\nstop_rate = 0.05\n')
    kwargs = scenario.model_kwargs()
    assert kwargs["firms_per_month"] == [{"from": "2025-03", "value": 50}]
    assert kwargs["villages_per_month"] == [{"from": "2025-03", "to": "2025-12", "value": 5},
                                            {"from": "2026-01", "value": 9}]
    assert kwargs["stop_rate"] == 0.05  # uncertain parameters are not time-varying


def test_pilot_keys_drop_their_prefix():
    scenario = parse_scenario('[pilot]\nunit = "village"\nunits = 40\nsubsidy_share = 1.0\n')
    assert scenario.model_kwargs()["pilot_unit"] == "village"
    assert scenario.model_kwargs()["pilot_units"] == 40


@pytest.mark.parametrize("name", ["baseline", "regional_plan", "vulnerable_subsidy"])
def test_to_toml_round_trips(name):
    scenario = load_scenario(name)
    assert parse_scenario(scenario.to_toml()) == scenario


def test_override_is_validated_like_a_file():
    with pytest.raises(ScenarioError, match="scale"):
        load_scenario("baseline").override(scale=2.0)
    assert load_scenario("baseline").override(scale=0.01, horizon="2025-06").scale == 0.01


BAD = [
    # (file text, expected line, texts the message must contain)
    ('name = "x"\n[levers.market]\nperisai_agent = 5\n', 3,
     ["levers.market.perisai_agent", "Did you mean 'perisai_agents'"]),
    ('[levers.village]\nperisai_agents = 5\n', 2, ["perisai_agents", "belongs in [levers.market]"]),
    ('take_up_rate = 0.1\n', 1, ["take_up_rate", "belongs in [parameters]"]),
    ('[pilot]\npilot_unit = "village"\n', 2, ["pilot.pilot_unit", "write 'unit'"]),
    ('\n[levers.markets]\nperisai_agents = 5\n', 2, ["levers.markets", "Did you mean 'market'",
                                                     "village, market, firms"]),
    ('[parameters]\n\ntake_up_rate = 1.5\n', 3, ["parameters.take_up_rate", "above the maximum 1"]),
    ('[levers.firms]\nfirms_per_month = "many"\n', 2, ["levers.firms.firms_per_month", "expected a number"]),
    ('seed = "one"\n', 1, ["seed", "integer"]),
    ('scale = 2\n', 1, ["scale", "less than or equal to 1"]),
    ('horizon = "2030"\n', 1, ["horizon", "YYYY-MM"]),
    ('data_set = "bps"\n', 1, ["data_set", "office-2024-08, article"]),
    ('[levers.subsidy.subsidy_budget_idr]\nLahat = 1e9\nPalembng = 2e9\n', 3,
     ["levers.subsidy.subsidy_budget_idr.Palembng", "unknown regency", "Did you mean 'Kota Palembang'"]),
    ('[levers.subsidy]\nsubsidy_budget_idr = [\n  {from = "2025-01", value = {Muba = 1e9}},\n'
     '  {from = "2026-01", value = {Plmbang = 1e9}},\n]\n', 4,
     ["subsidy_budget_idr[1].value.Plmbang", "unknown regency"]),
    ('[levers.subsidy]\nsubsidy_eligible = ["farmers"]\n', 2, ["subsidy_eligible", "Did you mean 'farmer'"]),
    ('[levers.village]\nvillages_per_month = [{form = "2025-01", value = 1}]\n', 2,
     ["villages_per_month[0].form", "from, to, value"]),
    ('start = "2025-03"\n[levers.village]\nvillages_per_month = [{from = "2025-01", value = 1}]\n', 3,
     ["villages_per_month[0].from", "before the scenario's start"]),
    ('start = "2031-01"\n', 1, ["start", "between"]),
    ('name = "x\n', 1, ["not valid TOML"]),
]


@pytest.mark.parametrize("text, line, expected", BAD)
def test_errors_name_the_file_line_and_key(tmp_path, text, line, expected):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert f"bad.toml:{line}:" in message
    for text_ in expected:
        assert text_ in message


def test_an_error_in_a_base_file_names_that_file(tmp_path):
    write(tmp_path, "parent.toml", '[parameters]\nstop_rate = -1\n')
    write(tmp_path, "child.toml", 'base = "parent.toml"\n')
    with pytest.raises(ScenarioError, match=r"parent\.toml:2: parameters\.stop_rate: -1 is below"):
        load_scenario(tmp_path / "child.toml")


def test_unknown_built_in_suggests_the_closest():
    with pytest.raises(ScenarioError, match="Did you mean 'baseline'"):
        load_scenario("basline")


def test_all_problems_of_a_section_are_reported_at_once(tmp_path):
    path = write(tmp_path, "bad.toml", '[parameters]\nstop_rate = 2\ntake_up_rate = -1\n')
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert [p.line for p in error.value.problems] == [2, 3]


def test_nothing_in_a_file_is_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f'name = "__import__(\'os\').system(\'touch {marker}\')"\n[parameters]\nstop_rate = 0.05\n'
    scenario = load_scenario(write(tmp_path, "x.toml", text))
    scenario.model_kwargs()
    assert not marker.exists()


# ---------------------------------------------------------------- bases given by name only (the app)
def test_with_bases_a_base_may_only_name_one_of_them_and_no_file_is_read(tmp_path):
    from experiments.scenario import load_scenario, parse_scenario
    import pytest
    from experiments.errors import UserError

    baseline = load_scenario("baseline")
    mine = parse_scenario('name = "mine"\nbase = "baseline"\n[levers.market]\nperisai_agents = 700\n',
                          source="mine.toml", bases={"baseline": baseline})
    derived = parse_scenario('name = "derived"\nbase = "mine"\n[levers.firms]\nfirms_per_month = 50\n',
                             source="derived.toml", bases={"baseline": baseline, "mine": mine})
    assert derived.settings["perisai_agents"] == 700 and derived.settings["firms_per_month"] == 50
    assert derived.horizon == baseline.horizon

    real = tmp_path / "real.toml"
    real.write_text('name = "real"\nbase = "baseline"\n', encoding="utf-8")
    for ref in [str(real), "../x", "/etc/passwd", "/proc/self/mem", "regional_plan"]:
        with pytest.raises(UserError) as refused:
            parse_scenario(f'name = "p"\nbase = "{ref}"\n', source="p.toml", directory=tmp_path,
                           bases={"baseline": baseline, "mine": mine})
        assert f"p.toml:2: base: {ref!r} is not a scenario this file may be based on" in str(refused.value)
        assert "Allowed: baseline, mine" in str(refused.value)
