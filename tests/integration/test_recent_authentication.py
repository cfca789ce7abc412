"""Money and power ask for the second factor again unless it was given in the last 10 minutes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.second_factor import current_code
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Instalment, InstalmentStatus, StaffRole, UserSession
from tests.factories import PASSWORD, create_member, create_organisation, create_user
from tests.factories_agreements import accepted_award
from tests.factories_assessment import create_officer

# Every view that approves an award, moves money or changes who may do what. Add new ones here as well as
# decorating them with @recent_authentication_required().
RECENT_AUTHENTICATION_ENDPOINTS = {
    "awards.create": StaffRole.GRANT_OFFICER,  # approving an award from a bid
    "awards.create_direct": StaffRole.GRANT_OFFICER,
    "awards.second_approval": StaffRole.GRANT_OFFICER,
    "agreements.release": StaffRole.GRANT_OFFICER,
    "agreements.record_paid": StaffRole.GRANT_OFFICER,
    "agreements.variation": StaffRole.GRANT_OFFICER,  # approving a variation
    "plans.release": StaffRole.GRANT_OFFICER,  # LCPF instalments to boroughs
    "plans.record_paid": StaffRole.GRANT_OFFICER,
    "drawdowns.decide": StaffRole.GRANT_OFFICER,
    "drawdowns.pay": StaffRole.GRANT_OFFICER,
    "lcpf_staff.publish": StaffRole.GRANT_OFFICER,  # an LCPF formula version goes public
    "admin.edit_staff": StaffRole.ADMIN,  # changing someone's role
    "admin.reset_second_factor": StaffRole.ADMIN,
    "privacy.erasure_requests": StaffRole.ADMIN,  # erasing someone's account
}


def make_stale(minutes: int = 11) -> None:
    db.session.execute(sa.update(UserSession).values(authenticated_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_every_listed_endpoint_carries_the_decorator(app):
    for endpoint in RECENT_AUTHENTICATION_ENDPOINTS:
        assert getattr(app.view_functions[endpoint], "needs_recent_authentication", False), endpoint


@pytest.mark.parametrize("endpoint", sorted(RECENT_AUTHENTICATION_ENDPOINTS))
def test_each_refuses_without_a_fresh_factor_and_changes_nothing(client, app, endpoint):
    client.sign_in(create_user(staff_role=RECENT_AUTHENTICATION_ENDPOINTS[endpoint]))
    make_stale()
    [rule] = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    url = rule.build(dict.fromkeys(rule.arguments, 1))[1]
    before = audit_count()

    response = client.post_form(url, {})

    assert response.headers["Location"].startswith("/account/confirm-it-is-you?next=")
    assert audit_count() == before


def test_a_payment_release_without_a_fresh_factor_is_refused_and_nothing_changes(client):
    award, _ = accepted_award()
    officer = create_officer()
    instalment = db.session.scalar(sa.select(Instalment).where(Instalment.award_id == award.id))
    client.sign_in(officer)
    make_stale()
    award_page = f"/staff/awards/{award.id}/agreement"

    response = client.post(
        f"/staff/awards/{award.id}/payments/{instalment.id}/release",
        data={"csrf_token": client.csrf_token()},
        headers={"Referer": f"http://localhost{award_page}"},
    )

    assert response.headers["Location"] == f"/account/confirm-it-is-you?next={award_page}"
    db.session.refresh(instalment)
    assert instalment.status is InstalmentStatus.SCHEDULED and instalment.released_by_id is None

    page = client.get_page(response.headers["Location"])
    assert page.find("h1").get_text(strip=True) == "Enter your security code"
    back = client.post_form(response.headers["Location"], {"code": current_code(officer.totp_secret)})
    assert back.headers["Location"] == award_page

    client.post_form(f"/staff/awards/{award.id}/payments/{instalment.id}/release")
    db.session.refresh(instalment)
    assert instalment.status is InstalmentStatus.RELEASED
    assert "auth.reauthenticated" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_a_factor_given_within_10_minutes_is_enough(client):
    award, _ = accepted_award()
    instalment = db.session.scalar(sa.select(Instalment).where(Instalment.award_id == award.id))
    client.sign_in(create_officer())
    make_stale(minutes=9)

    client.post_form(f"/staff/awards/{award.id}/payments/{instalment.id}/release")

    db.session.refresh(instalment)
    assert instalment.status is InstalmentStatus.RELEASED


def test_someone_without_a_second_factor_confirms_with_their_password(client):
    member = create_member(create_organisation())
    client.sign_in(member)
    make_stale()

    page = client.get_page("/account/confirm-it-is-you?next=/account")
    assert page.find("h1").get_text(strip=True) == "Enter your password"
    assert (
        client.post_form("/account/confirm-it-is-you?next=/account", {"password": PASSWORD}).headers["Location"]
        == "/account"
    )
    with time_machine.travel(utcnow() + timedelta(seconds=5)):
        assert db.session.scalar(sa.select(UserSession.authenticated_at)) > utcnow() - timedelta(minutes=1)
