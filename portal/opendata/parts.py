"""Each grant's part of the open-data files (:class:`~portal.models.OpenDataGrant`): its 360Giving grant as the
JSON package writes it, its row of the flattened CSV and its rows of the performance file. A change to published
data records the awards it changed (:class:`~portal.models.OpenDataChange`, written by
:func:`portal.directory.published.changed` in the same transaction), so bringing the files up to date reads and
writes again only those awards' parts, and puts the files together from the parts kept: text joined in order.

Nothing invalid is kept: a part is checked against the 360Giving grant schema before it is kept, and a package
against the package schema with its first grant (the envelope) and for ids shared by two grants before it is
stored, which is the whole package's check (:func:`portal.opendata.validation.threesixty_package_errors`).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from portal.directory.published import is_published
from portal.extensions import db
from portal.models import Award, OpenDataChange, OpenDataGrant
from portal.opendata import lcpf_grants, performance, threesixty, validation

# Beyond this many awards changed at once, every part is made again: reading them all costs little more, and the
# awards need not be listed in a query.
MAKE_ALL_ABOVE = 1000
# Two runs at once would each write the parts they read: one at a time, on PostgreSQL (SQLite has one writer).
LOCK_KEY = 360_360


class InvalidGrant(Exception):
    """A grant, or the package, failed the 360Giving schema: a fault in the portal, never kept."""


@dataclass(frozen=True)
class Part:
    """What a grant's part should hold now."""

    key: str
    award_id: int | None
    reference: str | None
    position: int
    grant: dict
    grant_json: str
    performance_csv: str
    performance_rows: int


@dataclass(frozen=True)
class Updated:
    """Which files the parts written may have changed."""

    grants: bool
    performance: bool


def award_key(award_id: int) -> str:
    return f"award-{award_id}"


def lock() -> None:
    """Wait for any other run to finish, until this transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def pending_changes() -> list[tuple[int, int | None]]:
    """``(id, award id)`` of the changes recorded and not yet made."""
    rows = db.session.execute(sa.select(OpenDataChange.id, OpenDataChange.award_id))
    return [(change_id, award_id) for change_id, award_id in rows]


def forget_changes(change_ids: list[int]) -> None:
    """The changes made: ones recorded since stay for the next run."""
    for start in range(0, len(change_ids), 500):
        db.session.execute(sa.delete(OpenDataChange).where(OpenDataChange.id.in_(change_ids[start : start + 500])))


def awards_to_make(changes: list[tuple[int, int | None]]) -> set[int] | None:
    """The awards whose parts to make again: those changed, those published with no part yet and those with a part
    no longer published (withdrawn). None, meaning every award, when a change did not say which awards it changed
    or no part has been made yet, or more than :data:`MAKE_ALL_ABOVE` awards changed."""
    changed = {award_id for _id, award_id in changes}
    if None in changed or len(changed) > MAKE_ALL_ABOVE:
        return None
    if db.session.scalar(sa.select(OpenDataGrant.key).limit(1)) is None:
        return None
    kept = {
        award_id
        for award_id in db.session.scalars(sa.select(OpenDataGrant.award_id))
        if award_id is not None  # the fund's grants
    }
    published = set(db.session.scalars(sa.select(Award.id).where(is_published())))
    award_ids = {award_id for award_id in changed if award_id is not None} | (published ^ kept)
    return award_ids if len(award_ids) <= MAKE_ALL_ABOVE else None


def _wanted(award_ids: set[int] | None) -> dict[str, Part]:
    """The parts of these awards' grants (every award's, for None) and of the London Crime Prevention Fund's
    grants, which are few and always made again, as they should be now."""
    rows_by_award = performance.rows_by_award(award_ids)
    wanted = {}
    for award_id, reference, record in threesixty.award_grants(award_ids):
        rows = rows_by_award.get(award_id, [])
        wanted[award_key(award_id)] = Part(
            award_key(award_id),
            award_id,
            reference,
            0,
            record,
            threesixty.grant_item_json(record),
            performance.rows_csv(rows, header=False) if rows else "",
            len(rows),
        )
    for position, record in enumerate(lcpf_grants.lcpf_grants()):
        key = f"lcpf-{position}"
        wanted[key] = Part(key, None, None, position, record, threesixty.grant_item_json(record), "", 0)
    return wanted


def _grant_problems(part: Part) -> list[str]:
    return [
        f"grant {part.grant.get('id')!r}: {problem}"
        for problem in validation.errors(validation.threesixty_grant_validator(), part.grant)
    ]


def update(award_ids: set[int] | None) -> Updated:
    """Make again the parts of ``award_ids`` (every award's, for None, checking every grant again against the
    schema) and of the fund's grants, removing the parts of awards no longer published. Only a grant whose JSON
    changed is checked when ``award_ids`` are given; a grant that fails stops everything with
    :class:`InvalidGrant`, keeping nothing."""
    wanted = _wanted(award_ids)
    kept_query = sa.select(OpenDataGrant)
    if award_ids is not None:
        in_scope = [OpenDataGrant.award_id.in_(award_ids)] if award_ids else []
        kept_query = kept_query.where(sa.or_(OpenDataGrant.award_id.is_(None), *in_scope))
    kept = {part.key: part for part in db.session.scalars(kept_query)}
    grants_changed = performance_changed = False
    problems: list[str] = []
    for key, gone in kept.items():
        if key not in wanted:
            db.session.delete(gone)
            grants_changed = True
            performance_changed = performance_changed or gone.performance_rows > 0
    for key, part in wanted.items():
        old = kept.get(key)
        grant_same = old is not None and _same_grant(old, part)
        if award_ids is None or not grant_same:
            problems += _grant_problems(part)
        if old is None:
            old = OpenDataGrant(key=key, performance_csv="", performance_rows=0)
            db.session.add(old)
        if not grant_same:
            _keep_grant(old, part)
            grants_changed = True
            # An award's reference, so its place in the performance file, may have changed with its grant.
            performance_changed = performance_changed or part.performance_rows > 0
        if (old.performance_csv, old.performance_rows) != (part.performance_csv, part.performance_rows):
            old.performance_csv, old.performance_rows = part.performance_csv, part.performance_rows
            performance_changed = True
    if problems:
        raise InvalidGrant("360Giving grants failed their schema: " + "; ".join(problems[:10]))
    return Updated(grants_changed, performance_changed)


def _same_grant(kept: OpenDataGrant, part: Part) -> bool:
    return (kept.grant_json, kept.reference, kept.position) == (part.grant_json, part.reference, part.position)


def _keep_grant(kept: OpenDataGrant, part: Part) -> None:
    kept.award_id, kept.reference, kept.position = part.award_id, part.reference, part.position
    kept.grant_id, kept.grant_json = part.grant["id"], part.grant_json
    kept.locations, kept.classifications = threesixty.csv_width(part.grant)
    kept.csv_row, kept.csv_width = "", ""  # written when the CSV is next put together (threesixty_csv)


def _in_order() -> list[Any]:
    """The files' order: the awards by reference, as :func:`portal.opendata.threesixty.award_grants` reads them,
    then the fund's grants."""
    return [
        sa.case((OpenDataGrant.award_id.is_(None), 1), else_=0),
        OpenDataGrant.reference,
        OpenDataGrant.award_id,
        OpenDataGrant.position,
    ]


