"""Open-data files are sent from their stored bytes (gzipped where the client accepts it, 304 without reading them),
a web request never makes them, and the job that does is queued once however many changes wait for it and does
nothing when nothing published has changed."""

import gzip
import json
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import request_started

from portal import jobs
from portal.extensions import db
from portal.models import OpenDataFile
from portal.opendata import files
from tests.factories_monitoring import create_award
from tests.opendata_support import london_awards
from workers import opendata as opendata_jobs


@contextmanager
def counting_queries():
    statements: list[str] = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def stored_names() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(OpenDataFile.name)))


def waiting_jobs() -> list[str]:
    return [job.args[1] for job in jobs.queue(jobs.QUEUE_DEFAULT).get_jobs()]


def test_a_new_installation_says_the_files_are_being_prepared_without_making_them_in_the_request(app, client, run_jobs):
    london_awards()
    db.session.commit()
    for _ in range(3):
        response = client.get("/data/360giving.json")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "60"
        assert "no-store" in response.headers["Cache-Control"]
        page = client.get_page("/data/360giving.csv", expected_status=503)
        assert page.select_one("h1").get_text(strip=True) == "The open data files are being prepared"
    assert "being prepared" in client.get("/data").get_data(as_text=True)
    assert stored_names() == set()
    if app.config["RUN_JOBS_INLINE"]:
        return  # no worker to queue for: `flask opendata regenerate`, the demo and approvals make them
    assert waiting_jobs() == [files.REGENERATE_JOB]  # asked for six times, queued once
    run_jobs()
    assert stored_names() == set(files.FILE_NAMES)
    assert client.get("/data/360giving.json").status_code == 200


def test_a_file_is_sent_gzipped_to_a_client_that_accepts_it_and_as_text_to_one_that_does_not(client):
    london_awards()
    files.regenerate()
    text = db.session.scalar(sa.select(OpenDataFile.body).where(OpenDataFile.name == files.THREESIXTY_JSON))

    plain = client.get("/data/360giving.json")
    assert "Content-Encoding" not in plain.headers
    assert plain.is_streamed
    assert plain.get_data(as_text=True) == text

    zipped = client.get("/data/360giving.json", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.mimetype == "application/json"
    assert json.loads(gzip.decompress(zipped.get_data())) == json.loads(text)
    assert len(zipped.get_data()) < len(text.encode()) / 3
    assert zipped.headers["ETag"] != plain.headers["ETag"]


def test_a_matching_conditional_request_is_answered_304_without_reading_the_file(client):
    london_awards()
    files.regenerate()
    first = client.get("/data/360giving.json", headers={"Accept-Encoding": "gzip"})
    for etag, encoding in ((first.headers["ETag"], "gzip"), (client.get("/data/360giving.json").headers["ETag"], "")):
        with counting_queries() as statements:
            response = client.get("/data/360giving.json", headers={"If-None-Match": etag, "Accept-Encoding": encoding})
        assert response.status_code == 304
        assert not any("body" in statement for statement in statements)
    by_date = client.get("/data/360giving.json", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304


def test_listing_the_files_never_reads_their_bodies(client):
    london_awards()
    files.regenerate()
    with counting_queries() as statements:
        assert client.get("/data").status_code == 200
    assert not any("open_data_file.body" in statement for statement in statements)


@pytest.mark.usefixtures("client")
def test_changes_waiting_for_the_same_job_queue_it_once_and_the_next_change_after_it_starts_queues_it_again(
    app, run_jobs
):
    if app.config["RUN_JOBS_INLINE"]:
        pytest.skip("coalescing waiting jobs needs a queue: Redis")
    for _ in range(2):  # two changes in one transaction, then a third in another
        files.queue_regeneration()
    db.session.commit()
    files.queue_regeneration()
    db.session.commit()
    assert waiting_jobs() == [files.REGENERATE_JOB]
    assert jobs.is_waiting(files.REGENERATE_JOB)
    run_jobs()
    assert not jobs.is_waiting(files.REGENERATE_JOB)
    files.queue_regeneration()
    db.session.commit()
    assert waiting_jobs() == [files.REGENERATE_JOB]


def test_the_job_does_nothing_when_nothing_published_has_changed_since_it_last_ran(run_jobs):
    london = london_awards()
    db.session.commit()
    run_jobs()  # whatever setting up queued
    opendata_jobs.regenerate()
    assert stored_names() == set(files.FILE_NAMES)
    db.session.remove()
    with counting_queries() as statements:
        assert opendata_jobs.regenerate() == []
    assert statements == []

    create_award(organisation=london.charity, title="A newly approved service")
    db.session.commit()
    run_jobs()
    opendata_jobs.regenerate()
    assert "A newly approved service" in files.read_body(files.THREESIXTY_JSON, gzipped=False).decode()
    db.session.remove()
    with counting_queries() as statements:
        assert opendata_jobs.regenerate() == []
    assert statements == []


def test_a_file_is_answered_in_front_of_flask_in_each_encoding_until_a_new_one_is_stored(app, client):
    london = london_awards()
    files.regenerate()
    db.session.commit()
    gzipped = {"Accept-Encoding": "gzip"}
    first = {"plain": client.get("/data/360giving.json"), "gzip": client.get("/data/360giving.json", headers=gzipped)}
    reached: list[str] = []

    def note(_sender, **_extra):
        reached.append("flask")

    request_started.connect(note, app)
    try:
        again = {
            "plain": client.get("/data/360giving.json"),
            "gzip": client.get("/data/360giving.json", headers=gzipped),
        }
        assert reached == []  # both answered from the process's memory, each in its own encoding
        for encoding, response in again.items():
            assert response.data == first[encoding].data
            assert response.headers["ETag"] == first[encoding].headers["ETag"]
            assert response.headers.get("Content-Encoding") == first[encoding].headers.get("Content-Encoding")
        assert again["gzip"].headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in again["plain"].headers
        unchanged = client.get(
            "/data/360giving.json", headers={**gzipped, "If-None-Match": again["gzip"].headers["ETag"]}
        )
        assert unchanged.status_code == 304 and reached == []

        create_award(organisation=london.charity, title="A newly approved service")
        files.regenerate()
        db.session.commit()
        renewed = client.get("/data/360giving.json")
    finally:
        request_started.disconnect(note, app)
    assert reached == ["flask"]
    assert b"A newly approved service" in renewed.data
    assert renewed.headers["ETag"] != first["plain"].headers["ETag"]
