"""Small rules of the applicant's journey that need no database."""

from datetime import date

import pytest

from portal.applications.answers import Loaded, Upload, clean_filename, upload_problem, value_hash
from portal.applications.project import add_months, financial_years, project_end
from portal.applications.questions import word_count


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2027, 4, 1), 36, date(2030, 3, 31)),
        (date(2027, 1, 31), 1, date(2027, 2, 27)),
        (date(2027, 9, 15), 24, date(2029, 9, 14)),
    ],
)
def test_a_project_ends_the_day_before_the_same_date_its_length_later(start, months, end):
    assert project_end(start, months) == end


def test_adding_a_month_to_the_end_of_january_gives_the_end_of_february():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_a_project_starting_in_april_covers_whole_financial_years():
    years = financial_years(date(2027, 4, 1), 36)
    assert [(y.label, y.is_whole_year) for y in years] == [("2027/28", True), ("2028/29", True), ("2029/30", True)]


def test_a_project_starting_mid_year_has_part_years_at_each_end():
    years = financial_years(date(2027, 9, 1), 24)
    assert [y.label for y in years] == ["2027/28", "2028/29", "2029/30"]
    assert years[0].period == "1 September 2027 to 31 March 2028"
    assert years[-1].period == "1 April 2029 to 31 August 2029"
    assert years[0].field_name == "amount_2027"


def test_no_years_without_a_start_date_or_a_length():
    assert financial_years(None, 36) == []
    assert financial_years(date(2027, 4, 1), None) == []
    assert financial_years(date(2027, 4, 1), 0) == []


def test_words_are_counted_as_the_govuk_character_count_counts_them():
    assert word_count("") == 0
    assert word_count("  one\ntwo\t three  ") == 3
    assert word_count("well-being isn't two") == 3


@pytest.mark.parametrize(
    ("filename", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\Ama\\Accounts 2025.pdf", "Accounts 2025.pdf"),
        ('bad"\x00name.pdf', "badname.pdf"),
        ("", "upload"),
    ],
)
def test_an_uploaded_files_name_keeps_no_folders_or_control_characters(filename, cleaned):
    assert clean_filename(filename) == cleaned


def test_a_very_long_file_name_is_shortened_but_keeps_its_extension():
    name = clean_filename("a" * 300 + ".docx")
    assert len(name) == 200
    assert name.endswith(".docx")


def test_a_file_is_judged_by_its_contents_as_well_as_its_name():
    assert upload_problem(Upload("scan.png", b"\x89PNG\r\n\x1a\n...")) is None
    assert upload_problem(Upload("scan.PNG", b"\x89PNG\r\n\x1a\n...")) is None
    assert upload_problem(Upload("photo.jpg", b"\xff\xd8\xff\xe0")) is None
    assert upload_problem(Upload("photo.jpg", b"GIF89a")).startswith("The selected file is not a real JPG file")
    assert upload_problem(Upload("notes.txt", b"hello")).startswith("The selected file must be a PDF")


def test_a_page_token_reads_back_what_the_page_loaded():
    assert Loaded.parse(f"3:{value_hash('text')}") == Loaded(3, value_hash("text"))
    assert Loaded.parse(None) == Loaded(0, "")
    assert Loaded.parse("nonsense") == Loaded(0, "")
    assert value_hash("") == value_hash(None) == value_hash([])
