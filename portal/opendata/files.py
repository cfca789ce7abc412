"""The open-data files: made from published data by :func:`regenerate` (a background job, queued when an award is
approved or a return accepted, and the ``flask opendata regenerate`` command) and stored with when they were made,
as text and gzipped. A web request never makes them: before the first files are stored it queues the job
(:func:`request_regeneration`) and says they are being prepared.

Regenerating is safe to repeat: a file whose data has not changed is left alone, stamp and all. A file is checked
against its schema before it is stored, so a fault can never replace a good file with a bad one.
"""

import gzip
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal import jobs
from portal.database import utcnow
from portal.extensions import db
from portal.models import OpenDataFile
from portal.opendata import lcpf_grants, performance, threesixty, validation

log = logging.getLogger(__name__)

THREESIXTY_JSON = "360giving.json"
THREESIXTY_CSV = "360giving.csv"
PERFORMANCE_CSV = "performance.csv"
FILE_NAMES = (THREESIXTY_JSON, THREESIXTY_CSV, PERFORMANCE_CSV)


class InvalidOpenData(Exception):
    """A generated file failed its schema: a fault in the portal, never stored."""


@dataclass(frozen=True)
class Generated:
    name: str
    content_type: str
    fingerprint: str
    records: int
    make_body: Callable[[datetime], str]  # called only when the data has changed


def _fingerprint(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _check_threesixty(body: str) -> str:
    problems = validation.threesixty_package_errors(json.loads(body))
    if problems:
        raise InvalidOpenData("360Giving package failed its schema: " + "; ".join(problems[:10]))
    return body


def generate() -> list[Generated]:
    """What the files should hold now. 360Giving needs at least one grant, so with none published there is no
    360Giving file; the performance file always exists, with its header at least."""
    files = []
    grants = threesixty.published_grants() + lcpf_grants.lcpf_grants()
    if grants:
        fingerprint = _fingerprint(grants)
        files.append(
            Generated(
                THREESIXTY_JSON,
                "application/json",
                fingerprint,
                len(grants),
                lambda at: _check_threesixty(threesixty.package_json(grants, at)),
            )
        )
        files.append(
            Generated(THREESIXTY_CSV, "text/csv", fingerprint, len(grants), lambda _at: threesixty.grants_csv(grants))
        )
    rows = performance.performance_rows()
    files.append(
        Generated(PERFORMANCE_CSV, "text/csv", _fingerprint(rows), len(rows), lambda _at: performance.rows_csv(rows))
    )
    return files


def regenerate(now: datetime | None = None) -> list[str]:
    """Bring the stored files up to date with the published data; return the names of the files that changed."""
    now = now or utcnow()
    wanted = {generated.name: generated for generated in generate()}
    stored = {file.name: file for file in db.session.scalars(sa.select(OpenDataFile))}
    changed = []
    for name, old in stored.items():
        if name not in wanted:
            db.session.delete(old)  # e.g. the last published award was withdrawn
            changed.append(name)
    for name, generated in wanted.items():
        kept = stored.get(name)
        if kept is not None and kept.fingerprint == generated.fingerprint:
            continue
        body = generated.make_body(now)
        file = kept if kept is not None else OpenDataFile(name=name)
        if kept is None:
            db.session.add(file)
        file.content_type = generated.content_type
        file.body = body
        file.body_gzip = gzip.compress(body.encode(), compresslevel=6, mtime=0)
        file.records = generated.records
        file.fingerprint = generated.fingerprint
        file.generated_at = now
        changed.append(name)
    try:
        db.session.commit()
    except IntegrityError:
        # Another run stored the same files at the same moment: theirs are as current as ours.
        db.session.rollback()
        log.info("open data regenerated concurrently; keeping the other run's files")
        return []
    return changed


def fetch_file(name: str) -> OpenDataFile | None:
    """A stored file's details, without its body (read that with :func:`body_chunks`)."""
    return db.session.scalar(sa.select(OpenDataFile).where(OpenDataFile.name == name))


def fetch_files() -> dict[str, OpenDataFile]:
    return {file.name: file for file in db.session.scalars(sa.select(OpenDataFile))}


def read_body(name: str, *, gzipped: bool) -> bytes | None:
    """A stored file's bytes, gzipped or as UTF-8 text, read in one query straight from its column: nothing else
    about the file is loaded, and the caller sends them on in pieces."""
    column = OpenDataFile.body_gzip if gzipped else OpenDataFile.body
    data = db.session.scalar(sa.select(column).where(OpenDataFile.name == name))
    return data.encode() if isinstance(data, str) else data


REGENERATE_JOB = "workers.opendata.regenerate"


def queue_regeneration() -> None:
    """Have the files brought up to date after this transaction commits: at most one such job waits at a time."""
    jobs.enqueue(REGENERATE_JOB, coalesce=True)


def request_regeneration() -> None:
    """From a web request that found no files stored: queue the job that makes them, never making them here. Where
    jobs run inline (no Redis, so no worker) they would run inside this request, so nothing is queued: the files are
    made by ``flask opendata regenerate``, ``flask demo load`` and the first approval."""
    if current_app.config["RUN_JOBS_INLINE"]:
        return
    queue_regeneration()
    db.session.commit()
