"""Officers create rounds as drafts and change them within the limits that keep a published round fair."""

from datetime import time, timedelta

import pytest

from portal.extensions import db
from portal.models.funding import Round
from portal.rounds.fields import london_datetime
from portal.rounds.windows import london_date
from tests.client import error_messages, summary_errors
from tests.factories import create_organisation, local_authority
from tests.factories_funding import create_application, create_fund, create_round
from tests.integration.rounds_support import (
    at,
    audit_actions,
    closed_round,
    count,
    create_officer,
    draft_round,
    form_for,
    last_audit,
    parts,
    round_form,
    today,
    upcoming_round,
)


def test_an_officer_creates_a_draft_round_that_the_public_cannot_see(client):
    fund = create_fund("VRU programmes", code="VRU")
    client.sign_in(create_officer())
    opens = today() + timedelta(days=21)

    response = client.post_form(f"/staff/funds/{fund.id}/rounds/new", round_form(fund, opens=opens))

    round_ = db.session.scalar(db.select(Round))
    assert response.location == f"/staff/funds/rounds/{round_.id}"
    assert round_.published_at is None
    assert (round_.budget_pence, round_.min_request_pence, round_.max_request_pence) == (
        500_000_00,
        5_000_00,
        150_000_00,
    )
    assert round_.small_bid_threshold_pence == 25_000_00
    assert round_.opens_at == london_datetime(opens, time(9, 0))
    assert round_.closes_at == london_datetime(opens + timedelta(days=70), time(12, 0))
    assert round_.is_london_wide
    assert audit_actions(round_) == ["round.created"]
    client.sign_out()
    client.get_page(f"/funding/{round_.id}", 404)
    assert "Safer streets after school" not in client.get_page("/funding/").get_text()


def test_the_new_round_form_starts_with_the_defaults(client):
    fund = create_fund()
    client.sign_in(create_officer())
    page = client.get_page(f"/staff/funds/{fund.id}/rounds/new")
    assert page.find("input", {"name": "small_bid_threshold_pence"})["value"] == "25000"
    assert page.find("input", {"name": "min_duration_months"})["value"] == "24"
    assert page.find("input", {"name": "minimum_window_working_days"})["value"] == "30"
    assert page.find("select", {"name": "fund_id"}).find("option", selected=True)["value"] == str(fund.id)


INVALID_ROUNDS = [
    ({"title": ""}, "title", "Enter the round's title"),
    ({"budget_pence": "lots"}, "budget_pence", "Enter an amount in pounds, like 25000"),
    ({"budget_pence": "0"}, "budget_pence", "The budget must be more than £0"),
    (
        {"max_request_pence": "4000"},
        "max_request_pence",
        "The maximum request must be the same as or more than the minimum request",
    ),
    (
        {"max_request_pence": "600000"},
        "max_request_pence",
        "The maximum request cannot be more than the round's budget",
    ),
    (
        {"small_bid_threshold_pence": "-1"},
        "small_bid_threshold_pence",
        "The small-bid threshold cannot be less than £0",
    ),
    (
        {"min_duration_months": "two"},
        "min_duration_months",
        "Minimum duration in months must be a whole number, like 24",
    ),
    (
        {"max_duration_months": "12"},
        "max_duration_months",
        "The maximum duration must be between the minimum duration and 120 months",
    ),
    ({"opens_on": ["31", "2", "2027"]}, "opens_on", "Opening date must be a real date, like 27 3 2027"),
    ({"opens_on": ["", "2", "2027"]}, "opens_on", "Opening date must include a day"),
    ({"closes_time": "teatime"}, "closes_time", "Enter the closing time like midday or 5pm"),
    ({"minimum_window_working_days": "20"}, "minimum_window_working_days", None),
]


@pytest.mark.parametrize(("change", "field", "message"), INVALID_ROUNDS)
def test_a_round_with_a_mistake_is_not_saved_and_the_mistake_is_shown_beside_its_field(client, change, field, message):
    fund = create_fund()
    client.sign_in(create_officer())

    page = client.post_form(f"/staff/funds/{fund.id}/rounds/new", round_form(fund, **change), expected_status=200)

    errors = error_messages(page)
    assert field in errors, errors
    if message:
        assert errors[field] == message
    assert summary_errors(page)[0] == errors[field]
    assert page.title.get_text().startswith("Error: ")
    assert page.find("textarea", {"name": "description"}).get_text(strip=True).startswith("Projects that keep")
    assert count(Round) == 0


