"""Open data: the 360Giving package and CSV and the performance file, made from published data only, valid
against the schemas shipped with the portal, and regenerated (with a new stamp) only when the data changes."""

import csv
import io
import json
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from portal.directory.published import london_today
from portal.extensions import db
from portal.models import Award, AwardStatus, OpenDataFile, PerformanceRecord, Rag, RatingAspect, Return, ReturnStatus
from portal.monitoring.performance import override_rating
from portal.monitoring.returns import accept_return
from portal.opendata import files, validation
from tests.factories_assessment import (
    create_assessed_round,
    create_officer,
    create_reviewer,
    decided_bid,
    form_as_shown,
)
from tests.factories_monitoring import award_returns, create_award
from tests.opendata_support import london_awards


def stored(name: str) -> OpenDataFile | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(OpenDataFile).where(OpenDataFile.name == name))


def package() -> dict:
    return json.loads(stored(files.THREESIXTY_JSON).body)


def grants_by_title() -> dict[str, dict]:
    return {grant["title"]: grant for grant in package()["grants"]}


def csv_rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(stored(name).body)))


def test_the_360giving_package_is_valid_against_the_shipped_schema_and_uses_only_its_fields():
    london_awards()
    files.regenerate()

    data = package()
    assert validation.errors(validation.threesixty_validator(), data) == []
    assert (
        validation.undeclared_fields(data, validation.threesixty_package_schema(), validation.threesixty_registry())
        == []
    )
    assert len(data["grants"]) == 5
    assert data["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert data["downloadURL"] == "http://portal.test/data/360giving.json"


def test_the_validator_really_checks_the_grants():
    london_awards()
    files.regenerate()
    data = package()
    del data["grants"][0]["recipientOrganization"]
    data["grants"][1]["plannedDates"][0]["startDate"] = "1 April 2025"
    data["grants"][2]["amountAwarded"] = "40000"
    problems = validation.errors(validation.threesixty_validator(), data)
    assert len(problems) == 3, problems
    fast = validation.threesixty_package_errors(data)
    assert sorted(fast) == sorted(problems)
    data["grants"][4]["id"] = data["grants"][3]["id"]
    assert f"grants/4/id: {data['grants'][3]['id']!r} is used by another grant" in (
        validation.threesixty_package_errors(data)
    )
    data["grants"][4] = dict(data["grants"][3])
    assert len(validation.errors(validation.threesixty_validator(), data)) == 4  # uniqueItems, the slow way
    data["grants"][3]["amountAwrded"] = 1
    assert validation.undeclared_fields(
        data, validation.threesixty_package_schema(), validation.threesixty_registry()
    ) == ["/grants/3/amountAwrded"]


def test_grants_have_identifiers_org_ids_pounds_dates_and_borough_codes():
    london = london_awards()
    files.regenerate()
    grants = grants_by_title()

    care = grants["Witness care in south London"]
    assert care["id"] == f"360G-MOPAC-{london.witness_care.reference}"
    # A charity that is also a company is identified by its charity number, with both numbers given.
    assert care["recipientOrganization"] == [
        {"id": "GB-CHC-298028", "name": "Victim Support", "charityNumber": "298028", "companyNumber": "02158780"}
    ]
    assert care["amountAwarded"] == 115_500.5
    assert care["currency"] == "GBP"
    assert care["plannedDates"] == [{"startDate": "2025-04-01", "endDate": "2028-03-31", "duration": 36}]
    assert care["beneficiaryLocation"] == [
        {"name": "Lambeth", "geoCode": "E09000022", "geoCodeType": "LONB", "countryCode": "GB"},
        {"name": "Southwark", "geoCode": "E09000028", "geoCodeType": "LONB", "countryCode": "GB"},
    ]
    assert care["locationScope"] == "GLS050"
    assert care["fromOpenCall"] == "No"  # a direct award
    assert care["grantProgramme"] == [{"code": london.witness_care.fund.code, "title": london.witness_care.fund.name}]
    assert [c["title"] for c in care["classifications"]] == ["Victim support", "Violence against women and girls"]
    assert care["fundingOrganization"] == [{"id": "360G-MOPAC-MOPAC", "name": "Mayor's Office for Policing and Crime"}]

    streets = grants["Safer routes home from Croydon town centre"]
    assert streets["recipientOrganization"][0]["id"] == "GB-COH-08123456"
    assert streets["amountAwarded"] == 12_345.67
    assert streets["plannedDates"][0]["duration"] == 6

    council = grants["Lewisham youth violence panel"]
    assert council["recipientOrganization"][0]["id"] == "GB-LAE-LEW"
    assert council["amountAwarded"] == 80_000 and isinstance(council["amountAwarded"], int)

    mothers = grants["Peer support for bereaved mothers"]
    assert mothers["recipientOrganization"] == [
        {"id": f"360G-MOPAC-ORG-{london.group.id}", "name": "Deptford Mothers Against Knife Crime"}
    ]
    assert mothers["beneficiaryLocation"][0]["geoCode"] == "E09000001"

    pan_london = grants["London Victims and Witnesses Service"]
    assert pan_london["beneficiaryLocation"] == [
        {"name": "London", "geoCode": "E12000007", "geoCodeType": "RGN/GOR", "countryCode": "GB"}
    ]
    assert pan_london["locationScope"] == "GLS040"


def test_the_prefix_and_the_funder_are_configurable(app, monkeypatch):
    london = london_awards()
    monkeypatch.setitem(app.config, "OPEN_DATA_PREFIX", "LCPF")
    monkeypatch.setitem(app.config, "OPEN_DATA_FUNDER_ORG_ID", "GB-GOR-EXAMPLE1")
    files.regenerate()
    grants = grants_by_title()
    assert grants["Witness care in south London"]["id"] == f"360G-LCPF-{london.witness_care.reference}"
    assert grants["Peer support for bereaved mothers"]["recipientOrganization"][0]["id"] == (
        f"360G-LCPF-ORG-{london.group.id}"
    )
    assert package()["publisher"]["identifier"] == "GB-GOR-EXAMPLE1"


def test_the_csv_uses_360givings_column_titles_with_one_grant_a_row():
    london_awards()
    files.regenerate()
    rows = csv_rows(files.THREESIXTY_CSV)
    columns = list(rows[0])
    for title in (
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Planned Dates:Duration (months)",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Recipient Org:Charity Number",
        "Recipient Org:Company Number",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Code",
        "Grant Programme:Title",
        "Beneficiary Location:0:Name",
        "Beneficiary Location:0:Geographic Code",
        "Beneficiary Location:0:Geographic Code Type",
        "Beneficiary Location:1:Geographic Code",
    ):
        assert title in columns
    assert "Beneficiary Location:2:Name" not in columns  # no grant has three places
    by_title = {row["Title"]: row for row in rows}
    assert len(rows) == 5
    care = by_title["Witness care in south London"]
    assert (care["Amount Awarded"], care["Recipient Org:Identifier"], care["Planned Dates:Duration (months)"]) == (
        "115500.50",
        "GB-CHC-298028",
        "36",
    )
    assert [care[f"Beneficiary Location:{i}:Geographic Code"] for i in (0, 1)] == ["E09000022", "E09000028"]
    assert by_title["Lewisham youth violence panel"]["Amount Awarded"] == "80000"
    assert by_title["Lewisham youth violence panel"]["Beneficiary Location:1:Name"] == ""
    assert by_title["London Victims and Witnesses Service"]["Beneficiary Location:0:Geographic Code Type"] == "RGN/GOR"


def test_awards_not_yet_approved_are_left_out_and_with_none_approved_there_is_no_360giving_file(client):
    create_award(title="Waiting for its approver", status=AwardStatus.AWAITING_APPROVAL, with_schedule=False)
    create_award(
        title="Waiting for a second approver", status=AwardStatus.AWAITING_SECOND_APPROVAL, with_schedule=False
    )
    assert files.regenerate() == [files.PERFORMANCE_CSV]
    assert stored(files.THREESIXTY_JSON) is None
    assert client.get("/data/360giving.json").status_code == 404
    assert "No awards have been approved yet" in client.get("/data").get_data(as_text=True)

    create_award(title="Approved and public", with_schedule=False)
    files.regenerate()
    assert [g["title"] for g in package()["grants"]] == ["Approved and public"]
    assert "Waiting for" not in stored(files.THREESIXTY_CSV).body


def test_an_award_that_stops_being_public_leaves_the_files():
    award = create_award(title="Approved, then taken back", with_schedule=False)
    files.regenerate()
    assert stored(files.THREESIXTY_JSON) is not None
    award.status = AwardStatus.AWAITING_SECOND_APPROVAL
    db.session.commit()
    assert files.THREESIXTY_JSON in files.regenerate()
    assert stored(files.THREESIXTY_JSON) is None and stored(files.THREESIXTY_CSV) is None


def submitted(return_: Return, spend_pence: int, people: int) -> Return:
    return_.status = ReturnStatus.SUBMITTED
    return_.spend_pence, return_.people_helped = spend_pence, people
    return_.progress = "PRIVATE-PROGRESS-NOTE"
    return_.case_study = "PRIVATE-CASE-STUDY about a named person"
    return_.submitted_at = return_.first_submitted_at = datetime(2025, 7, 20, 9, tzinfo=UTC)
    db.session.commit()
    return return_


def test_performance_comes_only_from_accepted_returns_and_accepting_one_regenerates_it(run_jobs):
    officer = create_officer()
    award = create_award(title="Safer streets after school")
    first, second = award_returns(award)[:2]
    submitted(first, 9_876_54, 41)
    submitted(second, 7_777_77, 4321)
    with time_machine.travel("2025-08-01 10:00:00+01:00", tick=False):
        files.regenerate()
    assert csv_rows(files.PERFORMANCE_CSV) == []
    before = stored(files.PERFORMANCE_CSV).generated_at

    with time_machine.travel("2025-08-02 10:00:00+01:00", tick=False):
        accept_return(db.session.get(Return, first.id), officer)
        run_jobs()

    rows = csv_rows(files.PERFORMANCE_CSV)
    assert [(r["Period"], r["Spend (GBP)"], r["People Helped"]) for r in rows] == [(first.label, "9876.54", "41")]
    assert rows[0]["Overall Rating"] in {"Red", "Amber", "Green"}
    assert rows[0]["Grant Identifier"] == f"360G-MOPAC-{award.reference}"
    file = stored(files.PERFORMANCE_CSV)
    assert file.generated_at > before
    assert file.generated_at == datetime(2025, 8, 2, 9, tzinfo=UTC)
    body = file.body
    assert "7777.77" not in body and "4321" not in body and "PRIVATE" not in body


def test_an_officers_override_of_a_rating_regenerates_the_performance_file(run_jobs):
    officer = create_officer()
    award = create_award(title="Safer streets after school")
    first = award_returns(award)[0]
    submitted(first, 9_876_54, 41)
    accept_return(db.session.get(Return, first.id), officer)
    run_jobs()
    record = db.session.scalar(sa.select(PerformanceRecord).where(PerformanceRecord.return_id == first.id))
    new_rating = Rag.RED if record.overall is not Rag.RED else Rag.GREEN

    override_rating(record, RatingAspect.OVERALL, new_rating, "Safeguarding concerns raised at the visit", officer)
    run_jobs()

    [row] = csv_rows(files.PERFORMANCE_CSV)
    assert row["Overall Rating"] == new_rating.label


def test_approving_an_award_regenerates_the_files_and_running_again_changes_nothing(client, run_jobs):
    officer = create_officer("Tom Brennan")
    application = decided_bid(create_assessed_round(), officer, [create_reviewer()], amounts_pence=(40_000_00,) * 2)
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")
    client.post_form(f"/staff/awards/from-bid/{application.id}", form_as_shown(page))
    run_jobs()
    award = db.session.scalar(sa.select(Award))
    assert award.status is AwardStatus.APPROVED
    file = stored(files.THREESIXTY_JSON)
    assert file is not None, "approving the award should have regenerated the open data"
    (grant,) = package()["grants"]
    assert grant["id"] == f"360G-MOPAC-{award.reference}"
    assert grant["fromOpenCall"] == "Yes"
    assert grant["awardDate"] == london_today().isoformat()
    assert package()["issued"] == file.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    stamp, body = file.generated_at, file.body
    assert files.regenerate() == []
    assert workers_regenerate() == []
    again = stored(files.THREESIXTY_JSON)
    assert (again.generated_at, again.body) == (stamp, body)


def workers_regenerate():
    from workers.opendata import regenerate

    return regenerate()


def test_the_command_regenerates_the_files(app):
    london_awards()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "regenerate"])
    assert result.exit_code == 0, result.output
    assert "360giving.json" in result.output
    assert runner.invoke(args=["opendata", "regenerate"]).output.strip() == "Open data: already up to date."


