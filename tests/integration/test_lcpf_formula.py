"""The formula on the real MPS file: exact to the pound, the City left out, the same result every time, and a
published version that never changes after newer data is imported."""

from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import imports, versions
from portal.lcpf.formula import ALL_CRIME
from portal.lcpf.queries import published_allocation
from portal.lcpf.shipped import CRIME_FILE, load_example_version, load_shipped_data
from portal.models import LcpfAllocation, LcpfCrimeCount, LcpfImport, OrganisationType
from tests.factories import create_organisation, local_authority
from tests.lcpf_support import import_real_files, parameters


def _crime_only_expected(pot: int, categories: dict[str, int]) -> dict[str, int]:
    """Worked out independently, with exact fractions, from the raw file: a crime-only formula over the twelve
    months December 2022 to November 2023."""
    import csv

    totals: dict[str, Fraction] = {}
    with CRIME_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["BoroughName"]
            if name in ("Unknown", "London Heathrow and London City Airports"):
                continue
            weight = categories.get(ALL_CRIME, categories.get(row["MajorText"], 0))
            months = [f"{year}{month:02d}" for year, month in [(2022, 12)] + [(2023, m) for m in range(1, 12)]]
            totals[name] = totals.get(name, Fraction(0)) + weight * sum(int(row[m]) for m in months)
    london = sum(totals.values())
    exact = {name: pot * value / london for name, value in totals.items()}
    amounts = {name: int(value) for name, value in exact.items()}
    codes = {name: local_authority(name).gss_code for name in exact}
    left = pot - sum(amounts.values())
    for name in sorted(exact, key=lambda n: (-(exact[n] - amounts[n]), codes[n]))[:left]:
        amounts[name] += 1
    return {codes[name]: amount for name, amount in amounts.items()}


@pytest.fixture
def real_data():
    return import_real_files()


def test_the_mps_file_imports_with_airports_unknown_and_no_city_reported_as_left_out(real_data):
    assert real_data.layout.startswith("MPS wide")
    assert (real_data.first_month, real_data.last_month) == (201004, 202311)
    assert real_data.boroughs == 32
    assert "London Heathrow and London City Airports: not a borough" in real_data.left_out
    assert "Unknown: not a borough" in real_data.left_out
    city = local_authority("City of London")
    assert db.session.scalar(sa.select(sa.func.count()).where(LcpfCrimeCount.local_authority_id == city.id)) == 0
    record = db.session.get(LcpfImport, real_data.import_id)
    assert record.source_filename == "MPS_Borough_Level_Crime_Historical.csv"


@pytest.mark.parametrize(
    ("pot", "categories"),
    [
        (13_105_185, {ALL_CRIME: 1}),
        (26_210_370, {ALL_CRIME: 1}),
        (1_000_003, {"ROBBERY": 2, "VIOLENCE AGAINST THE PERSON": 1}),
    ],
)
def test_a_crime_only_formula_matches_the_raw_file_to_the_pound(real_data, pot, categories):
    chosen = parameters(
        pot,
        crime_weight=Decimal(1),
        population_weight=Decimal(0),
        deprivation_weight=Decimal(0),
        crime_categories=tuple((name, Decimal(weight)) for name, weight in categories.items()),
    )
    amounts = versions.compute_live(chosen).years[0].amounts()
    assert amounts == _crime_only_expected(pot, categories)
    assert sum(amounts.values()) == pot
    assert len(amounts) == 32
    assert local_authority("City of London").gss_code not in amounts


@pytest.mark.parametrize("pot", [13_105_185, 9_999_999, 40_000_001])
def test_mixed_weights_add_up_exactly_to_the_pot_every_year_and_give_the_same_result_twice(real_data, pot):
    chosen = parameters(pot, years=(2025, 2026, 2027), crime_per_resident=True)
    first, second = versions.compute_live(chosen), versions.compute_live(chosen)
    for year in first.years:
        assert year.total() == pot
        assert sum(year.totals_by_area().values()) == pot
    assert [year.amounts() for year in first.years] == [year.amounts() for year in second.years]


