"""The open-data files: made from published data by :func:`regenerate` and :func:`refresh` and stored with when
they were made, as text and gzipped. A web request never makes them: before the first files are stored it queues
the job (:func:`request_regeneration`) and says they are being prepared.

The files are put together from each grant's part (:mod:`portal.opendata.parts`). The job queued whenever
published data changes (``workers.opendata.regenerate``) calls :func:`refresh`, which makes again only the parts of
the awards changed since it last ran: its work grows with what changed, not with everything published. Every
night, and with ``flask opendata regenerate``, :func:`regenerate` makes every part again and checks every grant
against the schema, mending anything a change did not record.

Both are safe to repeat: a file whose data has not changed is left alone, stamp and all. A file is checked against
its schema before it is stored (each grant when its part is kept, the package's envelope and ids when it is put
together), so a fault can never replace a good file with a bad one.
"""

import gzip
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
from portal.opendata import parts

log = logging.getLogger(__name__)

THREESIXTY_JSON = "360giving.json"
THREESIXTY_CSV = "360giving.csv"
PERFORMANCE_CSV = "performance.csv"
FILE_NAMES = (THREESIXTY_JSON, THREESIXTY_CSV, PERFORMANCE_CSV)
THREESIXTY_FILES = (THREESIXTY_JSON, THREESIXTY_CSV)


class InvalidOpenData(Exception):
    """A generated file failed its schema: a fault in the portal, never stored."""


@dataclass(frozen=True)
class Made:
    name: str
    content_type: str
    fingerprint: str
    records: int
    make_body: Callable[[], str]  # called only when the data has changed


def regenerate(now: datetime | None = None) -> list[str]:
    """Make every grant's part again, checking each against the schema, and bring the stored files up to date with
    the published data; return the names of the files that changed."""
    return _bring_up_to_date(now or utcnow(), everything=True)


def refresh(now: datetime | None = None) -> list[str]:
    """Bring the stored files up to date with the changes recorded since they were made (see
    :func:`portal.directory.published.changed`), making again only the changed awards' parts; return the names of
    the files that changed. With no parts yet, or a change that did not say what it changed, this is
    :func:`regenerate`."""
    return _bring_up_to_date(now or utcnow(), everything=False)


def _bring_up_to_date(now: datetime, *, everything: bool) -> list[str]:
    parts.lock()
    changes = parts.pending_changes()
    award_ids = None if everything else parts.awards_to_make(changes)
    try:
        updated = parts.update(award_ids)
        stored = {file.name: file for file in db.session.scalars(sa.select(OpenDataFile))}
        names = set(FILE_NAMES) - set(stored)  # a file not stored yet is made whatever changed
        if award_ids is None or updated.grants:
            names.update(THREESIXTY_FILES)
        if award_ids is None or updated.performance:
            names.add(PERFORMANCE_CSV)
        changed = _store(_made(names, now), names, stored, now)
    except parts.InvalidGrant as error:
        db.session.rollback()
        raise InvalidOpenData(str(error)) from error
    parts.forget_changes([change_id for change_id, _award_id in changes])
    try:
        db.session.commit()
    except IntegrityError:
        # Another run stored the same files at the same moment: theirs are as current as ours.
        db.session.rollback()
        log.info("open data regenerated concurrently; keeping the other run's files")
        return []
    return changed


def _made(names: set[str], now: datetime) -> list[Made]:
    """What the files among ``names`` should hold now, from the parts kept. 360Giving needs at least one grant, so
    with none published there is no 360Giving file; the performance file always exists, with its header at least."""
    made = []
    if names & set(THREESIXTY_FILES):
        grants = parts.grants()
        if grants.items:
            fingerprint = grants.fingerprint
            if THREESIXTY_JSON in names:
                made.append(
                    Made(
                        THREESIXTY_JSON,
                        "application/json",
                        fingerprint,
                        len(grants.items),
                        lambda: parts.threesixty_json(grants, now),
                    )
                )
            if THREESIXTY_CSV in names:
                made.append(Made(THREESIXTY_CSV, "text/csv", fingerprint, len(grants.items), parts.threesixty_csv))
    if PERFORMANCE_CSV in names:
        body, rows = parts.performance_csv()
        made.append(Made(PERFORMANCE_CSV, "text/csv", parts.fingerprint([body]), rows, lambda: body))
    return made


def _store(made: list[Made], names: set[str], stored: dict[str, OpenDataFile], now: datetime) -> list[str]:
    """Store the files made, and remove those of ``names`` that should no longer exist (the last published award
    was withdrawn); a file whose fingerprint is unchanged is left as it is. The names of the files changed."""
    changed = []
    wanted = {file.name: file for file in made}
    for name in sorted(names - set(wanted)):
        if name in stored:
            db.session.delete(stored[name])
            changed.append(name)
    for name, new in wanted.items():
        kept = stored.get(name)
        if kept is not None and kept.fingerprint == new.fingerprint:
            continue
        body = new.make_body()
        file = kept if kept is not None else OpenDataFile(name=name)
        if kept is None:
            db.session.add(file)
        file.content_type = new.content_type
        file.body = body
        file.body_gzip = gzip.compress(body.encode(), compresslevel=6, mtime=0)
        file.records = new.records
        file.fingerprint = new.fingerprint
        file.generated_at = now
        changed.append(name)
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
