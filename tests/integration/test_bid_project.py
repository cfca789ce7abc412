"""The project page: one bid for many boroughs, amounts for each financial year, and the form sized to the bid."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import ApplicationYear, AuditEvent
from tests.bids import bidding_setup, fill, fill_project, project_start, start_bid
from tests.client import error_messages, parsed, summary_errors
from tests.factories import local_authority


def years_of(application):
    db.session.expire_all()
    return [(y.financial_year, y.amount_pence) for y in application.years]


def test_the_project_page_offers_every_london_borough_or_london_wide(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/project")
    boroughs = page.select("input[name=boroughs]")
    assert len(boroughs) == 34
    assert boroughs[-1]["value"] == "london-wide"
    assert boroughs[-1]["data-behaviour"] == "exclusive"
    checked = sorted(b.find_next_sibling("label").get_text(strip=True) for b in boroughs if b.has_attr("checked"))
    assert checked == ["Lambeth", "Southwark"]


def test_dates_first_then_an_amount_for_each_financial_year_april_to_march(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    start = project_start(setup.round)
    page = fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        {"start_date": [str(start.day), str(start.month), str(start.year)], "duration_months": "36"},
        expected_status=200,
    )
    fields = [field["name"] for field in page.select("input[name^=amount_]")]
    first_year = start.year if start.month >= 4 else start.year - 1
    expected = [f"amount_{year}" for year in range(first_year, first_year + (3 if start.month == 4 else 4))]
    assert fields == expected
    label = page.find("label", attrs={"for": fields[0]}).get_text(strip=True)
    assert label == f"{first_year}/{(first_year + 1) % 100:02d}"


def test_a_complete_project_page_saves_boroughs_areas_and_yearly_amounts_and_returns_to_the_task_list(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill_project(
        client, application, boroughs=("Southwark", "Lewisham", "Croydon"), amounts=("8000", "9000.50", "7000", "0")
    )
    assert response.status_code == 302, summary_errors(
        client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/project")
    )
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"
    db.session.expire_all()
    assert application.project_title == "Safer journeys home"
    assert [la.name for la in application.boroughs] == ["Croydon", "Lewisham", "Southwark"]
    assert application.works_pan_london is False
    assert [str(a) for a in application.service_areas] == ["children_and_young_people"]
    assert application.duration_months == 36
    assert [amount for _year, amount in years_of(application)][:3] == [8000_00, 9000_50, 7000_00]


def test_london_wide_replaces_any_boroughs(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application, boroughs=None)
    db.session.expire_all()
    assert application.works_pan_london is True
    assert application.boroughs == []


def test_every_amount_change_is_audited(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.amounts_changed"))
    assert event.after["total"] in ("£18,000", "£24,000")


def test_a_total_outside_the_rounds_range_is_refused_beside_the_first_year(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill_project(client, application, amounts=("200000", "100000", "100000", "100000"))
    assert response.status_code == 200

    page = parsed(response.data)
    messages = summary_errors(page)
    assert len(messages) == 1
    assert messages[0].startswith("The total you ask for must be between £1,000 and £300,000. You have asked for £")
    first_field = page.select("input[name^=amount_]")[0]["name"]
    assert error_messages(page)[first_field] == messages[0]


def test_a_project_shorter_or_longer_than_the_round_allows_is_refused(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill_project(client, application, duration_months="60")

    page = parsed(response.data)
    assert "Your project must run for between 24 and 48 months" in summary_errors(page)


def test_a_project_under_three_years_that_the_round_allows_is_not_warned(client):
    setup = bidding_setup()  # the round allows 24 to 48 months
    application = start_bid(client, setup)
    response = fill_project(client, application, duration_months="24")
    assert response.status_code == 302
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert page.select_one(".govuk-warning-text") is None
    assert (
        client.get_page(
            f"/organisations/{application.organisation_id}/applications/{application.id}/project"
        ).text.count("3 to 4 years")
        == 1
    )  # the hint


def test_a_project_shorter_than_the_round_allows_is_told_the_target_once(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill_project(client, application, duration_months="18")

    page = parsed(response.data)
    assert "Your project must run for between 24 and 48 months" in summary_errors(page)
    assert page.text.count("3 to 4 years") == 1


def test_a_start_date_before_the_round_closes_is_refused(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    early = setup.round.opens_at.date()
    response = fill_project(client, application, start_date=[str(early.day), str(early.month), str(early.year)])

    page = parsed(response.data)
    assert any(m.startswith("Your project cannot start before") for m in summary_errors(page))
    assert page.select_one(".govuk-error-summary a")["href"] in ("#start_date-day", "#amount_" + str(early.year))


def test_no_borough_and_not_london_wide_is_refused(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill_project(client, application, boroughs=())

    page = parsed(response.data)
    assert "Select the boroughs your project will work in, or London-wide" in summary_errors(page)


def test_save_and_come_back_later_keeps_a_half_finished_page_without_errors(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        {"project_title": "Half a title"},
        action="later",
    )
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"
    db.session.expire_all()
    assert application.project_title == "Half a title"
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert "In progress" in page.select_one("#about-2-status").get_text()


def test_a_format_error_is_shown_beside_its_field_keeps_what_was_typed_and_the_rest_is_saved(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    page = fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        {"project_title": "Kept title", "duration_months": "three years", "start_date": ["31", "2", "2028"]},
        action="later",
        expected_status=200,
    )
    assert error_messages(page)["duration_months"] == "Enter the number of months as a whole number, like 36"
    assert page.select_one("input[name=duration_months]")["value"] == "three years"
    assert "The date must be a real date, like 1 4 2027" in summary_errors(page)
    assert page.select_one("#start_date-day")["value"] == "31"
    db.session.expire_all()
    assert application.project_title == "Kept title"
    assert application.duration_months is None


def test_an_amount_that_is_not_money_is_refused_and_kept(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application)
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/project")
    name = page.select("input[name^=amount_]")[0]["name"]
    result = fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        {name: "lots"},
        expected_status=200,
    )
    assert result.select_one(f"input[name={name}]")["value"] == "lots"
    assert any("in pounds, like 25000" in message for message in summary_errors(result))
    assert years_of(application)[0][1] == 6000_00


def test_the_form_switches_between_light_touch_and_full_as_the_amount_changes_and_keeps_answers(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application, amounts=("5000", "5000", "5000", "0"))
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#form-variant").get_text(" ", strip=True) == (
        "You are asking for £15,000, which is £25,000 or less, so you have a shorter form."
    )
    plan_page = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1"
    )
    assert "What will you do?" in plan_page.get_text()
    assert "How will you measure success?" not in plan_page.get_text()
    fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1",
        {f"q{setup.plan.id}": "Walk pupils home."},
    )

    fill_project(client, application, amounts=("50000", "50000", "50000", "0"))
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#form-variant").get_text(" ", strip=True) == (
        "You are asking for £150,000, which is more than £25,000, so you have the full form."
    )
    plan_page = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1"
    )
    assert "How will you measure success?" in plan_page.get_text()
    assert plan_page.select_one(f"textarea[name=q{setup.plan.id}]").get_text().strip() == "Walk pupils home."


def test_the_threshold_itself_gets_the_shorter_form(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application, amounts=("10000", "10000", "5000", "0"))
    db.session.expire_all()
    assert application.total_requested_pence == 25_000_00
    assert application.form_variant.value == "light"


def test_a_colleagues_change_to_the_project_page_is_not_overwritten_silently(client, app):
    setup = bidding_setup()
    application = start_bid(client, setup)
    stale = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/project")

    other = app.test_client()
    other.sign_in(setup.editor)
    fill(
        other,
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        {"project_title": "Editor's title"},
        action="later",
    )

    from tests.bids import form_data

    data = form_data(stale) | {"project_title": ["Owner's title"], "action": ["later"]}
    response = client.post(
        f"/organisations/{application.organisation_id}/applications/{application.id}/project", data=data
    )
    assert response.status_code == 200
    assert "Someone else changed this page" in response.data.decode()
    db.session.expire_all()
    assert application.project_title == "Editor's title"

    again = parsed(response.data)
    assert again.select_one("input[name=project_title]")["value"] == "Owner's title"
    client.post(
        f"/organisations/{application.organisation_id}/applications/{application.id}/project",
        data=form_data(again) | {"action": ["later"]},
    )
    db.session.expire_all()
    assert application.project_title == "Owner's title"


def test_no_amount_rows_are_kept_for_years_outside_the_project(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application)
    before = len(years_of(application))
    fill_project(client, application, duration_months="24")
    after = years_of(application)
    assert len(after) < before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationYear)) == len(after)
    assert local_authority("Southwark")


def test_the_project_pages_autosave_saves_and_hands_back_a_fingerprint_so_the_next_save_is_not_a_conflict(client):
    from tests.bids import form_data

    setup = bidding_setup()
    application = start_bid(client, setup)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/project"
    data = form_data(client.get_page(url)) | {"project_title": ["Typed while thinking"]}
    body = client.post(url + "/autosave", data=data).get_json()
    assert body["saved_at"]
    db.session.expire_all()
    assert application.project_title == "Typed while thinking"

    data |= {"fingerprint": [body["versions"]["fingerprint"]], "project_title": ["Typed some more"]}
    body = client.post(url + "/autosave", data=data).get_json()
    assert "conflicts" not in body
    db.session.expire_all()
    assert application.project_title == "Typed some more"


def test_the_organisation_details_autosave_saves_the_contact(client):
    from tests.bids import form_data

    setup = bidding_setup()
    application = start_bid(client, setup)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details"
    data = form_data(client.get_page(url)) | {"contact_name": ["Ama Boateng"]}
    body = client.post(url + "/autosave", data=data).get_json()
    assert body["saved_at"]
    db.session.expire_all()
    assert application.contact_name == "Ama Boateng"
    assert application.organisation_confirmed_at is None  # saving is not confirming


def test_boxes_the_dates_have_just_added_are_not_marked_in_error(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    start = project_start(setup.round)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/project"
    page = fill(
        client,
        url,
        {"start_date": [str(start.day), str(start.month), str(start.year)], "duration_months": "36"},
        expected_status=200,
    )
    assert page.select("input[name^=amount_]")
    assert not [name for name in error_messages(page) if name.startswith("amount_")]
    assert "project_title" in error_messages(page)
    # Asked now: continuing without amounts says so beside each box.
    page = fill(client, url, {}, expected_status=200)
    assert [name for name in error_messages(page) if name.startswith("amount_")]
