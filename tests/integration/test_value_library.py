"""The unit values library (audited edits) and the GDP deflator series, imported through the upload page or the
command line: a bad file is refused whole, with every problem listed."""

import io
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, DeflatorSeries, UnitValue
from portal.value import deflators
from tests.client import error_messages
from tests.factories_assessment import create_officer

BAD_CSV = b"year,index\n2024-25,98.5\n2025-26,abc\n2025,101\n1890,50\n2026/28,102\n"


def test_an_officer_adds_a_unit_value_and_every_change_is_audited(client):
    officer = create_officer()
    client.sign_in(officer)
    client.post_form(
        "/staff/value/unit-values/new",
        {
            "name": "Violence with injury",
            "value": "14,050",
            "price_year": "2015",
            "unit": "offence",
            "source": "Home Office, The economic and social costs of crime (2018), 2015/16 prices",
            "source_url": "https://www.gov.uk/government/publications/the-economic-and-social-costs-of-crime",
        },
    )
    unit_value = db.session.scalar(sa.select(UnitValue))
    assert (unit_value.value, unit_value.price_year, unit_value.unit) == (Decimal("14050.00"), 2015, "offence")

    page = client.get_page(f"/staff/value/unit-values/{unit_value.id}/edit")
    assert page.select_one("input[name=value]")["value"] == "14050"
    client.post_form(
        f"/staff/value/unit-values/{unit_value.id}/edit",
        {
            "name": "Violence with injury",
            "value": "14050.50",
            "price_year": "2015",
            "unit": "offence",
            "source": unit_value.source,
        },
    )
    audit = list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "unit_value").order_by(AuditEvent.id))
    )
    assert [e.action for e in audit] == ["unit_value.added", "unit_value.changed"]
    assert (audit[1].before["value"], audit[1].after["value"]) == ("14050.00", "14050.50")
    assert audit[1].actor_id == officer.id
    listing = client.get_page("/staff/value/unit-values").get_text(" ", strip=True)
    assert "£14,050.50" in listing and "2015/16" in listing


def test_a_unit_value_with_mistakes_shows_them_beside_the_fields_and_keeps_what_was_typed(client):
    client.sign_in(create_officer())
    page = client.post_form(
        "/staff/value/unit-values/new",
        {"name": "Robbery", "value": "lots", "price_year": "15", "unit": "", "source": "", "source_url": "gov.uk"},
        400,
    )
    assert error_messages(page) == {
        "value": "Enter an amount in pounds, like 14050 or 1234.56",
        "price_year": "Enter a year from 1950 to 2100",
        "unit": "Enter what one unit is",
        "source": "Enter where the figure comes from",
        "source_url": "Enter a web address starting https://",
    }
    assert page.select_one("input[name=value]")["value"] == "lots"
    assert db.session.scalar(sa.select(sa.func.count(UnitValue.id))) == 0


def test_a_bad_deflator_file_is_refused_with_every_problem_and_nothing_imported(client):
    client.sign_in(create_officer())
    page = client.post_form(
        "/staff/value/deflators",
        {"source": "HM Treasury", "data_file": (io.BytesIO(BAD_CSV), "deflators.csv")},
        400,
    )
    assert (
        "deflators.csv was not imported: 4 problem(s) found. Nothing was imported." in error_messages(page)["data_file"]
    )
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")] for row in page.select("table")[0].select("tbody tr")
    ]
    assert rows == [
        ["3", "index", "'abc' is not an index: a number more than 0, like 101.25"],
        ["4", "year", "2025 is also on row 3"],
        ["5", "year", "'1890' is not a year like 2024 or 2024-25 between 1950 and 2100"],
        ["6", "year", "'2026/28' is not a year like 2024 or 2024-25 between 1950 and 2100"],
    ]
    assert db.session.scalar(sa.select(sa.func.count(DeflatorSeries.id))) == 0


def test_a_file_that_is_not_a_csv_or_has_no_index_column_is_refused(client):
    client.sign_in(create_officer())
    page = client.post_form(
        "/staff/value/deflators", {"source": "HMT", "data_file": (io.BytesIO(b"x"), "deflators.xlsx")}, 400
    )
    assert error_messages(page)["data_file"].startswith("The file must be a CSV file")
    page = client.post_form(
        "/staff/value/deflators",
        {"source": "HMT", "data_file": (io.BytesIO(b"year,value\n2024,1\n"), "d.csv")},
        400,
    )
    assert "There is no index column in the header row" in page.get_text()


def test_a_good_deflator_file_becomes_the_series_in_use(client):
    officer = create_officer()
    client.sign_in(officer)
    client.post_form(
        "/staff/value/deflators",
        {
            "source": "HM Treasury GDP deflators, September 2025",
            "data_file": (io.BytesIO(b"Year,Index,Notes\n2024-25,98.5,\n2025-26,100,base\n"), "gdp.csv"),
        },
    )
    series = deflators.fetch_current_series()
    assert series.by_year == {2024: Decimal("98.5"), 2025: Decimal("100")}
    assert series.imported_by_id == officer.id
    page = client.get_page("/staff/value/deflators").get_text(" ", strip=True)
    assert "HM Treasury GDP deflators, September 2025" in page and "2024/25" in page


def test_the_command_line_refuses_a_bad_file_with_a_non_zero_exit_and_imports_a_good_one(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_CSV)
    result = runner.invoke(args=["value", "import-deflators", str(bad), "--source", "HMT"])
    assert result.exit_code == 1
    assert "bad.csv was not imported. Nothing was changed." in result.output
    assert "Row 4, year: 2025 is also on row 3" in result.output
    assert db.session.scalar(sa.select(sa.func.count(DeflatorSeries.id))) == 0

    good = tmp_path / "good.csv"
    good.write_bytes(b"year,index\n2023,95\n2024,98\n")
    result = runner.invoke(args=["value", "import-deflators", str(good), "--source", "HMT"])
    assert result.exit_code == 0, result.output
    assert "Imported good.csv: 2 years, 2023 to 2024." in result.output
    assert deflators.fetch_current_series().source == "HMT"
