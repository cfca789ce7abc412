"""A download of someone's data asked for while Redis is down, or whose worker is killed part way: the person is
never told it failed, it is never stuck for ever, and once it is made they are emailed once."""

from collections import Counter

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import ExportStatus, JobHandover, PersonalDataExport
from portal.your_data import services
from tests.factories import create_user
from tests.faults.test_redis_outage import delivered, read_afresh
from tests.faults.test_worker_killed import (  # noqa: F401  (holding_smtp is a fixture)
    CLAIM_TIMEOUT_SECONDS,
    holding_smtp,
    read,
    run_the_schedulers_check,
    wait_for,
    wait_past_claim_timeout,
)


def test_asking_for_your_data_while_redis_is_down_is_kept_and_made_once_it_is_back(
    client, on_private_redis, run_jobs, smtp_server
):
    person = create_user(email="asker@example.org")
    client.sign_in(person)
    on_private_redis.stop()

    response = client.post_form("/account/your-data")
    page = client.get_page(response.location)
    assert "Waiting to start" in page.text and "Failed" not in page.text
    read_afresh()
    assert list(db.session.scalars(sa.select(JobHandover.function))) == [services.EXPORTS.job]
    # Asking again while it waits changes nothing.
    assert client.post_form("/account/your-data").location == response.location

    on_private_redis.start()
    from workers.maintenance import recover

    assert recover()["jobs handed over"] == 1
    run_jobs()
    run_jobs()
    read_afresh()
    [export] = db.session.scalars(sa.select(PersonalDataExport)).all()
    assert export.status is ExportStatus.READY
    assert delivered(smtp_server) == Counter({"asker@example.org": 1})
    assert "Ready to download" in client.get_page(response.location).text


def test_a_download_whose_worker_was_killed_part_way_is_made_by_the_next_worker(
    holding_smtp,  # noqa: F811  (the fixture imported above)
    worker_processes,
    client,
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL, to hold the worker at a table the test has locked")
    mail_port, smtp = holding_smtp
    smtp.holds_left = 0  # every email is accepted at once: this test holds the worker at the database instead
    person = create_user(email="killed@example.org")
    export_id = services.request_own_export(person).id

    # The test holds the sessions table, so the job waits there once it has claimed the export.
    blocker = db.engine.connect()
    transaction = blocker.begin()
    blocker.execute(sa.text("LOCK TABLE user_session IN ACCESS EXCLUSIVE MODE"))
    try:
        dying = worker_processes(mail_port)

        def job_waiting_at_the_lock() -> bool:
            blocker.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return bool(
                blocker.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                ).scalar()
            )

        wait_for(job_waiting_at_the_lock, "the job reaching the sessions", [dying])
        dying.kill()
    finally:
        transaction.rollback()
        blocker.close()

    export = read(sa.select(PersonalDataExport).where(PersonalDataExport.id == export_id))
    assert export.status is ExportStatus.PREPARING and export.claimed_by.startswith("rq-job:")
    client.sign_in(person)
    page = client.get_page(f"/account/your-data/{export_id}")
    assert "Being prepared" in page.text and "Failed" not in page.text
    # Asking again while the job might still be at work returns the same download.
    assert services.request_own_export(person).id == export_id

    fresh = worker_processes(mail_port, CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT_SECONDS)
    wait_past_claim_timeout(export.claimed_at)
    run_the_schedulers_check()
    wait_for(
        lambda: (
            read(sa.select(PersonalDataExport.status).where(PersonalDataExport.id == export_id)) is ExportStatus.READY
        ),
        "the download being made",
        [dying, fresh],
    )
    run_the_schedulers_check()
    wait_for(lambda: smtp.accepted == Counter({"killed@example.org": 1}), "the email saying it is ready", [fresh])
    export = read(sa.select(PersonalDataExport).where(PersonalDataExport.id == export_id))
    assert (export.attempts, export.data is not None) == (2, True)
    assert read(sa.select(sa.func.count()).select_from(PersonalDataExport)) == 1
