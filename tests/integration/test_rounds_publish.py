"""Publishing a round: the window rule, the reason it may need, and what the public then sees."""

from datetime import timedelta

from portal.extensions import db
from tests.client import error_messages, summary_errors
from tests.factories_funding import create_fund
from tests.integration.rounds_support import (
    audit_actions,
    create_officer,
    draft_round,
    last_audit,
    today,
)

REASON = "The Ministry of Justice grant must be committed by 31 March."


def test_publishing_a_round_with_a_normal_window_makes_it_public_and_is_audited(client):
    round_ = draft_round(create_fund("VRU programmes", code="VRU"), title="Holiday programmes")
    client.sign_in(create_officer())

    page = client.get_page(f"/staff/funds/rounds/{round_.id}/publish")
    assert "The window meets the rule" in page.text
    assert page.find("textarea", {"name": "short_window_reason"}) is None
    response = client.post_form(f"/staff/funds/rounds/{round_.id}/publish")

    assert response.location == f"/staff/funds/rounds/{round_.id}"
    db.session.refresh(round_)
    assert round_.published_at is not None
    assert round_.short_window_reason is None
    assert audit_actions(round_) == ["round.published"]
    event = last_audit("round.published")
    assert event.after["status"] == "upcoming"
    assert event.after["notice_days"] == 21
    assert event.after["window_working_days"] >= 30
    client.sign_out()
    assert "Holiday programmes" in client.get_page("/funding/").text
    client.get_page(f"/funding/{round_.id}", 200)


def test_a_short_window_is_refused_without_a_reason_and_nothing_is_saved(client):
    opens = today() + timedelta(days=21)
    round_ = draft_round(opens=opens, closes=opens + timedelta(days=20))
    client.sign_in(create_officer())

    page = client.get_page(f"/staff/funds/rounds/{round_.id}/publish")
    assert "This round needs a reason for its short window" in page.text
    refused = client.post_form(
        f"/staff/funds/rounds/{round_.id}/publish", {"short_window_reason": "  "}, expected_status=200
    )

    message = error_messages(refused)["short_window_reason"]
    assert message.startswith("Give a reason for the short window, which will be published with the round: it is open")
    assert "fewer than the minimum of 30" in message
    db.session.refresh(round_)
    assert round_.published_at is None
    assert audit_actions(round_) == []


def test_a_short_window_is_published_with_its_reason_shown_beside_the_round(client):
    opens = today() + timedelta(days=21)
    round_ = draft_round(opens=opens, closes=opens + timedelta(days=20), title="Winter support")
    client.sign_in(create_officer())

    client.post_form(f"/staff/funds/rounds/{round_.id}/publish", {"short_window_reason": REASON})

    db.session.refresh(round_)
    assert round_.short_window_reason == REASON
    assert last_audit("round.published").after["short_window_reason"] == REASON
    client.sign_out()
    page = client.get_page(f"/funding/{round_.id}")
    banner = page.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "shorter window, or less notice, than usual" in banner
    assert REASON in banner
    assert REASON in client.get_page("/funding/").text


def test_a_round_announced_13_days_before_it_opens_needs_a_reason(client):
    opens = today() + timedelta(days=13)
    round_ = draft_round(opens=opens, closes=opens + timedelta(days=70))
    client.sign_in(create_officer())

    refused = client.post_form(f"/staff/funds/rounds/{round_.id}/publish", expected_status=200)

    assert "announced 13 days before it opens" in error_messages(refused)["short_window_reason"]
    db.session.refresh(round_)
    assert round_.published_at is None


def test_a_round_announced_14_days_before_it_opens_needs_no_reason(client):
    opens = today() + timedelta(days=14)
    round_ = draft_round(opens=opens, closes=opens + timedelta(days=70))
    client.sign_in(create_officer())

    client.post_form(f"/staff/funds/rounds/{round_.id}/publish", {"short_window_reason": "Not needed"})

    db.session.refresh(round_)
    assert round_.published_at is not None
    assert round_.short_window_reason is None


def test_a_round_published_after_its_opening_date_needs_a_reason(client):
    round_ = draft_round(opens=today() - timedelta(days=2), closes=today() + timedelta(days=70))
    client.sign_in(create_officer())
    refused = client.post_form(f"/staff/funds/rounds/{round_.id}/publish", expected_status=200)
    assert "it opens without the 14 days' notice" in error_messages(refused)["short_window_reason"]


def test_a_round_without_scoring_criteria_cannot_be_published(client):
    round_ = draft_round(criteria=False)
    client.sign_in(create_officer())

    page = client.post_form(f"/staff/funds/rounds/{round_.id}/publish", expected_status=200)

    assert summary_errors(page) == [
        "Add at least one scoring criterion before you publish the round, so that applicants know how bids will "
        "be scored"
    ]
    db.session.refresh(round_)
    assert round_.published_at is None


def test_a_round_whose_closing_date_has_passed_cannot_be_published(client):
    round_ = draft_round(opens=today() - timedelta(days=80), closes=today() - timedelta(days=1))
    client.sign_in(create_officer())
    page = client.post_form(f"/staff/funds/rounds/{round_.id}/publish", expected_status=200)
    assert summary_errors(page) == ["The closing date has passed. Change the round's dates before you publish it"]


def test_a_published_round_is_not_published_again(client):
    round_ = draft_round()
    client.sign_in(create_officer())
    client.post_form(f"/staff/funds/rounds/{round_.id}/publish")
    first = round_.published_at

    response = client.post_form(f"/staff/funds/rounds/{round_.id}/publish")

    assert response.location == f"/staff/funds/rounds/{round_.id}"
    db.session.refresh(round_)
    assert round_.published_at == first
    assert audit_actions(round_) == ["round.published"]


def test_a_drafts_page_warns_when_its_window_would_need_a_reason(client):
    opens = today() + timedelta(days=21)
    round_ = draft_round(opens=opens, closes=opens + timedelta(days=20))
    client.sign_in(create_officer())
    page = client.get_page(f"/staff/funds/rounds/{round_.id}")
    assert "If you published it today, this round would need a reason for its short window" in page.text
    assert "This round is a draft. It is not shown to the public until you publish it." in page.text
