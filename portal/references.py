"""Human-readable references for bids and awards: FUNDCODE-YEAR-NNNN."""

from typing import Any

import sqlalchemy as sa

from portal.extensions import db


def next_reference(model: Any, fund_code: str, year: int) -> str:
    """The next free reference for ``model`` (which has a unique ``reference`` column).

    Two requests racing for the same number both try to insert it: the unique constraint makes the loser's
    transaction fail and roll back whole, so nothing is half-written, and the person can simply try again.
    """
    prefix = f"{fund_code}-{year}-"
    latest = db.session.scalar(sa.select(sa.func.max(model.reference)).where(model.reference.startswith(prefix)))
    number = int(latest.removeprefix(prefix)) + 1 if latest else 1
    return f"{prefix}{number:04d}"


def next_award_reference(fund_code: str, year: int) -> str:
    """Award references carry an ``A`` (LCPF-A-2026-0001) so they are never mistaken for bid references."""
    from portal.models import Award

    return next_reference(Award, f"{fund_code}-A", year)
