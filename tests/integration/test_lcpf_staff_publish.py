"""Publishing a formula version: a confirmation page first, a fresh second factor, the version published before
superseded, and a published version never published (or changed) again."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import versions
from portal.models import (
    AuditEvent,
    LcpfVersion,
    LcpfVersionStatus,
    MembershipRole,
    OrganisationType,
    StaffRole,
    User,
)
from tests.concurrency import at_once, held_after
from tests.factories import create_borough_user, create_member, create_organisation, create_user
from tests.factories_assessment import create_officer
from tests.integration.test_recent_authentication import make_stale
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def published_and_draft():
    import_real_files()
    published = versions.publish(versions.create_draft("Published formula", parameters(13_000_000), None), None)
    draft = versions.create_draft("New draft", parameters(13_400_000), None)
    return published, draft


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_confirmation_page_says_what_publishing_replaces(client, published_and_draft):
    _published, draft = published_and_draft
    client.sign_in(create_officer())
    version_page = client.get_page(f"/staff/lcpf/versions/{draft.id}")
    assert version_page.find("a", string="Publish this version")["href"] == f"/staff/lcpf/versions/{draft.id}/publish"
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}/publish")
    text = page.get_text(" ", strip=True)
    assert "It replaces “Published formula”" in text
    assert "£13,400,000" in text and "+£400,000" in text


def test_publishing_supersedes_the_published_version_and_is_audited(client, published_and_draft):
    published, draft = published_and_draft
    officer = create_officer()
    client.sign_in(officer)
    response = client.post_form(f"/staff/lcpf/versions/{draft.id}/publish")
    assert response.headers["Location"] == f"/staff/lcpf/versions/{draft.id}"
    db.session.expire_all()
    assert db.session.get(LcpfVersion, draft.id).status is LcpfVersionStatus.PUBLISHED
    assert db.session.get(LcpfVersion, draft.id).published_by_id == officer.id
    assert db.session.get(LcpfVersion, published.id).status is LcpfVersionStatus.SUPERSEDED
    assert actions()[-2:] == ["lcpf_version_superseded", "lcpf_version_published"]
    assert client.get_page("/funding-formula").h1.get_text(strip=True) == "New draft"


def test_a_version_out_for_consultation_can_be_published(client, published_and_draft):
    _published, draft = published_and_draft
    draft.status = LcpfVersionStatus.CONSULTATION
    db.session.commit()
    client.sign_in(create_officer())
    client.get_page(f"/staff/lcpf/versions/{draft.id}/publish")
    client.post_form(f"/staff/lcpf/versions/{draft.id}/publish")
    db.session.expire_all()
    assert db.session.get(LcpfVersion, draft.id).status is LcpfVersionStatus.PUBLISHED


def test_a_published_version_is_refused_clearly_and_nothing_changes(client, published_and_draft):
    published, _draft = published_and_draft
    client.sign_in(create_officer())
    assert not client.get_page(f"/staff/lcpf/versions/{published.id}").find("a", string="Publish this version")
    before = actions()
    response = client.get(f"/staff/lcpf/versions/{published.id}/publish", follow_redirects=True)
    assert "only a draft or a version out for consultation can be published" in response.get_data(as_text=True)
    client.post_form(f"/staff/lcpf/versions/{published.id}/publish")
    db.session.expire_all()
    assert db.session.get(LcpfVersion, published.id).status is LcpfVersionStatus.PUBLISHED
    assert actions() == before


def test_publishing_without_a_fresh_second_factor_asks_for_it_and_publishes_nothing(client, published_and_draft):
    _published, draft = published_and_draft
    client.sign_in(create_officer())
    make_stale()
    confirm_page = f"/staff/lcpf/versions/{draft.id}/publish"
    response = client.post(
        confirm_page, data={"csrf_token": client.csrf_token()}, headers={"Referer": f"http://localhost{confirm_page}"}
    )
    assert response.headers["Location"] == f"/account/confirm-it-is-you?next={confirm_page}"
    db.session.expire_all()
    assert db.session.get(LcpfVersion, draft.id).status is LcpfVersionStatus.DRAFT


@pytest.mark.parametrize(
    "who",
    ["anonymous", "organisation owner", "borough user", "reviewer", "admin"],
)
def test_nobody_but_an_officer_may_publish(client, published_and_draft, who):
    _published, draft = published_and_draft
    user = {
        "anonymous": lambda: None,
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "borough user": lambda: create_borough_user("Lewisham", OrganisationType.BOROUGH),
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
    }[who]()
    expected = 302 if user is None else 403
    if user is not None:
        client.sign_in(user)
    assert client.get(f"/staff/lcpf/versions/{draft.id}/publish").status_code == expected
    response = client.post(f"/staff/lcpf/versions/{draft.id}/publish", data={"csrf_token": client.csrf_token()})
    assert response.status_code == expected
    db.session.expire_all()
    assert db.session.get(LcpfVersion, draft.id).status is LcpfVersionStatus.DRAFT


@pytest.mark.commits
def test_two_clicks_on_publish_at_once_publish_the_version_once(app, monkeypatch, published_and_draft):
    published, draft = published_and_draft
    draft_id, published_id = draft.id, published.id
    officer_ids = create_officer(email="first@mopac.test").id, create_officer(email="second@mopac.test").id
    db.session.commit()
    held_after(monkeypatch, versions, "fetch_current_published")  # each held after reading what it replaces

    def publish_as(officer_id: int):
        return lambda: (
            versions.publish(db.session.get(LcpfVersion, draft_id), db.session.get(User, officer_id)).status.value
        )

    outcomes = at_once(app, *(publish_as(officer_id) for officer_id in officer_ids))

    assert sorted(outcomes) == ["Only a draft or a version out for consultation can be published", "published"]
    db.session.rollback()  # read afresh, past what this session saw before
    assert actions()[-2:] == ["lcpf_version_superseded", "lcpf_version_published"]
    assert actions().count("lcpf_version_published") == 2  # the one published before, then this one
    assert db.session.get(LcpfVersion, published_id).status is LcpfVersionStatus.SUPERSEDED
    assert db.session.get(LcpfVersion, draft_id).status is LcpfVersionStatus.PUBLISHED
