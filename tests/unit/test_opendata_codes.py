"""Amounts written exactly, and every code the 360Giving file uses taken from the codelists shipped with it."""

import csv

import pytest

from portal.opendata import threesixty, validation


@pytest.mark.parametrize(
    ("pence", "expected", "kind"),
    [
        (1, 0.01, float),
        (12_345_67, 12345.67, float),
        (80_000_00, 80000, int),
        (999_999_999_999_99, 999999999999.99, float),
    ],
)
def test_pence_become_exact_pounds(pence, expected, kind):
    amount = threesixty.pounds(pence)
    assert amount == expected and type(amount) is kind


def test_pence_too_large_for_an_exact_json_number_are_refused():
    with pytest.raises(ValueError):
        threesixty.pounds(1_234_567_890_123_456_789)


def codes(name: str) -> set[str]:
    with (validation.THREESIXTY / name).open(encoding="utf-8") as file:
        return {row["Code"] for row in csv.DictReader(file)}


def test_location_codes_come_from_the_shipped_codelists():
    geo_types = codes("geoCodeType.csv")
    assert {threesixty.BOROUGH_CODE_TYPE, threesixty.REGION_CODE_TYPE} <= geo_types
    assert {threesixty.SCOPE_REGION, threesixty.SCOPE_LOCAL_AUTHORITY} <= codes("locationScope.csv")


def test_the_format_checks_the_360giving_dates_depend_on():
    checker = validation.FORMAT_CHECKER
    assert checker.conforms("2026-04-01T09:30:00Z", "date-time")
    assert not checker.conforms("2026-04-01", "date-time")
    assert not checker.conforms("2026-13-01T09:30:00Z", "date-time")
    assert checker.conforms("https://example.org/data", "uri")
    assert not checker.conforms("not a uri", "uri")
