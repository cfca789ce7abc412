"""What the public sees of funding rounds: published ones only, never drafts."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal.database import utcnow
from portal.extensions import db
from portal.models import LocalAuthority
from portal.models.funding import Criterion, FundServiceArea, Question, Round, ServiceArea, round_borough

OPPORTUNITIES_PER_PAGE = 20
RECENTLY_CLOSED_DAYS = 365


def _published() -> sa.ColumnElement[bool]:
    return Round.published_at.is_not(None)


def _for_service_area(area: ServiceArea) -> sa.ColumnElement[bool]:
    return Round.fund_id.in_(sa.select(FundServiceArea.fund_id).where(FundServiceArea.service_area == area))


def _for_boroughs(local_authorities: list[LocalAuthority]) -> sa.ColumnElement[bool]:
    """Rounds open London-wide (they list no boroughs) and rounds that list any of these boroughs."""
    listed = sa.select(round_borough.c.round_id).where(round_borough.c.round_id == Round.id)
    these = listed.where(round_borough.c.local_authority_id.in_([la.id for la in local_authorities]))
    return sa.or_(~sa.exists(listed), sa.exists(these))


def fetch_opportunities_page(
    page: int,
    *,
    service_area: ServiceArea | None = None,
    borough: LocalAuthority | None = None,
    boroughs: list[LocalAuthority] | None = None,
    now: datetime | None = None,
    per_page: int = OPPORTUNITIES_PER_PAGE,
) -> Pagination:
    """Open rounds, closing soonest first, then upcoming rounds, opening soonest first. ``boroughs`` (a postcode
    district's candidate boroughs) matches rounds open in any of them."""
    now = now or utcnow()
    is_open = Round.opens_at <= now
    query = (
        sa.select(Round)
        .where(_published(), Round.closes_at > now)
        .order_by(
            sa.case((is_open, 0), else_=1),
            sa.case((is_open, Round.closes_at), else_=Round.opens_at),
            Round.id,
        )
    )
    if service_area is not None:
        query = query.where(_for_service_area(service_area))
    if borough is not None:
        query = query.where(_for_boroughs([borough]))
    elif boroughs:
        query = query.where(_for_boroughs(boroughs))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def fetch_recently_closed_page(
    page: int, *, now: datetime | None = None, per_page: int = OPPORTUNITIES_PER_PAGE
) -> Pagination:
    """Rounds that closed in the last year, most recently closed first."""
    now = now or utcnow()
    query = (
        sa.select(Round)
        .where(_published(), Round.closes_at <= now, Round.closes_at > now - timedelta(days=RECENTLY_CLOSED_DAYS))
        .order_by(Round.closes_at.desc(), Round.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def fetch_public_round(round_id: int) -> Round | None:
    """A published round, or None: a draft is as good as missing to the public."""
    round_ = db.session.get(Round, round_id)
    return round_ if round_ is not None and round_.is_published else None


def fetch_borough(gss_code: str) -> LocalAuthority | None:
    if not gss_code:
        return None
    return db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.gss_code == gss_code))


def fetch_boroughs() -> list[LocalAuthority]:
    return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))


def fetch_eligibility_questions(round_: Round) -> list[Question]:
    """What an organisation is asked before it starts: the standard eligibility questions and the round's own."""
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(
                sa.or_(Question.round_id == round_.id, Question.round_id.is_(None)),
                Question.is_eligibility.is_(True),
                Question.archived_at.is_(None),
            )
            .order_by(Question.section_position, Question.position, Question.id)
        )
    )


def fetch_criteria(round_: Round) -> list[Criterion]:
    return list(
        db.session.scalars(
            sa.select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position, Criterion.id)
        )
    )
