"""Every region folder is well formed (tests/regions/checks.py), and the checks catch each kind
of broken folder: a copy of Jambi's with one defect must give that defect's message."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.regions.checks import (REGIONS, RegionFiles, all_regions, office_problems, region_problems,
                                  regency_table, stated_total)

PROVINCES = {"sumsel", "jambi", "bengkulu"}


def test_the_three_provinces_of_the_office_have_folders():
    assert {files.id for files in all_regions()} >= PROVINCES


@pytest.mark.parametrize("files", all_regions(), ids=lambda f: f.id)
def test_region_folder_is_well_formed(files):
    assert region_problems(files) == []


def test_names_aliases_and_codes_are_unique_across_the_office():
    assert office_problems(all_regions()) == []


def test_every_regency_of_the_office_is_on_the_map():
    counts = {files.id: len(regency_table(files)) for files in all_regions() if files.id in PROVINCES}
    assert counts == {"sumsel": 17, "jambi": 11, "bengkulu": 10}


# ------------------------------------------------------------------ the checks catch defects
@pytest.fixture
def jambi(tmp_path):
    folder = tmp_path / "jambi"
    shutil.copytree(REGIONS / "jambi", folder)
    return RegionFiles("jambi", folder, folder)


def _edit(files, name, old, new):
    path = files.path(name)
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _one(files, fragment):
    problems = region_problems(files)
    assert any(fragment in p for p in problems), problems
    return problems


def test_the_copy_is_clean(jambi):
    assert region_problems(jambi) == []


def test_a_bps_code_missing_from_the_boundaries(jambi):
    path = jambi.path("regencies.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["bps_code"] != "1572"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    _one(jambi, "bps codes ['1572'] are not in both")


def test_a_wrong_bps_code(jambi):
    _edit(jambi, "regencies.csv", "Tebo,1508,", "Tebo,1608,")
    _one(jambi, "4 digits starting with the province code 15")



def test_a_name_that_is_not_the_boundaries_one(jambi):
    _edit(jambi, "regencies.csv", "Batang Hari,1504,Batanghari,", "Batang Hari,1504,,")
    _edit(jambi, "regencies.csv", "Batang Hari,1504", "Batanghari Raya,1504")
    _one(jambi, "is 'Batang Hari' in regencies.geojson")


def test_a_point_outside_its_regency(jambi):
    _edit(jambi, "regencies.csv", "-2.037,101.469", "-3.037,101.469")
    _one(jambi, "Kerinci: lat/lon (-3.037, 101.469) lies outside")


def test_segments_that_do_not_add_up(jambi):
    _edit(jambi, "datasets.toml", "active_informal = 155_590", "active_informal = 155_000")
    _one(jambi, "the segments add up to 518,042")


def test_a_data_set_without_a_source(jambi):
    _edit(jambi, "datasets.toml", 'source = "[J2]', 'source = "" # [J2]')
    _one(jambi, "label and source are required")


def test_an_assumption_without_a_range(jambi):
    _edit(jambi, "workforce.toml", "per_kecamatan = 2\nrange = [1, 3]\n", "per_kecamatan = 2\n")
    _one(jambi, "[markets] is an assumption without a range")


def test_a_value_outside_its_range(jambi):
    _edit(jambi, "workforce.toml", "share_of_farmers = 0.5", "share_of_farmers = 0.9")
    _one(jambi, "lies outside its range [0.3, 0.7]")


def test_a_palm_regency_of_another_province(jambi):
    _edit(jambi, "workforce.toml", '"Tebo"]', '"Tebo", "Musi Banyuasin"]')
    _one(jambi, "[palm] names 'Musi Banyuasin'")


def test_pools_too_small_for_month_0(jambi):
    _edit(jambi, "workforce.toml", "construction = 0.04\ninformal = 0.45", "construction = 0.01\ninformal = 0.48")
    _one(jambi, "active construction workers at month 0 exceed")


def test_a_subsidy_for_an_unknown_group(jambi):
    _edit(jambi, "subsidies.toml", 'eligible = ["urban"]', 'eligible = ["religious"]')
    _one(jambi, "needs beneficiaries >= 0, eligible of")


def test_more_subsidised_vulnerable_workers_than_there_are(jambi):
    _edit(jambi, "subsidies.toml", "beneficiaries = 118_875", "beneficiaries = 218_875")
    _one(jambi, "pays for 218,875 vulnerable workers")


def test_a_target_before_month_0(jambi):
    _edit(jambi, "targets.toml", 'month = "2024-10"', 'month = "2024-06"')
    _one(jambi, "reads a month before month 0 (2024-08)")


def test_a_target_file_off_schema(jambi):
    _edit(jambi, "targets.toml", "tolerance = 0.02", "tolerence = 0.02")
    _one(jambi, "targets.toml:")


def test_a_history_programme_before_month_0(jambi):
    _edit(jambi, "history.toml", 'start = "2024-11"', 'start = "2024-07"')
    _one(jambi, "starts at or before month 0")


def test_a_history_observation_of_an_unknown_regency(jambi):
    _edit(jambi, "history.toml", 'scope = "Tebo"', 'scope = "Atlantis"')
    _one(jambi, "needs month, scope")


def test_a_history_without_its_last_month(jambi):
    _edit(jambi, "history.toml", 'through = "2026-11"', 'through = "late 2026"')
    _one(jambi, "needs through")


def test_a_history_programme_after_its_last_month(jambi):
    _edit(jambi, "history.toml", 'through = "2026-11"', 'through = "2025-02"')
    _one(jambi, "dated after through")


def test_the_decision_month_is_the_next_budget_year_after_the_history(jambi):
    from model.data import region
    assert region.from_folder(jambi.folder).decision_month == "2027-01"
    _edit(jambi, "history.toml", 'through = "2026-11"', 'through = "2027-12"')
    assert region.from_folder(jambi.folder).decision_month == "2028-01"
    (jambi.folder / "history.toml").unlink()
    assert region.from_folder(jambi.folder).decision_month == "2024-09"   # no history: the month after month 0


def test_missing_attribution(jambi):
    _edit(jambi, "GEO-SOURCE.md", "licensed CC BY 3.0 IGO", "licensed somehow")
    _one(jambi, "GEO-SOURCE.md lacks the attribution")


def test_an_alias_used_in_two_provinces(jambi, tmp_path):
    _edit(jambi, "regencies.csv", "Kota Sungai Penuh,1572,Sungai Penuh,", "Kota Sungai Penuh,1572,Sungai Penuh;OKI,")
    others = [files for files in all_regions() if files.id != "jambi"]
    problems = office_problems([jambi, *others])
    assert any("'oki'" in p and "jambi/Kota Sungai Penuh" in p and "sumsel/Ogan Komering Ilir" in p
               for p in problems), problems


def test_an_alias_that_is_a_province_name(jambi):
    _edit(jambi, "regencies.csv", "Kota Jambi,1571,Jambi City,", "Kota Jambi,1571,Jambi City;Bengkulu,")
    others = [files for files in all_regions() if files.id != "jambi"]
    problems = office_problems([jambi, *others])
    assert any("'bengkulu'" in p and "jambi/Kota Jambi" in p and "the province bengkulu" in p
               for p in problems), problems


@pytest.mark.parametrize("total, text, stated", [
    (518_632, "518,632 active", True), (1_033_000, "1.033 M active", True), (1_300_000, "1.3 M active", True),
    (1_034_000, "1.033 M active", False), (518_632, "518,633 active", False), (261_814, "no number", False)])
def test_stated_total(total, text, stated):
    assert stated_total(total, text) is stated


def area_centroid(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of a (multi)polygon's area centroid, holes subtracted: the rule of
    docs/regions.md for regencies.csv's lat/lon (shoelace formula over every ring)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    total = cx = cy = 0.0
    for ring in (ring for polygon in polygons for ring in polygon):
        for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
            cross = x0 * y1 - x1 * y0
            total, cx, cy = total + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    return cy / (3 * total), cx / (3 * total)


@pytest.mark.parametrize("region", ["jambi", "bengkulu"])
def test_lat_lon_are_the_centroids_of_the_boundaries(region):
    files = next(f for f in all_regions() if f.id == region)
    features = json.loads(files.path("regencies.geojson").read_text(encoding="utf-8"))["features"]
    centroids = {f["properties"]["bps_code"]: area_centroid(f["geometry"]) for f in features}
    for row in regency_table(files).itertuples():
        lat, lon = centroids[row.bps_code]
        assert (float(row.lat), float(row.lon)) == pytest.approx((lat, lon), abs=0.0006), row.regency
