"""The privacy notice is written from the retention configuration, so it cannot drift from what the portal does."""

import dataclasses

from portal.privacy import retention
from portal.privacy.retention import Kind, LawfulBasis, OnExpiry, Period


def _kinds_on(page) -> dict[str, str]:
    return {
        section["data-kind"]: section.get_text(" ", strip=True)
        for section in page.select(".govuk-summary-list[data-kind]")
    }


def test_the_notice_lists_every_kind_of_personal_data_with_its_period_basis_and_sharing(client):
    kinds = _kinds_on(client.get_page("/privacy"))
    assert list(kinds) == [kind.key for kind in retention.KINDS]
    for kind in retention.KINDS:
        text = kinds[kind.key]
        assert kind.period.label in text
        assert kind.basis.label in text
        assert kind.shared_with in text
        assert kind.expiry_detail in text
    assert "2 years after the decision or the withdrawal" in kinds["unsuccessful_bids"]
    assert "7 years after the grant ends" in kinds["funded_bids"]
    assert "Until you unsubscribe" in kinds["alert_subscriptions"]
    assert "30 days after the account was made" in kinds["unconfirmed_accounts"]
    assert "1 year after the sign-in" in kinds["sign_in_events"]
    assert "90 days after the email was sent" in kinds["emails_sent"]


def test_the_notice_says_the_public_data_holds_no_personal_data(client):
    assert retention.PUBLIC_DATA_STATEMENT in client.get_page("/privacy").get_text(" ", strip=True)


def test_a_kind_added_to_the_configuration_appears_on_the_notice(client, monkeypatch):
    added = Kind(
        key="visitor_books",
        title="Visitor books at our offices",
        what="The name of everyone who signs in at reception.",
        why="To know who is in the building in a fire.",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        shared_with="The building's fire marshals",
        period=Period(after="the visit", days=45),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The page is shredded.",
    )
    monkeypatch.setattr(retention, "KINDS", (*retention.KINDS, added))
    text = _kinds_on(client.get_page("/privacy"))["visitor_books"]
    assert "45 days after the visit" in text
    assert "The building's fire marshals" in text


def test_a_period_changed_in_the_configuration_changes_on_the_notice(client, monkeypatch):
    changed = dataclasses.replace(retention.kind("emails_sent"), period=Period(after="the email was sent", days=60))
    monkeypatch.setattr(retention, "KINDS", tuple(changed if k.key == "emails_sent" else k for k in retention.KINDS))
    assert "60 days after the email was sent" in _kinds_on(client.get_page("/privacy"))["emails_sent"]


def test_periods_count_back_from_now_whole_years_and_days():
    from datetime import datetime

    assert Period(after="x", years=2).cutoff(datetime(2026, 12, 5, 1, 0)) == datetime(2024, 12, 5, 1, 0)
    assert Period(after="x", days=90).cutoff(datetime(2026, 12, 5)) == datetime(2026, 9, 6)
    assert Period(after="x", years=1).cutoff(datetime(2028, 2, 29)) == datetime(2027, 2, 28)
    assert Period(after="x").cutoff(datetime(2026, 12, 5)) == datetime(2026, 12, 5)