def test_files_are_served_with_their_stamp_for_anyone_and_revalidate(client):
    london_awards()
    files.regenerate()
    file = stored(files.THREESIXTY_JSON)

    response = client.get("/data/360giving.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Generated-At"] == file.generated_at.isoformat(timespec="seconds")
    assert response.last_modified == file.generated_at.replace(microsecond=0)
    assert json.loads(response.get_data(as_text=True)) == json.loads(file.body)
    assert client.get("/data/360giving.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304

    spreadsheet = client.get("/data/360giving.csv")
    assert spreadsheet.mimetype == "text/csv"
    assert "attachment" in spreadsheet.headers["Content-Disposition"]
    assert spreadsheet.get_data(as_text=True).startswith("Identifier,Title,Description,Currency,Amount Awarded")
    assert client.get("/data/performance.csv").status_code == 200


def test_the_open_data_page_says_what_each_file_is_and_when_it_was_made(client):
    london_awards()
    with time_machine.travel("2026-06-03 14:30:00+01:00", tick=False):
        files.regenerate()
    page = client.get_page("/data")
    text = page.get_text(" ", strip=True)
    assert page.select_one("h1").get_text(strip=True) == "Open data"
    assert "3 June 2026 at 2:30pm" in text
    assert "Open Government Licence v3.0" in text
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["Grants as 360Giving JSON"] == "/data/360giving.json"
    assert links["Grants as CSV"] == "/data/360giving.csv"
    assert links["Performance as CSV"] == "/data/performance.csv"
