"""Funds and their rounds: creating, editing and publishing them, with the rules that keep them fair to applicants.

What may change once a round is published (and why):

- its fund never changes, because bid references carry the fund's code;
- once it has opened, its opening date is fixed (people have started), and no date may move into the past;
- once it has closed, its opening and closing dates are fixed; the expected decision date may still move;
- once any organisation has started a bid, the request limits, the small-bid threshold, the duration limits and the
  boroughs are fixed, because bids were sized, shaped and placed against them;
- the budget may change at any time (money found or lost), and is audited like every other change;
- if its dates change, the window rule is checked again against the day it was announced.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import InstrumentedAttribute

from portal import audit, jobs
from portal.database import utcnow
from portal.directory import published
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Application, Award, LocalAuthority, User
from portal.models.funding import (
    DEFAULT_MINIMUM_WINDOW_WORKING_DAYS,
    TARGET_MINIMUM_DURATION_MONTHS,
    Fund,
    FundServiceArea,
    Round,
    RoundStatus,
    ServiceArea,
)
from portal.rounds.windows import WindowCheck, check_window, london_date, reason_for

MAXIMUM_DURATION_MONTHS = 120
ROUNDS_PER_PAGE = 25


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit once at the end, or roll everything back if a rule is broken part way."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# Funds


@dataclass
class FundDetails:
    name: str
    code: str
    purpose: str
    service_areas: tuple[ServiceArea, ...] = ()


def fetch_funds() -> list[Fund]:
    return list(db.session.scalars(sa.select(Fund).order_by(Fund.name)))


def fetch_fund(fund_id: int) -> Fund | None:
    return db.session.get(Fund, fund_id)


def _clean_fund(details: FundDetails, existing: Fund | None) -> FundDetails:
    name = " ".join((details.name or "").split())
    code = (details.code or "").strip().upper()
    purpose = (details.purpose or "").strip()
    if not name:
        raise DomainError("Enter the fund's name", field="name")
    if not code:
        raise DomainError("Enter a short code for the fund", field="code")
    if not (2 <= len(code) <= 12 and code.isascii() and code.isalnum()):
        raise DomainError("The code must be 2 to 12 letters or numbers, like LCPF or VRU", field="code")
    if not purpose:
        raise DomainError("Enter the fund's purpose", field="purpose")
    if not details.service_areas:
        raise DomainError("Select at least one service area", field="service_areas")

    def taken(column: InstrumentedAttribute[str], value: str) -> bool:
        query = sa.select(Fund.id).where(sa.func.lower(column) == value.lower())
        if existing is not None:
            query = query.where(Fund.id != existing.id)
        return db.session.scalar(query.limit(1)) is not None

    if taken(Fund.name, name):
        raise DomainError("There is already a fund with this name", field="name")
    if taken(Fund.code, code):
        raise DomainError("Another fund already uses this code", field="code")
    if existing is not None and code != existing.code and fund_has_bids(existing):
        raise DomainError(
            "Bids to this fund already carry its code in their references, so the code cannot change", field="code"
        )
    return FundDetails(name, code, purpose, tuple(sorted(set(details.service_areas))))


def _fund_snapshot(fund: Fund) -> dict:
    return {
        "name": fund.name,
        "code": fund.code,
        "purpose": fund.purpose,
        "service_areas": ", ".join(sorted(fund.service_areas)),
    }


def _set_service_areas(fund: Fund, areas: tuple[ServiceArea, ...]) -> None:
    # Changed link by link: replacing the whole list would insert a row with the same key as one being deleted.
    wanted = set(areas)
    for link in list(fund.service_area_links):
        if link.service_area not in wanted:
            fund.service_area_links.remove(link)
    have = {link.service_area for link in fund.service_area_links}
    for area in sorted(wanted - have):
        fund.service_area_links.append(FundServiceArea(service_area=area))


def create_fund(details: FundDetails, *, actor: User | None) -> Fund:
    details = _clean_fund(details, None)
    with one_transaction():
        fund = Fund(name=details.name, code=details.code, purpose=details.purpose)
        _set_service_areas(fund, details.service_areas)
        db.session.add(fund)
        audit.record("fund.created", fund, after=_fund_snapshot(fund), actor=actor)
    return fund


def update_fund(fund: Fund, details: FundDetails, *, actor: User | None) -> None:
    details = _clean_fund(details, fund)
    with one_transaction():
        before = _fund_snapshot(fund)
        fund.name, fund.code, fund.purpose = details.name, details.code, details.purpose
        _set_service_areas(fund, details.service_areas)
        after = _fund_snapshot(fund)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            audit.record(
                "fund.updated",
                fund,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                actor=actor,
            )
        if "name" in changed:  # its published grants name it, in public and in the open-data files
            published.changed(awards=published.award_ids(Award.fund_id == fund.id))


def fund_has_bids(fund: Fund) -> bool:
    return (
        db.session.scalar(
            sa.select(Application.id).join(Round, Application.round_id == Round.id).where(Round.fund_id == fund.id)
        )
        is not None
    )


# Rounds


@dataclass
class RoundDetails:
    """What an officer types about a round. Money is in pence; times are aware datetimes."""

    title: str
    description: str
    budget_pence: int | None
    min_request_pence: int | None
    max_request_pence: int | None
    small_bid_threshold_pence: int | None
    min_duration_months: int | None
    max_duration_months: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    decision_expected_on: date | None
    minimum_window_working_days: int | None = DEFAULT_MINIMUM_WINDOW_WORKING_DAYS
    borough_ids: tuple[int, ...] = ()
    short_window_reason: str | None = None
    fund_id: int | None = None


@dataclass(frozen=True)
class BidCounts:
    started: int = 0
    submitted: int = 0


ROUND_FIELDS = (
    "title",
    "description",
    "budget_pence",
    "min_request_pence",
    "max_request_pence",
    "small_bid_threshold_pence",
    "min_duration_months",
    "max_duration_months",
    "opens_at",
    "closes_at",
    "decision_expected_on",
    "minimum_window_working_days",
)
# Fixed once any bid exists: bids were sized and shaped against them.
FIXED_ONCE_BIDS_EXIST = {
    "min_request_pence": "minimum request",
    "max_request_pence": "maximum request",
    "small_bid_threshold_pence": "small-bid threshold",
    "min_duration_months": "minimum duration",
    "max_duration_months": "maximum duration",
}


def fetch_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


def status_condition(status: RoundStatus, now: datetime) -> sa.ColumnElement[bool]:
    """A SQL condition matching rounds in ``status`` at ``now``: the same rule as :meth:`Round.status`."""
    published = Round.published_at.is_not(None)
    return {
        RoundStatus.DRAFT: Round.published_at.is_(None),
        RoundStatus.UPCOMING: sa.and_(published, Round.opens_at > now),
        RoundStatus.OPEN: sa.and_(published, Round.opens_at <= now, Round.closes_at > now),
        RoundStatus.CLOSED: sa.and_(published, Round.closes_at <= now),
    }[status]


def fetch_rounds_page(
    page: int,
    *,
    status: RoundStatus | None = None,
    fund_id: int | None = None,
    now: datetime | None = None,
    per_page: int = ROUNDS_PER_PAGE,
) -> Pagination:
    now = now or utcnow()
    query = sa.select(Round).order_by(Round.opens_at.desc(), Round.id.desc())
    if status is not None:
        query = query.where(status_condition(status, now))
    if fund_id is not None:
        query = query.where(Round.fund_id == fund_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_rounds_by_status(now: datetime | None = None) -> dict[RoundStatus, int]:
    now = now or utcnow()
    return {
        status: db.session.scalar(sa.select(sa.func.count(Round.id)).where(status_condition(status, now))) or 0
        for status in RoundStatus
    }


def fetch_bid_counts(round_ids: Iterable[int]) -> dict[int, BidCounts]:
    """Bids started and submitted, by round."""
    ids = list(round_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Application.round_id, sa.func.count(Application.id), sa.func.count(Application.submitted_at))
        .where(Application.round_id.in_(ids))
        .group_by(Application.round_id)
    )
    counts = {round_id: BidCounts(started, submitted) for round_id, started, submitted in rows}
    return {round_id: counts.get(round_id, BidCounts()) for round_id in ids}


def round_has_bids(round_: Round) -> bool:
    return db.session.scalar(sa.select(Application.id).where(Application.round_id == round_.id).limit(1)) is not None


def fetch_round_counts_by_fund(now: datetime | None = None) -> dict[int, dict[RoundStatus, int]]:
    """How many rounds each fund has in each status, counted in the database."""
    now = now or utcnow()
    status = sa.case(
        (Round.published_at.is_(None), RoundStatus.DRAFT.value),
        (Round.opens_at > now, RoundStatus.UPCOMING.value),
        (Round.closes_at > now, RoundStatus.OPEN.value),
        else_=RoundStatus.CLOSED.value,
    )
    # Grouped in an outer query: PostgreSQL does not see two copies of a CASE with parameters as the same.
    statuses = sa.select(Round.fund_id, status.label("status")).subquery()
    counts: dict[int, dict[RoundStatus, int]] = {}
    for fund_id, value, number in db.session.execute(
        sa.select(statuses.c.fund_id, statuses.c.status, sa.func.count()).group_by(
            statuses.c.fund_id, statuses.c.status
        )
    ):
        counts.setdefault(fund_id, dict.fromkeys(RoundStatus, 0))[RoundStatus(value)] = number
    return counts


def duration_warning(min_duration_months: int | None) -> str | None:
    """Shown to the officer, not a rule: the Police and Crime Committee asked for 3 to 4 year funding."""
    if min_duration_months is None or min_duration_months >= TARGET_MINIMUM_DURATION_MONTHS:
        return None
    return (
        f"The minimum duration is {min_duration_months} months. The target for funding is 3 to 4 years "
        f"({TARGET_MINIMUM_DURATION_MONTHS} to 48 months), and no allocation should be under 2 years, so that "
        "services can plan and keep their staff."
    )


def window_check_for(round_: Round, now: datetime | None = None) -> WindowCheck:
    """The window as it would be if published now, or as it was announced if it already is."""
    announced_at = round_.published_at or now or utcnow()
    return check_window(
        round_.opens_at,
        round_.closes_at,
        announced_at=announced_at,
        minimum_working_days=round_.minimum_window_working_days,
    )


_Value = TypeVar("_Value")


def _require(value: _Value | None, message: str, field: str) -> _Value:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(message, field=field)
    return value


def _clean_round(details: RoundDetails) -> RoundDetails:
    """Check what was typed, field by field in the order the form shows them."""
    fund = fetch_fund(_require(details.fund_id, "Select the fund", "fund_id"))
    if fund is None or fund.archived_at is not None:
        raise DomainError("Select the fund", field="fund_id")
    title = " ".join(_require(details.title, "Enter the round's title", "title").split())
    description = _require(details.description, "Enter a description of the round", "description").strip()
    budget = _require(details.budget_pence, "Enter the round's budget", "budget_pence")
    if budget <= 0:
        raise DomainError("The budget must be more than £0", field="budget_pence")
    minimum = _require(details.min_request_pence, "Enter the smallest amount a bid can ask for", "min_request_pence")
    if minimum <= 0:
        raise DomainError("The minimum request must be more than £0", field="min_request_pence")
    maximum = _require(details.max_request_pence, "Enter the largest amount a bid can ask for", "max_request_pence")
    if maximum < minimum:
        raise DomainError(
            "The maximum request must be the same as or more than the minimum request", field="max_request_pence"
        )
    if maximum > budget:
        raise DomainError("The maximum request cannot be more than the round's budget", field="max_request_pence")
    threshold = _require(
        details.small_bid_threshold_pence,
        "Enter the small-bid threshold, or 0 for no light-touch form",
        "small_bid_threshold_pence",
    )
    if threshold < 0:
        raise DomainError("The small-bid threshold cannot be less than £0", field="small_bid_threshold_pence")
    shortest = _require(
        details.min_duration_months, "Enter the shortest project length in months", "min_duration_months"
    )
    if not 1 <= shortest <= MAXIMUM_DURATION_MONTHS:
        raise DomainError(
            f"The minimum duration must be between 1 and {MAXIMUM_DURATION_MONTHS} months", field="min_duration_months"
        )
    longest = _require(details.max_duration_months, "Enter the longest project length in months", "max_duration_months")
    if not shortest <= longest <= MAXIMUM_DURATION_MONTHS:
        raise DomainError(
            f"The maximum duration must be between the minimum duration and {MAXIMUM_DURATION_MONTHS} months",
            field="max_duration_months",
        )
    opens_at = _require(details.opens_at, "Enter the date and time the round opens", "opens_on")
    closes_at = _require(details.closes_at, "Enter the date and time the round closes", "closes_on")
    if closes_at <= opens_at:
        raise DomainError("The round must close after it opens", field="closes_on")
    decision_on = _require(details.decision_expected_on, "Enter the date you expect to decide", "decision_expected_on")
    if decision_on <= london_date(closes_at):
        raise DomainError("The expected decision date must be after the closing date", field="decision_expected_on")
    minimum_window = _require(
        details.minimum_window_working_days, "Enter the minimum window in working days", "minimum_window_working_days"
    )
    if minimum_window < DEFAULT_MINIMUM_WINDOW_WORKING_DAYS:
        raise DomainError(
            f"The minimum window cannot be fewer than {DEFAULT_MINIMUM_WINDOW_WORKING_DAYS} working days. To run a "
            "shorter window, give a reason when you publish the round",
            field="minimum_window_working_days",
        )
    borough_ids = tuple(sorted(set(details.borough_ids)))
    if borough_ids:
        found = db.session.scalars(sa.select(LocalAuthority.id).where(LocalAuthority.id.in_(borough_ids))).all()
        if len(found) != len(borough_ids):
            raise DomainError("Select boroughs from the list", field="borough_ids")
    return RoundDetails(
        fund_id=fund.id,
        title=title,
        description=description,
        budget_pence=budget,
        min_request_pence=minimum,
        max_request_pence=maximum,
        small_bid_threshold_pence=threshold,
        min_duration_months=shortest,
        max_duration_months=longest,
        opens_at=opens_at,
        closes_at=closes_at,
        decision_expected_on=decision_on,
        minimum_window_working_days=minimum_window,
        borough_ids=borough_ids,
        short_window_reason=(details.short_window_reason or "").strip() or None,
    )


def _snapshot(round_: Round) -> dict:
    values = {name: getattr(round_, name) for name in ROUND_FIELDS}
    values["fund"] = round_.fund.code if round_.fund else round_.fund_id
    values["boroughs"] = ", ".join(la.name for la in round_.boroughs) or "London-wide"
    values["short_window_reason"] = round_.short_window_reason
    return values


def _window(details: RoundDetails) -> tuple[datetime, datetime]:
    """When a round checked by :func:`_clean_round` (which requires both) opens and closes."""
    assert details.opens_at is not None and details.closes_at is not None
    return details.opens_at, details.closes_at


def _apply(round_: Round, details: RoundDetails) -> None:
    # Everything is read before anything is changed, so that no query flushes a half-made round.
    fund = db.session.get(Fund, details.fund_id)
    assert fund is not None  # _clean_round refused a missing fund
    boroughs = (
        list(db.session.scalars(sa.select(LocalAuthority).where(LocalAuthority.id.in_(details.borough_ids))))
        if details.borough_ids
        else []
    )
    for name in ROUND_FIELDS:
        setattr(round_, name, getattr(details, name))
    round_.fund = fund
    round_.boroughs = boroughs


def create_round(details: RoundDetails, *, actor: User | None, now: datetime | None = None) -> Round:
    """A draft round. Drafts are not public; :func:`publish_round` makes them so."""
    now = now or utcnow()
    details = _clean_round(details)
    if _window(details)[1] <= now:
        raise DomainError("The closing date must be in the future", field="closes_on")
    details.short_window_reason = None  # asked for when the round is published
    with one_transaction():
        round_ = Round(created_by=actor)
        _apply(round_, details)
        db.session.add(round_)
        audit.record("round.created", round_, after=_snapshot(round_), actor=actor)
    return round_


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _check_allowed_changes(round_: Round, details: RoundDetails, now: datetime) -> None:
    status = round_.status(now)
    opens_at, closes_at = _window(details)
    opens_moved = details.opens_at != round_.opens_at
    closes_moved = details.closes_at != round_.closes_at
    if status is RoundStatus.DRAFT:
        if closes_moved and closes_at <= now:
            raise DomainError("The closing date must be in the future", field="closes_on")
        return
    if details.fund_id != round_.fund_id:
        raise DomainError("A published round cannot move to another fund", field="fund_id")
    if status is RoundStatus.CLOSED and (opens_moved or closes_moved):
        raise DomainError(
            "This round has closed, so its opening and closing dates cannot change",
            field="closes_on" if closes_moved else "opens_on",
        )
    if status is RoundStatus.OPEN and opens_moved:
        raise DomainError("This round is open, so its opening date cannot change", field="opens_on")
    if status is RoundStatus.UPCOMING and opens_moved and opens_at <= now:
        raise DomainError("The opening date cannot be in the past", field="opens_on")
    if closes_moved and closes_at <= now:
        raise DomainError("The closing date cannot be earlier than now", field="closes_on")
    if round_has_bids(round_):
        for name, label in FIXED_ONCE_BIDS_EXIST.items():
            if getattr(details, name) != getattr(round_, name):
                raise DomainError(
                    f"Organisations have started bids in this round, so the {label} cannot change", field=name
                )
        if set(details.borough_ids) != {la.id for la in round_.boroughs}:
            raise DomainError(
                "Organisations have started bids in this round, so the boroughs it covers cannot change",
                field="borough_ids",
            )


def update_round(round_: Round, details: RoundDetails, *, actor: User | None, now: datetime | None = None) -> None:
    now = now or utcnow()
    details = _clean_round(details)
    # The form shows times to the minute: a time left as it was keeps its stored seconds.
    opens_at, closes_at = _window(details)
    if _same_minute(opens_at, round_.opens_at):
        details.opens_at = opens_at = round_.opens_at
    if _same_minute(closes_at, round_.closes_at):
        details.closes_at = closes_at = round_.closes_at
    _check_allowed_changes(round_, details, now)
    if round_.published_at is not None:
        check = check_window(
            opens_at,
            closes_at,
            announced_at=round_.published_at,
            minimum_working_days=_require(
                details.minimum_window_working_days,
                "Enter the minimum window in working days",
                "minimum_window_working_days",
            ),
        )
        window_changed = (
            details.opens_at != round_.opens_at
            or details.closes_at != round_.closes_at
            or details.minimum_window_working_days != round_.minimum_window_working_days
        )
        # A round published before the rule, with no reason on record, is not held up by an unrelated change.
        if window_changed or round_.short_window_reason or details.short_window_reason:
            details.short_window_reason = reason_for(check, details.short_window_reason)
        else:
            details.short_window_reason = None
    else:
        details.short_window_reason = None
    with one_transaction():
        before = _snapshot(round_)
        _apply(round_, details)
        round_.short_window_reason = details.short_window_reason
        after = _snapshot(round_)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            audit.record(
                "round.updated",
                round_,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                actor=actor,
            )


def publish_round(
    round_: Round, short_window_reason: str | None, *, actor: User | None, now: datetime | None = None
) -> WindowCheck:
    """Make a draft round public, applying the window rule as of now. Cannot be undone."""
    now = now or utcnow()
    if round_.is_published:
        raise DomainError("This round has already been published")
    if round_.closes_at <= now:
        raise DomainError("The closing date has passed. Change the round's dates before you publish it")
    if not round_.criteria:
        raise DomainError(
            "Add at least one scoring criterion before you publish the round, so that applicants know how bids "
            "will be scored"
        )
    check = check_window(
        round_.opens_at, round_.closes_at, announced_at=now, minimum_working_days=round_.minimum_window_working_days
    )
    reason = reason_for(check, short_window_reason)
    with one_transaction():
        round_.published_at = now
        round_.short_window_reason = reason
        audit.record(
            "round.published",
            round_,
            before={"status": RoundStatus.DRAFT},
            after={
                "status": round_.status(now),
                "opens_at": round_.opens_at,
                "closes_at": round_.closes_at,
                "window_working_days": check.working_days,
                "notice_days": check.notice_days,
                "short_window_reason": reason,
                "budget_pence": round_.budget_pence,
            },
            actor=actor,
        )
        # Subscribers to funding alerts hear about the round once it is public.
        jobs.enqueue("workers.directory.send_round_alerts", round_.id)
    return check
