"""Redis stopped while the portal runs: people can still sign in, ask for a reset, read the public pages, submit a
bid and ask for a report; nothing they did is lost; and once Redis is back every job and email goes out once."""

import logging
from collections import Counter

import sqlalchemy as sa

from portal import jobs
from portal.extensions import db
from portal.models import JobHandover, MessageStatus, OutboundMessage, ReportRun, ReportStatus, StaffRole, User
from tests.factories import PASSWORD, create_user
from tests.integration.test_bid_submit import complete_bid, submit


def public_pages(app) -> list[str]:
    """Every public page that takes no argument (the directory, the map and its data, the dashboards...)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and getattr(app.view_functions[rule.endpoint], "permission_policy", None) == "public"
    )


def delivered(smtp_server) -> Counter:
    """Who the SMTP server received email for, without running any job (Redis may be down)."""
    collector = smtp_server[1]
    with collector.lock:
        return Counter(message["To"] for message in collector.received)


def read_afresh() -> None:
    """End this session's transaction, so that it sees what the workers have committed since (SQLite keeps a
    reading transaction's snapshot)."""
    db.session.commit()


def waiting_jobs() -> list[str]:
    read_afresh()
    return list(db.session.scalars(sa.select(JobHandover.function).order_by(JobHandover.id)))


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_with_redis_stopped_people_carry_on_and_everything_goes_out_once_when_it_is_back(
    app, client, on_private_redis, run_jobs, smtp_server, caplog
):
    pages = [page for page in public_pages(app) if page != "/healthcheck"]
    assert {"/services", "/map", "/map/data.json", "/dashboards"} <= set(pages)
    officer_email = create_user(staff_role=StaffRole.GRANT_OFFICER).email
    member_email = create_user(email="sam@example.org").email
    # With Redis up, the cache holds these figures. An open-data file not made yet says it is being prepared (503
    # with Retry-After), down or up; nothing else may answer 5xx.
    statuses = {url: client.get(url).status_code for url in pages}
    failing = {url: status for url, status in statuses.items() if status >= 500}
    assert all(url.startswith("/data/") and status == 503 for url, status in failing.items()), failing

    on_private_redis.stop()

    with caplog.at_level(logging.WARNING):
        assert client.post_form("/sign-in", {"email": officer_email, "password": PASSWORD}).status_code == 302
    assert "falling back to in-memory storage" in caplog.text
    client.sign_out()
    page = client.post_form("/forgotten-password", {"email": member_email}, expected_status=200)
    assert "check your email" in page.get_text().lower()
    assert {url: client.get(url).status_code for url in pages} == statuses

    _setup, application = complete_bid(client)
    assert (
        submit(client, application).headers["Location"]
        == f"/organisations/{application.organisation_id}/applications/{application.id}/submitted"
    )
    assert client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/submitted"
    ).select_one(".govuk-panel__title")
    client.sign_out()

    client.sign_in(user(officer_email))
    first = client.post_form("/staff/reports", {"period": "2025-04"})
    assert client.get(first.location).status_code == 200

    # Everything is saved, and every job waits in the database for Redis.
    read_afresh()
    unsent = list(db.session.scalars(sa.select(OutboundMessage.to_address).order_by(OutboundMessage.id)))
    assert unsent and member_email in unsent
    # The open-data files asked for before they were made are queued to be made, as is everything else.
    assert sorted(set(waiting_jobs())) == [
        "workers.email.send_message",
        "workers.opendata.regenerate",
        "workers.reports.build_committee_report",
    ]
    assert waiting_jobs().count("workers.email.send_message") == len(unsent)
    assert delivered(smtp_server) == Counter()

    health = client.get("/healthcheck")
    assert health.status_code == 200  # the portal is serving; monitoring sees Redis down and the jobs waiting
    assert health.get_json()["redis"] == "unreachable"
    assert health.get_json()["oldest_pending_job_seconds"] >= 0
    assert health.get_json()["oldest_pending_email_seconds"] >= 0

    on_private_redis.start()

    # The first request after the check's interval hands the jobs over; the scheduler's check then finds nothing.
    jobs._last_check["at"] -= jobs.HANDOVER_CHECK_SECONDS
    assert client.get("/cookies").status_code == 200
    assert waiting_jobs() == []
    assert jobs.hand_over_waiting() == 0
    run_jobs()
    run_jobs()
    assert delivered(smtp_server) == Counter(unsent)
    assert all(count == 1 for count in delivered(smtp_server).values())
    read_afresh()
    assert {m.status for m in db.session.scalars(sa.select(OutboundMessage))} == {MessageStatus.SENT}
    [run] = db.session.scalars(sa.select(ReportRun)).all()
    assert run.status is ReportStatus.DONE
    health = client.get("/healthcheck").get_json()
    assert (health["redis"], health["oldest_pending_job_seconds"], health["oldest_pending_email_seconds"]) == (
        "ok",
        None,
        None,
    )


def test_jobs_kept_while_redis_was_down_are_handed_over_by_the_scheduler_once(on_private_redis, run_jobs, smtp_server):
    from portal.email.outbox import queue_email

    address = create_user(email="kim@example.org").email
    on_private_redis.stop()
    queue_email(address, "password_changed", user=user(address))
    db.session.commit()
    assert waiting_jobs() == ["workers.email.send_message"]
    assert jobs.hand_over_waiting() == 0  # Redis is still down: the job stays
    [kept] = db.session.scalars(sa.select(JobHandover)).all()
    assert (kept.attempts, kept.claimed_at) == (1, None)
    assert kept.last_error.startswith("ConnectionError")

    on_private_redis.start()
    from workers.maintenance import recover

    assert recover()["jobs handed over"] == 1
    assert recover()["jobs handed over"] == 0
    run_jobs()
    assert delivered(smtp_server) == Counter({address: 1})