def test_the_floor_is_honoured_against_the_published_version(real_data):
    published = versions.create_draft("First", parameters(13_000_000), None)
    versions.publish(published, None)
    before = {(a.local_authority_id): a.amount_pounds for a in published.allocations}
    # Crime alone moves money a long way; a 97% floor stops any borough losing more than 3%.
    chosen = parameters(
        13_000_000,
        crime_weight=Decimal(1),
        population_weight=Decimal(0),
        deprivation_weight=Decimal(0),
        floor_percent=Decimal(97),
    )
    draft = versions.create_draft("Floored", chosen, None)
    after = {a.local_authority_id: a for a in draft.allocations}
    assert sum(a.amount_pounds for a in after.values()) == 13_000_000
    assert any(a.workings["limit"] == "floor" for a in after.values())
    for la_id, allocation in after.items():
        assert allocation.amount_pounds * 100 >= before[la_id] * 97


def test_a_floor_the_pot_cannot_honour_is_reported_not_failed(real_data):
    versions.publish(versions.create_draft("First", parameters(13_000_000), None), None)
    result = versions.compute_live(parameters(12_000_000, floor_percent=Decimal(100))).years[0]
    assert result.floor_not_honoured.startswith("The pot cannot honour the floor")
    assert result.total() == 12_000_000


def test_a_published_version_gives_the_same_pounds_after_a_newer_import(real_data):
    version = versions.create_draft("2026", parameters(13_000_000), None)
    versions.publish(version, None)
    stored = {(a.local_authority_id, a.financial_year): a.amount_pounds for a in version.allocations}
    # A later file revises November 2023 for every borough.
    lines = CRIME_FILE.read_text(encoding="utf-8").splitlines()
    revised = ["MajorText,MinorText,BoroughName,202311"]
    for line in lines[1:]:
        cells = line.split(",")
        revised.append(",".join([*cells[:3], str(int(cells[-1]) * 3)]))
    imports.import_crime("\n".join(revised).encode(), "MPS_revised_202311.csv")
    assert (
        versions.compute_live(parameters(13_000_000)).years[0].amounts()
        != versions.recompute(version).years[0].amounts()
    )
    db.session.expire_all()
    again = versions.recompute(version).years[0]
    by_code = {local_authority(name).gss_code: local_authority(name).id for name in ("Lambeth", "Bexley")}
    for gss_code, la_id in by_code.items():
        assert again.amounts()[gss_code] == stored[(la_id, 2026)]
    assert db.session.scalar(sa.select(sa.func.sum(LcpfAllocation.amount_pounds))) == 13_000_000


def test_published_allocation_answers_by_borough_organisation_local_authority_or_code(real_data):
    assert published_allocation("E09000022", 2026) is None
    version = versions.create_draft("2026", parameters(13_000_000, years=(2026, 2027)), None)
    versions.publish(version, None)
    lambeth = local_authority("Lambeth")
    amount = published_allocation(lambeth, 2026)
    assert amount is not None and amount > 0
    assert published_allocation("E09000022", 2026) == amount
    council = create_organisation(organisation_type=OrganisationType.BOROUGH, borough="Lambeth")
    assert published_allocation(council, 2026) == amount
    assert published_allocation(lambeth, 2028) is None
    assert published_allocation(local_authority("City of London"), 2026) is None


def test_loading_the_shipped_files_twice_changes_nothing():
    load_shipped_data()
    first = load_example_version()
    assert first.startswith("Formula: published")
    imports_before = db.session.scalar(sa.select(sa.func.count()).select_from(LcpfImport))
    assert load_shipped_data()[0].endswith("already imported.")
    assert load_example_version() == "Formula: a version is already published."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LcpfImport)) == imports_before
    assert published_allocation("E09000022", 2025) == 497_305  # Lambeth, 2025/26, in the shipped example