def test_the_round_must_close_after_it_opens_and_be_decided_after_it_closes(client):
    fund = create_fund()
    client.sign_in(create_officer())
    opens = today() + timedelta(days=21)

    backwards = client.post_form(
        f"/staff/funds/{fund.id}/rounds/new",
        round_form(fund, opens=opens, closes=opens - timedelta(days=1)),
        expected_status=200,
    )
    early_decision = client.post_form(
        f"/staff/funds/{fund.id}/rounds/new",
        round_form(fund, opens=opens, decision_expected_on=parts(opens + timedelta(days=5))),
        expected_status=200,
    )

    assert error_messages(backwards)["closes_on"] == "The round must close after it opens"
    assert error_messages(early_decision)["decision_expected_on"] == (
        "The expected decision date must be after the closing date"
    )
    assert count(Round) == 0


def test_a_new_round_cannot_close_in_the_past(client):
    fund = create_fund()
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/funds/{fund.id}/rounds/new",
        round_form(fund, opens=today() - timedelta(days=60), closes=today() - timedelta(days=1)),
        expected_status=200,
    )
    assert error_messages(page)["closes_on"] == "The closing date must be in the future"


def test_a_minimum_duration_under_three_years_warns_the_officer(client):
    fund = create_fund()
    client.sign_in(create_officer())
    client.post_form(f"/staff/funds/{fund.id}/rounds/new", round_form(fund, min_duration_months="24"))
    round_ = db.session.scalar(db.select(Round))

    page = client.get_page(f"/staff/funds/rounds/{round_.id}")

    warning = page.select_one(".govuk-warning-text").get_text(" ", strip=True)
    assert "The minimum duration is 24 months. The target for funding is 3 to 4 years" in warning
    round_.min_duration_months = 36
    db.session.commit()
    assert "The target for funding is 3 to 4 years" not in client.get_page(f"/staff/funds/rounds/{round_.id}").text


def test_a_round_can_be_limited_to_some_boroughs(client):
    fund = create_fund()
    client.sign_in(create_officer())
    lambeth, southwark = local_authority("Lambeth"), local_authority("Southwark")

    client.post_form(
        f"/staff/funds/{fund.id}/rounds/new", round_form(fund, borough_ids=[str(lambeth.id), str(southwark.id)])
    )

    round_ = db.session.scalar(db.select(Round))
    assert [la.name for la in round_.boroughs] == ["Lambeth", "Southwark"]
    assert "Lambeth, Southwark" in client.get_page(f"/staff/funds/rounds/{round_.id}").text


def test_editing_a_draft_changes_it_and_audits_the_money(client):
    round_ = draft_round(budget_pence=1_000_000_00)
    old_title = round_.title
    client.sign_in(create_officer())

    client.post_form(f"/staff/funds/rounds/{round_.id}/edit", form_for(round_, budget_pence="750000", title="New"))

    db.session.refresh(round_)
    assert (round_.title, round_.budget_pence) == ("New", 750_000_00)
    event = last_audit("round.updated")
    assert event.before == {"title": old_title, "budget_pence": 1_000_000_00}
    assert event.after == {"title": "New", "budget_pence": 750_000_00}


def test_saving_a_round_unchanged_changes_nothing(client):
    round_ = create_round()  # open, with times to the second
    client.sign_in(create_officer())
    before = (round_.opens_at, round_.closes_at)

    client.post_form(f"/staff/funds/rounds/{round_.id}/edit", form_for(round_))

    db.session.refresh(round_)
    assert (round_.opens_at, round_.closes_at) == before
    assert last_audit("round.updated") is None


def test_an_open_rounds_opening_date_cannot_change(client):
    round_ = create_round()
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit",
        form_for(round_, opens_on=parts(today() - timedelta(days=1))),
        expected_status=200,
    )
    assert error_messages(page)["opens_on"] == "This round is open, so its opening date cannot change"