def fingerprint(texts: list[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Grants:
    """The grants' parts in the files' order: what the 360Giving files are put together from."""

    keys: list[str]
    grant_ids: list[str]
    items: list[str]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.items)


def grants() -> Grants:
    rows = db.session.execute(
        sa.select(OpenDataGrant.key, OpenDataGrant.grant_id, OpenDataGrant.grant_json).order_by(*_in_order())
    ).all()
    return Grants([row.key for row in rows], [row.grant_id for row in rows], [row.grant_json for row in rows])


def threesixty_json(kept: Grants, generated_at: datetime) -> str:
    """The 360Giving package of the grants kept, checked as a whole package would be: each grant was checked when
    it was kept; here the envelope with the first grant, and that no two grants share an id."""
    body = threesixty.package_json_of_items(kept.items, generated_at)
    envelope = threesixty.package([json.loads(kept.items[0])], generated_at)
    problems = validation.errors(validation.threesixty_validator(), envelope)
    seen: set[str] = set()
    for index, grant_id in enumerate(kept.grant_ids):
        if grant_id in seen:
            problems.append(f"grants/{index}/id: {grant_id!r} is used by another grant")
        seen.add(grant_id)
    if problems:
        raise InvalidGrant("360Giving package failed its schema: " + "; ".join(problems[:10]))
    return body


def threesixty_csv() -> str:
    """The flattened CSV of the grants kept. Its columns are as many as the grant with the most locations and
    classifications needs; a row written for other columns (or not yet written) is written again and kept."""
    locations, classifications = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.max(OpenDataGrant.locations), 0),
            sa.func.coalesce(sa.func.max(OpenDataGrant.classifications), 0),
        )
    ).one()
    width = f"{locations}:{classifications}"
    columns = threesixty.csv_columns_for(locations, classifications)
    for part in db.session.scalars(sa.select(OpenDataGrant).where(OpenDataGrant.csv_width != width)):
        part.csv_row, part.csv_width = threesixty.csv_row_text(json.loads(part.grant_json), columns), width
    rows = db.session.scalars(sa.select(OpenDataGrant.csv_row).order_by(*_in_order()))
    return threesixty.csv_header(columns) + "".join(rows)


def performance_csv() -> tuple[str, int]:
    """The performance file of the parts kept, and how many rows it has."""
    parts = db.session.execute(
        sa.select(OpenDataGrant.performance_csv, OpenDataGrant.performance_rows)
        .where(OpenDataGrant.performance_rows > 0)
        .order_by(*_in_order())
    ).all()
    body = performance.rows_csv([]) + "".join(text for text, _rows in parts)
    return body, sum(rows for _text, rows in parts)
