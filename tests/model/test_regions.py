"""Provinces are data: the region folders, their loader, and a province added from files alone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from model import EnrollmentModel, data, parameters
from model.data import region as regions
from model.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
SUMSEL = regions.REGIONS_DIR / "sumsel"

TINY_REGENCIES = ("regency,bps_code,aliases,kind,population,population_year,population_source,kecamatan,desa,"
                  "kelurahan,poverty_pct,lat,lon,note\n") + """\
Kota Contoh,9971,Contoh,kota,300000,2024,synthetic,3,0,20,6.0,-1.0,100.0,
Kabupaten Uji,9901,Uji;KU,kabupaten,700000,2024,synthetic,6,40,5,12.0,-1.5,100.5,
"""
TINY_REGION = """id = "tiny"
name = "Provinsi Contoh"
province_code = "99"
office = "Kanwil Contoh"
default_data_set = "office-2024-09"
[target]
coverage = 0.4
month = "2025-06"
source = "synthetic"
"""
TINY_DATASETS = """[office-2024-09]
label = "synthetic"
month0 = "2024-09"
coverage = 0.30
active_wage = 40_000
active_informal = 20_000
active_construction = 2_000
source = "synthetic"
note = ""
"""
TINY_SUBSIDIES = """premium_idr = 16_800
premium_source = "PP 44/2015"
[[regency]]
regency = "Uji"
payer = "Pemkab Uji"
beneficiaries = 1_500
eligible = ["vulnerable"]
source = "synthetic"
note = ""
[province]
beneficiaries = 0
eligible = ["vulnerable"]
source = "synthetic: the province pays nothing at month 0"
note = ""
"""


def tiny_workforce() -> str:
    """South Sumatra's workforce shapes, with the palm regencies and the Dinas Sosial count of
    the tiny province (sections naming regencies name its own)."""
    text = (SUMSEL / "workforce.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^regencies = \[.*\]$", 'regencies = ["Kabupaten Uji"]', text)
    return re.sub(r"(?m)^count = 400_000$", "count = 20_000", text)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A two-regency province written as files in a temporary folder, found through
    CAKUPAN_REGIONS (no code change)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "region.toml").write_text(TINY_REGION, encoding="utf-8")
    (folder / "regencies.csv").write_text(TINY_REGENCIES, encoding="utf-8")
    (folder / "datasets.toml").write_text(TINY_DATASETS, encoding="utf-8")
    (folder / "subsidies.toml").write_text(TINY_SUBSIDIES, encoding="utf-8")
    (folder / "workforce.toml").write_text(tiny_workforce(), encoding="utf-8")
    monkeypatch.setenv(regions.ENVIRONMENT, str(tmp_path))
    return folder


def test_south_sumatra_is_a_region_folder_with_bps_codes_matching_its_boundaries():
    region = data.load("sumsel")
    assert region.n_regencies == 17 and region.province_code == "16"
    # the office's 50% of 2025, carried to the end of the next budget year (issue 22)
    assert region.target == data.Target(0.5, "2027-12", region.target.source, region.target.note, "2025-12")
    geo = json.loads((SUMSEL / "regencies.geojson").read_text(encoding="utf-8"))
    assert sorted(f["properties"]["bps_code"] for f in geo["features"]) == sorted(region.bps_codes)
    names = {f["properties"]["bps_code"]: f["properties"]["name"] for f in geo["features"]}
    assert names[region.bps_codes[region.regency_names.index("Kota Palembang")]] == "Kota Palembang"
    assert all(code.startswith("16") for code in region.bps_codes)
    assert "sumsel" in data.region_ids()


def test_the_default_region_view_is_the_sumsel_region():
    assert data.regency_names() == data.load("sumsel").regency_names
    assert parameters.PARAMETERS["villages_per_month"].bounds == (0, 3257)
    assert data.status_quo_palm_budget() == 19_023 * 16_800 * 12


def test_a_province_added_from_files_alone_runs(tiny):
    assert "tiny" in data.region_ids()
    model = EnrollmentModel(scale=0.05, seed=3, region="tiny", horizon="2025-06").run()
    assert model.region.name == "Provinsi Contoh" and model.payers.province == 2
    results = model.results()
    first = results.iloc[0]
    assert first["coverage"] == pytest.approx(0.30, abs=0.01)
    assert first["active_informal"] == pytest.approx(20_000, rel=0.02)
    assert first["subsidised"] == pytest.approx(1_500, rel=0.05)   # Uji's programme at month 0
    regency = model.regency_table()
    assert sorted(regency["regency"].unique()) == ["Kabupaten Uji", "Kota Contoh"]
    assert len(results) == model.n_months + 1 and results["month"].iloc[-1] == "2025-06"
    # Data-dependent bounds and defaults are the tiny province's, worked out when asked.
    tiny_registry = parameters.registry("tiny")
    assert tiny_registry["villages_per_month"].bounds == (0, 65)
    assert tiny_registry["subsidy_budget_idr"].default == {"Kabupaten Uji": 1_500 * 16_800 * 12}
    assert tiny_registry["palm_subsidy_budget_idr"].default == 0
    # The province's palm farmers live only in its palm regency.
    palm = model.pop.palm
    assert palm.any() and not palm[model.pop.regency == 0].any()


def test_a_region_accepts_its_own_regency_names_only(tiny):
    model = EnrollmentModel(scale=0.05, seed=3, region="tiny", horizon="2024-12",
                            subsidy_budget_idr={"KU": 5e8, "others": 0}, villages_per_month=2)
    assert model.lever_values["subsidy_budget_idr"][1].tolist() == [0.0, 5e8]
    with pytest.raises(SettingsError, match="unknown regency 'Lahat'.*Valid regencies: Kota Contoh, Kabupaten Uji"):
        EnrollmentModel(scale=0.05, seed=3, region="tiny", subsidy_budget_idr={"Lahat": 1e9})
    with pytest.raises(SettingsError, match="above the maximum 65"):
        EnrollmentModel(scale=0.05, seed=3, region="tiny", villages_per_month=66)


@pytest.mark.parametrize("bad", ["jambee", "../sumsel", "Sumsel", "", "sumsel/..", 7, None])
def test_an_unknown_region_names_the_field_and_the_valid_ones(bad):
    with pytest.raises(data.UnknownNameError, match=r"^region: .*[Vv]alid: .*sumsel"):
        EnrollmentModel(scale=0.01, seed=1, region=bad)


def test_a_broken_region_folder_says_which_file_and_field(tiny):
    shutil.copytree(tiny, tiny.parent / "broken")
    broken = tiny.parent / "broken"
    (broken / "region.toml").write_text(TINY_REGION.replace('"tiny"', '"broken"'), encoding="utf-8")
    (broken / "regencies.csv").write_text(TINY_REGENCIES.replace("9971", "99x1"), encoding="utf-8")
    with pytest.raises(data.RegionError, match="regencies.csv: bps_code must be 4 digits"):
        data.load("broken")
    (broken / "regencies.csv").write_text(TINY_REGENCIES, encoding="utf-8")
    (broken / "region.toml").write_text(TINY_REGION.replace('"tiny"', '"other"'), encoding="utf-8")
    with pytest.raises(data.RegionError, match="id = 'other'; it must be the folder's name"):
        data.load("broken")
    (broken / "region.toml").write_text(TINY_REGION.replace('"tiny"', '"broken"').replace(
        'default_data_set = "office-2024-09"', 'default_data_set = "none"'), encoding="utf-8")
    with pytest.raises(data.UnknownNameError, match="data_set: unknown data set 'none'"):
        data.load("broken")


def test_the_same_seed_gives_the_same_run_in_a_new_region(tiny):
    a = EnrollmentModel(scale=0.05, seed=5, region="tiny", horizon="2025-02").run().results()
    b = EnrollmentModel(scale=0.05, seed=5, region="tiny", horizon="2025-02").run().results()
    assert a.equals(b)
    assert not np.isnan(a["coverage"]).any()


def test_the_run_field_region_reaches_the_model_and_checks_names_against_its_region(tiny):
    from experiments.scenario import ScenarioError, load_scenario, parse_scenario

    text = 'name = "plan"\nregion = "tiny"\nhorizon = "2025-03"\n[levers.subsidy]\nsubsidy_budget_idr = { KU = 5e8 }\n'
    scenario = parse_scenario(text)
    kwargs = scenario.model_kwargs()
    assert kwargs["region"] == "tiny" and kwargs["data_set"] == "office-2024-09"   # its default
    assert EnrollmentModel(**kwargs).region.id == "tiny"
    assert "region" not in load_scenario("baseline").model_kwargs()      # earlier run keys hold
    assert parse_scenario(scenario.to_toml()) == scenario
    with pytest.raises(ScenarioError, match=r"region: unknown region 'tinny'.*Did you mean 'tiny'\?"):
        parse_scenario(text.replace('"tiny"', '"tinny"'))
    # A regency of another province of the office is left to it (experiments/office.py); a name
    # of no province is an error naming the run's province.
    assert "subsidy_budget_idr" not in parse_scenario(text.replace("KU =", "Lahat =")).model_kwargs()
    with pytest.raises(ScenarioError, match="unknown regency 'Nowhere' in Provinsi Contoh"):
        parse_scenario(text.replace("KU =", "Nowhere ="))
    with pytest.raises(ScenarioError, match="unknown regency 'Nowhere' in Sumatera Selatan"):
        load_scenario("baseline").with_settings(subsidy_budget_idr={"Nowhere": 1e9})
    # "Uji", a regency of the tiny province, is left to it by South Sumatra.
    assert "subsidy_budget_idr" not in load_scenario("baseline").override(decision_month="none").with_settings(
        subsidy_budget_idr={"Uji": 1e9}).model_kwargs()
    moved = load_scenario("baseline").override(region="tiny")
    assert moved.region == "tiny" and moved.data_set == "office-2024-09"
    assert moved.model_kwargs()["data_set"] == "office-2024-09"


@pytest.mark.parametrize("line, message", [
    ("region = 5", "region: Input should be a valid string; got 5"),
    ('region = "../sumsel"', "region: unknown region '../sumsel'. Did you mean 'sumsel'? Allowed: "),
    ('region = ""', "region: unknown region ''. Allowed: "),
    ('region = "<b>x</b>"', "region: unknown region '<b>x</b>'. Allowed: "),
])
def test_a_scenario_files_region_is_an_id_of_a_folder_never_a_path(line, message):
    from experiments.scenario import ScenarioError, parse_scenario

    with pytest.raises(ScenarioError, match=re.escape(f"<text>:2: {message}")):
        parse_scenario(f'name = "x"\n{line}\n')


def test_a_region_sets_an_uncertain_parameters_default_and_prior_from_its_own_data(tiny):
    """region.toml [parameters.<name>] (Jambi's disbursement lag): the region's runs take its
    value, the ensemble its prior; other regions keep the national default."""
    (tiny / "region.toml").write_text(TINY_REGION + """
[parameters.subsidy_disbursement_lag]
value = 1
prior = [0, 2]
source = "the office's series shows no early-year dip"
""", encoding="utf-8")
    lag = parameters.registry("tiny")["subsidy_disbursement_lag"]
    assert lag.default == 1 and lag.source.startswith("tiny: the office's series shows no early-year dip")
    assert parameters.prior_range("subsidy_disbursement_lag", "tiny") == (0.0, 2.0)
    assert parameters.priors("tiny")["subsidy_disbursement_lag"] == 1
    assert parameters.registry("sumsel")["subsidy_disbursement_lag"].default == 3
    assert parameters.prior_range("subsidy_disbursement_lag") == (2, 4)     # the default region's
    model = EnrollmentModel(scale=0.05, seed=3, region="tiny", horizon="2025-02")
    assert model.params["subsidy_disbursement_lag"] == 1


@pytest.mark.parametrize("entry, message", [
    ('[parameters.perisai_agents]\nvalue = 1\nprior = [0, 2]\nsource = "x"\n',
     "perisai_agents is not an uncertain parameter"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = 3\nprior = [0, 2]\nsource = "x"\n', "must lie in order within"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = 1\nprior = [0, 2]\n', "needs exactly value = a number, prior"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = 1\nprior = [0, 2]\nsource = "x"\nrun = "rm -rf /"\n',
     "needs exactly value"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = "1"\nprior = [0, 2]\nsource = "x"\n', "finite numbers"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = 1\nprior = [0]\nsource = "x"\n', "prior = \\[low, high\\]"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = nan\nprior = [0, 2]\nsource = "x"\n', "finite numbers"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = true\nprior = [0, 2]\nsource = "x"\n', "finite numbers"),
    ('[parameters.subsidy_disbursement_lag]\nvalue = 1\nprior = [0, 2]\nsource = " "\n', "a source that is not empty"),
    ('[parameters]\nsubsidy_disbursement_lag = 2\n', "needs exactly value"),
])
def test_a_regions_own_parameter_must_be_uncertain_and_within_its_bounds(tiny, entry, message):
    (tiny / "region.toml").write_text(TINY_REGION + "\n" + entry, encoding="utf-8")
    with pytest.raises(data.RegionError, match=message):
        parameters.registry("tiny")


def test_a_regions_parameters_must_be_tables_of_entries(tiny):
    (tiny / "region.toml").write_text('parameters = "lag"\n' + TINY_REGION, encoding="utf-8")
    with pytest.raises(data.RegionError, match=re.escape("parameters must be tables [parameters.<name>]")):
        parameters.registry("tiny")