def test_a_published_rounds_closing_date_cannot_move_earlier_than_now(client):
    round_ = create_round()
    client.sign_in(create_officer())
    closes = round_.closes_at

    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit",
        form_for(round_, closes_on=parts(today() - timedelta(days=1))),
        expected_status=200,
    )

    assert error_messages(page)["closes_on"] == "The closing date cannot be earlier than now"
    db.session.refresh(round_)
    assert round_.closes_at == closes


def test_an_upcoming_round_cannot_be_set_to_open_in_the_past(client):
    round_ = upcoming_round()
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit",
        form_for(round_, opens_on=parts(today() - timedelta(days=2))),
        expected_status=200,
    )
    assert error_messages(page)["opens_on"] == "The opening date cannot be in the past"


def test_a_published_round_cannot_move_to_another_fund(client):
    round_ = upcoming_round()
    other = create_fund()
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit", form_for(round_, fund_id=str(other.id)), expected_status=200
    )
    assert error_messages(page)["fund_id"] == "A published round cannot move to another fund"


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("max_request_pence", "200000", "maximum request"),
        ("min_request_pence", "2000", "minimum request"),
        ("small_bid_threshold_pence", "30000", "small-bid threshold"),
        ("min_duration_months", "12", "minimum duration"),
    ],
)
def test_money_and_length_limits_are_fixed_once_bids_exist(client, field, value, label):
    round_ = create_round()
    create_application(round_, create_organisation())
    client.sign_in(create_officer())

    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit", form_for(round_, **{field: value}), expected_status=200
    )

    assert error_messages(page)[field] == f"Organisations have started bids in this round, so the {label} cannot change"
    assert "Organisations have started bids" in page.select_one(".govuk-inset-text").text


def test_the_budget_and_closing_date_can_still_change_once_bids_exist(client):
    round_ = create_round()
    create_application(round_, create_organisation())
    client.sign_in(create_officer())
    later = today() + timedelta(days=90)

    client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit", form_for(round_, budget_pence="2000000", closes_on=parts(later))
    )

    db.session.refresh(round_)
    assert round_.budget_pence == 2_000_000_00
    assert london_date(round_.closes_at) == later
    assert last_audit("round.updated").after["budget_pence"] == 2_000_000_00


def test_boroughs_are_fixed_once_bids_exist(client):
    round_ = create_round()
    create_application(round_, create_organisation())
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit",
        form_for(round_, borough_ids=[str(local_authority("Lambeth").id)]),
        expected_status=200,
    )
    assert "boroughs it covers cannot change" in error_messages(page)["borough_ids"]


def test_shortening_a_published_rounds_window_needs_a_reason_which_is_then_published(client):
    round_ = upcoming_round()
    client.sign_in(create_officer())
    opens_on = london_date(round_.opens_at)
    short = form_for(round_, closes_on=parts(opens_on + timedelta(days=14)))

    refused = client.post_form(f"/staff/funds/rounds/{round_.id}/edit", short, expected_status=200)

    assert error_messages(refused)["short_window_reason"].startswith("Give a reason for the short window")
    db.session.refresh(round_)
    assert round_.closes_at > at(opens_on + timedelta(days=60))

    client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit", {**short, "short_window_reason": "The grant ends in March."}
    )

    db.session.refresh(round_)
    assert round_.short_window_reason == "The grant ends in March."
    assert "The grant ends in March." in client.get_page(f"/funding/{round_.id}").text


def test_a_closed_round_keeps_its_dates_but_its_decision_date_can_move(client):
    round_ = closed_round()
    client.sign_in(create_officer())
    later_decision = today() + timedelta(days=45)

    refused = client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit",
        form_for(round_, closes_on=parts(today() + timedelta(days=10))),
        expected_status=200,
    )
    client.post_form(
        f"/staff/funds/rounds/{round_.id}/edit", form_for(round_, decision_expected_on=parts(later_decision))
    )

    assert (
        error_messages(refused)["closes_on"] == "This round has closed, so its opening and closing dates cannot change"
    )
    db.session.refresh(round_)
    assert round_.decision_expected_on == later_decision
