"""Human-readable references for bids and awards: FUNDCODE-YEAR-NNNN."""

import sqlalchemy as sa

from portal.extensions import db


def next_reference(model, fund_code: str, year: int) -> str:
    """The next free reference for ``model`` (which has a unique ``reference`` column).

    Two requests racing for the same number both try to insert it: the unique constraint makes the loser's
    transaction fail and roll back whole, so nothing is half-written, and the person can simply try again.
    """
    prefix = f"{fund_code}-{year}-"
    latest = db.session.scalar(sa.select(sa.func.max(model.reference)).where(model.reference.startswith(prefix)))
    number = int(latest.removeprefix(prefix)) + 1 if latest else 1
    return f"{prefix}{number:04d}"
