"""Your data: a person downloads everything the portal holds about them, and nothing about anyone else; an
administrator finds and exports the same for a subject access request; downloads expire; stopped jobs never leave
a request stuck."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AlertSent,
    AlertSubscription,
    Answer,
    AuditEvent,
    ExportStatus,
    Invitation,
    MembershipRole,
    OutboundMessage,
    PersonalDataExport,
    RecoveryCode,
    StaffRole,
    UploadedFile,
    User,
    UserSession,
)
from portal.your_data import collect, services
from tests.client import error_messages
from tests.factories import create_member, create_organisation, create_user
from tests.factories_dialogue import create_thread
from tests.factories_funding import create_application, create_question, create_round
from tests.factories_monitoring import create_award, first_return


@dataclass
class Planted:
    user: User
    marker: str
    secrets: list[str]
    award: object


def plant(person: str, officer: User | None = None) -> Planted:
    """A person with a record in every table that holds personal data, each carrying ``planted-<person>``."""
    marker = f"planted-{person}"
    organisation = create_organisation(f"Organisation of {person}")
    user = create_member(
        organisation,
        MembershipRole.OWNER,
        email=f"{person}@example.org",
        full_name=f"{person.capitalize()} Plantagenet",
        second_factor=True,
    )
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=f"sessionhash{person}", user_id=user.id, user_agent=f"{marker} browser", ip_address="10.0.0.9"
        )
    )
    db.session.add(RecoveryCode(user_id=user.id, code_hash=f"recoveryhash{person}", used_at=now))
    audit.record("auth.signed_in", user, actor=user)
    round_ = create_round(title=f"Round for {person}")
    subscription = AlertSubscription(email=user.email, created_at=now, confirmed_at=now)
    db.session.add(subscription)
    db.session.flush()
    db.session.add(AlertSent(subscription_id=subscription.id, round_id=round_.id))
    db.session.add(
        OutboundMessage(
            to_address=user.email,
            subject=f"Reset your password {marker}",
            body=f"Follow http://portal.test/reset-password/livetoken{person} to reset it.",
            template="reset_password",
        )
    )
    db.session.add(
        Invitation(
            organisation=organisation,
            email=user.email,
            role=MembershipRole.EDITOR,
            token_hash=f"invitehash{person}",
            expires_at=now + timedelta(days=14),
        )
    )
    application = create_application(round_, organisation, title=f"Bid {marker}")
    application.created_by_id = user.id
    application.contact_email, application.contact_name = user.email, user.full_name
    question = create_question(round_)
    db.session.add(Answer(application=application, question=question, value=f"answer {marker}", updated_by=user))
    db.session.add(
        UploadedFile(
            application_id=application.id,
            question_id=question.id,
            filename=f"{marker}.pdf",
            content_type="application/pdf",
            size_bytes=4,
            content=f"filecontent{person}".encode(),
            uploaded_by_id=user.id,
        )
    )
    award = create_award(organisation, title=f"Award {marker}")
    return_ = first_return(award)
    return_.submitted_by_id, return_.progress = user.id, f"progress {marker}"
    if officer is not None:
        return_.accepted_by_id = officer.id
    db.session.commit()
    create_thread(award, user, subject=f"Thread {marker}", body=f"Message {marker}")
    return Planted(
        user,
        marker,
        [
            user.totp_secret,
            user.password_hash,
            f"sessionhash{person}",
            f"recoveryhash{person}",
            f"invitehash{person}",
            f"livetoken{person}",
            f"filecontent{person}",
        ],
        award,
    )


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def prepared(export: PersonalDataExport, run_jobs) -> PersonalDataExport:
    run_jobs()
    db.session.expire_all()
    return db.session.get(PersonalDataExport, export.id)


def test_the_download_holds_a_record_from_every_table_about_the_person_and_nothing_about_anyone_else(run_jobs, mailbox):
    officer = create_user(email="officer@example.org", full_name="Olive Officer", staff_role=StaffRole.GRANT_OFFICER)
    priya = plant("priya", officer=officer)
    other = plant("otto")
    # Otto mentions Priya in a message of his own: it is about her, so it is in her download.
    create_thread(other.award, other.user, subject="About someone", body="Ask priya@example.org")

    export = prepared(services.request_own_export(priya.user), run_jobs)

    assert export.status is ExportStatus.READY and export.progress == 100
    files = unzip(export.data)
    for table in (
        "user_account",
        "membership",
        "user_session",
        "recovery_code",
        "audit_event",
        "alert_subscription",
        "alert_sent",
        "outbound_message",
        "invitation",
        "application",
        "answer",
        "uploaded_file",
        "monitoring_return",
        "dialogue_thread",
        "dialogue_message",
        "personal_data_export",
        "mentions",
    ):
        assert f"{table}.json" in files and f"{table}.csv" in files, table
        assert json.loads(files[f"{table}.json"]), f"{table} is empty"
    assert {"README.txt", "manifest.json"} <= set(files)
    everything = "\n".join(files.values())
    for table in ("application", "answer", "uploaded_file", "monitoring_return", "dialogue_thread", "dialogue_message"):
        assert priya.marker in files[f"{table}.json"], table
    account = json.loads(files["user_account.json"])
    assert account == [account[0]] and account[0]["email"] == "priya@example.org"
    assert account[0]["totp_enabled_at"]  # the fact of a second factor, never its key
    assert json.loads(files["membership.json"])[0]["organisation_name"] == "Organisation of priya"
    assert json.loads(files["mentions.json"])[0]["text"] == "Ask priya@example.org"
    assert "[link hidden" in files["outbound_message.json"]
    assert json.loads(files["monitoring_return.json"])[0]["accepted_by_id"] == collect.ANOTHER_PERSON

    for secret in priya.secrets:
        assert secret not in everything, secret
    for about_someone_else in [
        other.marker,
        other.user.email,
        other.user.full_name,
        *other.secrets,
        officer.email,
        officer.full_name,
    ]:
        assert about_someone_else not in everything, about_someone_else
    manifest = json.loads(files["manifest.json"])
    assert manifest["about"] == "priya@example.org"
    assert {file["json"] for file in manifest["files"]} == {name for name in files if name.endswith(".json")} - {
        "manifest.json"
    }

    email = mailbox.last_to("priya@example.org")
    assert email["Subject"] == "Your data is ready to download"
    assert f"http://portal.test/account/your-data/{export.id}" in email.get_content()


def test_every_column_that_holds_an_email_address_is_searched():
    email_columns = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if ("email" in column.name or column.name == "to_address") and isinstance(column.type, sa.String)
    }
    assert email_columns <= collect.EMAIL_COLUMNS


def test_only_the_person_can_see_or_download_their_data(client, run_jobs):
    owner = create_user(email="owner@example.org")
    export = prepared(services.request_own_export(owner), run_jobs)
    urls = [
        f"/account/your-data/{export.id}",
        f"/account/your-data/{export.id}/progress",
        f"/account/your-data/{export.id}/download",
    ]

    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to sign in
    client.sign_in(create_user(email="someone@example.org"))
    for url in urls:
        assert client.get(url).status_code == 404
    client.sign_in(create_user(email="admin@example.org", staff_role=StaffRole.ADMIN))
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.get(f"/staff/subject-access/{export.id}/download").status_code == 404

    client.sign_in(owner)
    response = client.get(f"/account/your-data/{export.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "your-data-" in response.headers["Content-Disposition"]
    assert "user_account.json" in unzip(response.data)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "personal_data_export").order_by(AuditEvent.id)
    ).all()
    assert actions == ["your_data.requested", "your_data.prepared", "your_data.downloaded"]


def test_asking_from_the_account_page_twice_while_it_is_prepared_makes_one_download(client, run_jobs, app):
    user = create_user(email="twice@example.org")
    client.sign_in(user)
    page = client.get_page("/account")
    assert page.find("a", href="/account/your-data")
    first = client.post_form("/account/your-data")
    second = client.post_form("/account/your-data")
    if app.config["RUN_JOBS_INLINE"]:
        assert db.session.scalar(sa.select(sa.func.count(PersonalDataExport.id))) == 2  # the first was ready already
    else:
        assert first.location == second.location
        assert db.session.scalar(sa.select(sa.func.count(PersonalDataExport.id))) == 1
    run_jobs()
    page = client.get_page(first.location)
    assert "Ready to download" in page.text
    assert page.find("a", string=lambda text: text and "Download your data" in text)


def test_a_download_expires_and_its_file_is_removed(client, run_jobs):
    user = create_user(email="expiring@example.org")
    export = prepared(services.request_own_export(user), run_jobs)
    assert export.expires_at - export.ready_at == timedelta(days=7)

    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.sign_in(user)
    assert client.get(f"/account/your-data/{export.id}/download").status_code == 404
    assert "Expired" in client.get_page(f"/account/your-data/{export.id}").text

    assert services.expire_exports() == 1
    assert services.expire_exports() == 0
    db.session.expire_all()
    export = db.session.get(PersonalDataExport, export.id)
    assert export.status is ExportStatus.EXPIRED and export.data is None


def test_a_job_that_stopped_part_way_is_started_again_and_never_reported_failed(app, run_jobs):
    user = create_user(email="stuck@example.org")
    export = services.request_own_export(user)
    export_id = export.id
    # As a worker killed mid-way leaves it: claimed long ago, half done, no file.
    long_ago = utcnow() - timedelta(seconds=app.config["CLAIM_TIMEOUT_SECONDS"] + 60)
    db.session.execute(
        sa.update(PersonalDataExport)
        .where(PersonalDataExport.id == export_id)
        .values(status=ExportStatus.PREPARING, claimed_at=long_ago, claimed_by="rq-job:gone", progress=40, data=None)
    )
    db.session.commit()
    assert services.is_stuck(db.session.get(PersonalDataExport, export_id))

    assert services.restart_stuck_exports() == 1
    run_jobs()
    db.session.expire_all()
    export = db.session.get(PersonalDataExport, export_id)
    assert export.status is ExportStatus.READY and export.data
    assert services.restart_stuck_exports() == 0

    # The stopped job coming back to life cannot mark it failed or overwrite it.
    assert services.prepare_export(export_id) is ExportStatus.READY


def test_an_export_that_keeps_stopping_is_given_up_as_failed(app):
    user = create_user(email="giving-up@example.org")
    export = PersonalDataExport(
        subject_user=user,
        subject_email=user.email,
        requested_by=user,
        status=ExportStatus.PREPARING,
        attempts=services.EXPORTS.max_attempts,
        claimed_at=utcnow() - timedelta(seconds=app.config["CLAIM_TIMEOUT_SECONDS"] + 60),
    )
    db.session.add(export)
    db.session.commit()
    assert services.restart_stuck_exports() == 0
    db.session.expire_all()
    assert db.session.get(PersonalDataExport, export.id).status is ExportStatus.FAILED


def test_a_failure_while_preparing_keeps_no_file_and_says_so(run_jobs, monkeypatch):
    user = create_user(email="fails@example.org")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "build_zip", broken)
    export = prepared(services.request_own_export(user), run_jobs)
    if export.status is ExportStatus.QUEUED:  # with Redis the job runs in the worker, without the broken writer
        pytest.skip("the worker imports the real writer")
    assert export.status is ExportStatus.FAILED and export.data is None
    assert "could not be prepared" in export.message


def test_only_an_administrator_can_use_subject_access(client):
    urls = ["/staff/subject-access", "/staff/subject-access?email=someone%40example.org"]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (
        create_user(email="member@example.org"),
        create_user(email="officer@example.org", staff_role=StaffRole.GRANT_OFFICER),
    ):
        client.sign_in(user)
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post_form(
            "/staff/subject-access",
            {"email": "someone@example.org", "reference": "SAR-1", "reason": "Letter"},
            expected_status=403,
        )


def test_an_administrator_finds_a_person_without_an_account_and_exports_it_with_the_reference(
    client, run_jobs, mailbox
):
    admin = create_user(email="admin@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN)
    now = utcnow()
    db.session.add(AlertSubscription(email="Walk.In@Example.org", created_at=now, confirmed_at=now))
    db.session.add(AlertSubscription(email="someone.else@example.org", created_at=now, confirmed_at=now))
    award = create_award(create_organisation())
    writer = create_user(email="writer@example.org", full_name="Wendy Writer")
    create_thread(award, writer, body="Jo Walker rang about walk.in@example.org and their referral")
    client.sign_in(admin)

    page = client.get_page("/staff/subject-access?email=walk.in%40example.org&name=Jo+Walker")
    assert "No account has this email address" in page.text
    assert "Mentions in messages and emails" in page.text and "Jo Walker rang" in page.text
    assert "Email alerts" in page.text

    page = client.post_form(
        "/staff/subject-access",
        {"email": "walk.in@example.org", "name": "Jo Walker", "reference": "", "reason": ""},
        expected_status=400,
    )
    assert error_messages(page) == {
        "reference": "Enter the request's reference",
        "reason": "Enter why the data is being exported",
    }
    response = client.post_form(
        "/staff/subject-access",
        {"email": "walk.in@example.org", "name": "Jo Walker", "reference": "SAR-2026-014", "reason": "Letter of 3 Dec"},
    )
    export = db.session.scalar(sa.select(PersonalDataExport))
    assert response.location == f"/staff/subject-access/{export.id}"
    run_jobs()
    assert "Ready to download" in client.get_page(response.location).text
    download = client.get(f"/staff/subject-access/{export.id}/download")
    assert download.status_code == 200 and "SAR-2026-014" in download.headers["Content-Disposition"]
    files = unzip(download.data)
    assert json.loads(files["alert_subscription.json"])[0]["email"] == "Walk.In@Example.org"
    assert "Jo Walker rang" in files["mentions.json"]
    everything = "\n".join(files.values())
    assert "someone.else@example.org" not in everything and "Wendy Writer" not in everything
    assert "SAR-2026-014" in files["README.txt"]

    events = {
        event.action: event
        for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "personal_data_export"))
    }
    assert set(events) == {"subject_access.requested", "subject_access.prepared", "subject_access.downloaded"}
    requested = events["subject_access.requested"]
    assert requested.actor_id == admin.id
    assert requested.after == {
        "email": "walk.in@example.org",
        "has_account": False,
        "reference": "SAR-2026-014",
        "reason": "Letter of 3 Dec",
    }
    assert "SAR-2026-014" in mailbox.last_to("admin@example.org")["Subject"]

    # The person's own pages know nothing of it, and another administrator's export list shows it.
    assert client.get(f"/account/your-data/{export.id}").status_code == 404


def test_closing_an_account_removes_every_download_about_the_person_at_once(run_jobs):
    from portal.privacy.accounts import close_own_account
    from tests.factories import PASSWORD

    person = create_user(email="leaving@example.org", full_name="Lee Leaving")
    admin = create_user(email="admin@example.org", staff_role=StaffRole.ADMIN)
    own = prepared(services.request_own_export(person), run_jobs)
    about = services.request_subject_access_export(
        admin, "leaving@example.org", name=None, reference="SAR-9", reason="Letter"
    )
    about = prepared(about, run_jobs)
    assert own.data and about.data

    close_own_account(person, PASSWORD)
    db.session.expire_all()
    for export in db.session.scalars(sa.select(PersonalDataExport)):
        assert (export.status, export.data, export.subject_name) == (ExportStatus.EXPIRED, None, None)
        assert export.subject_email.endswith("@closed.invalid")
    # The job that was making one when the account closed finds it no longer its own, and keeps nothing.
    assert services.prepare_export(own.id) is ExportStatus.EXPIRED
