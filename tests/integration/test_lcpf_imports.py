"""A broken file imports nothing and every problem in it is reported with its row and column."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf.imports import ImportRefused, import_crime, import_deprivation, import_population
from portal.lcpf.shipped import POPULATION_FILE
from portal.models import LcpfBoroughFigure, LcpfCrimeCount, LcpfImport

MPS_HEADER = "MajorText,MinorText,BoroughName,202301,202302,202303"


def _counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (LcpfImport, LcpfCrimeCount, LcpfBoroughFigure)
    )


def _refused(importer, text: str | bytes) -> list[str]:
    before = _counts()
    content = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(ImportRefused) as refused:
        importer(content, "broken.csv")
    assert _counts() == before, "a refused file must leave the database unchanged"
    return [str(problem) for problem in refused.value.report.problems]


def test_a_valid_small_mps_file_imports_with_left_out_rows_reported():
    report = import_crime(
        (
            f"{MPS_HEADER}\n"
            "ROBBERY,PERSONAL PROPERTY,Lambeth,10,11,12\n"
            "ROBBERY,BUSINESS PROPERTY,Lambeth,1,2,3\n"
            "ROBBERY,PERSONAL PROPERTY,Unknown,1,1,1\n"
            "ROBBERY,PERSONAL PROPERTY,City of London,4,4,4\n"
        ).encode(),
        "small.csv",
    )
    assert (report.first_month, report.last_month, report.boroughs) == (202301, 202303, 1)
    assert report.left_out == [
        "Unknown: not a borough",
        "City of London: not one of the 32 LCPF boroughs (policed by City of London Police)",
    ]
    counts = db.session.scalars(sa.select(LcpfCrimeCount.count).order_by(LcpfCrimeCount.first_month)).all()
    assert counts == [11, 13, 15]


def test_every_problem_in_an_mps_file_is_listed_and_nothing_is_imported():
    problems = _refused(
        import_crime,
        "MajorText,MinorText,BoroughName,202301,202301,202304\n"
        "ROBBERY,PERSONAL PROPERTY,Lambeth,10,eleven,-3\n"
        "ROBBERY,PERSONAL PROPERTY,Lambeth,1,2,3\n"
        "ROBBERY,PERSONAL PROPERTY,Gotham,1,2,3\n",
    )
    assert "Row 1, column 202301: The month 202301 is repeated" in problems
    assert "Row 1: The month 202302 is missing" in problems
    assert "Row 1: The month 202303 is missing" in problems
    assert "Row 2, column 202301: 'eleven' is not a whole number" in problems
    assert "Row 2, column 202304: -3 is negative" in problems
    assert "Row 3: Duplicate row: ROBBERY / PERSONAL PROPERTY / Lambeth is also on row 2" in problems
    assert "Row 4, column BoroughName: 'Gotham' is not a London borough" in problems


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (b"PK\x03\x04\x00\x00binary spreadsheet", "The file is not a CSV file (it looks like a spreadsheet"),
        (b"\xff\xfe\xfa not text", "The file is not a CSV file in UTF-8 text"),
        (b"just one column\nno commas here\n", "Row 1: The file is not a CSV file: its first line has no commas"),
        (b"name,amount\nLambeth,3\n", "Row 1: The columns are neither the MPS layout"),
    ],
)
def test_files_that_are_not_crime_csvs_are_refused(content, expected):
    problems = _refused(import_crime, content)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_the_tidy_layout_is_detected_and_checked():
    report = import_crime(
        b"borough,gss_code,year,category,count\nLambeth,E09000022,2023,ROBBERY,100\nLambeth,E09000022,2024,ROBBERY,90\n",
        "tidy.csv",
    )
    assert report.layout.startswith("tidy")
    assert (report.first_month, report.last_month) == (202301, 202412)
    problems = _refused(
        import_crime,
        "borough,gss_code,year,category,count\n"
        "Lambeth,E09000022,2023,ROBBERY,1.5\n"
        "Lambeth,E09000022,2023,ROBBERY,2\n"
        "Lambeth,E09000001,2025,ROBBERY,2\n"
        "Narnia,,2026,ROBBERY,2\n",
    )
    assert "Row 2, column count: '1.5' is not a whole number" in problems
    assert "Row 3: Duplicate row: Lambeth / 2023 / ROBBERY is also on row 2" in problems
    assert "Row 4, column gss_code: 'E09000001' is not the GSS code of Lambeth" in problems
    assert "Row 5, column borough: 'Narnia' is not a London borough" in problems


def test_population_and_deprivation_files_list_every_problem():
    rows = POPULATION_FILE.read_text(encoding="utf-8").splitlines()
    broken = [rows[0], rows[2].replace("218869", "lots"), rows[3], rows[3], "Nowhere,E09000099,5,1,1,1,1"]
    problems = _refused(import_population, "\n".join(broken))
    assert "Row 2, column census_2021_usual_residents: 'lots' is not a whole number" in problems
    assert "Row 4: Duplicate row: E09000003 is also on row 3" in problems
    assert "Row 5, column gss_code: 'E09000099' is not a London borough's GSS code" in problems
    assert "There is no row for Bexley (E09000004)" in problems
    problems = _refused(import_deprivation, "ltla24_code,ltla24_name\nE09000022,Lambeth\n")
    assert problems == [
        "Row 1: The file needs the columns ltla24_code, imd_average_score, imd25_extent, "
        "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
    ]


def test_the_command_exits_non_zero_listing_the_problems(app, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text(f"{MPS_HEADER}\nROBBERY,PERSONAL PROPERTY,Atlantis,1,x,3\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(app.cli, ["lcpf", "import-crime", str(broken)])
    assert result.exit_code == 1
    assert "Row 2, column BoroughName: 'Atlantis' is not a London borough" in result.stderr
    assert "Row 2, column 202302: 'x' is not a whole number" in result.stderr
    assert _counts() == (0, 0, 0)
