"""Demonstration allocations to five Safer Neighbourhood Boards for this financial year and the next, some issued
late, and drawdowns at every stage so that the officers' page shows turnaround against the target.

Deterministic and safe to run again: an allocation is matched by fund, board and year, and drawdowns are added
only to an allocation that has none.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN
from portal.drawdowns.allocations import default_issue_by
from portal.extensions import db
from portal.models import (
    Allocation,
    Drawdown,
    DrawdownProject,
    DrawdownStatus,
    Fund,
    Organisation,
    OrganisationType,
    User,
)
from portal.periods import financial_year_start

S = DrawdownStatus


@dataclass(frozen=True)
class DemoAllocation:
    borough: str
    amount_pence: int
    # Days after (+) or before (-) the issue-by date that it was issued; None: not issued yet.
    this_year_issued: int | None
    next_year_issued_days_ago: int | None  # next year's allocation, issued this many days before today


BOARDS = (
    DemoAllocation("Lambeth", 60_000_00, -4, 6),
    DemoAllocation("Southwark", 58_000_00, 14, None),
    DemoAllocation("Lewisham", 52_000_00, -1, 2),
    DemoAllocation("Hackney", 55_000_00, 35, None),
    DemoAllocation("Croydon", 57_000_00, -11, None),
)


@dataclass(frozen=True)
class DemoDrawdown:
    borough: str
    purpose: str
    projects: tuple[tuple[str, str, int], ...]
    status: DrawdownStatus
    requested_days_ago: int
    decided_after: int | None = None  # calendar days after the request
    paid_after: int | None = None  # calendar days after the decision
    refusal_reason: str | None = None


DRAWDOWNS = (
    DemoDrawdown(
        "Lambeth",
        "Community engagement events in Brixton and Stockwell over the summer",
        (
            ("Brixton summer ward panels", "Open-air meetings with the safer neighbourhood teams", 2_400_00),
            ("Stockwell youth voice", "Young people question the police about stop and search", 1_600_00),
        ),
        S.PAID,
        170,
        3,
        5,
    ),
    DemoDrawdown(
        "Lambeth",
        "Safety audits of estates in north Lambeth",
        (("Estate walkabouts", "Residents and officers walk the estates and report hazards", 3_500_00),),
        S.PAID,
        110,
        9,
        13,
    ),
    DemoDrawdown(
        "Lambeth",
        "A stall at the Lambeth Country Show",
        (("Country Show stall", "Crime prevention advice and bike marking", 900_00),),
        S.REFUSED,
        80,
        6,
        refusal_reason="The show was already funded by the council's community safety team.",
    ),
    DemoDrawdown(
        "Lambeth",
        "Bike marking and theft prevention sessions",
        (
            ("Bike marking at Brixton market", "Monthly marking sessions", 1_200_00),
            ("Cycle lock loan scheme", "D-locks lent to students", 800_00),
        ),
        S.APPROVED,
        12,
        4,
    ),
    DemoDrawdown(
        "Lambeth",
        "Winter community safety forum",
        (("Winter forum", "A public meeting on street lighting and safety after dark", 1_500_00),),
        S.REQUESTED,
        5,
    ),
    DemoDrawdown(
        "Southwark",
        "Victim support outreach in Peckham",
        (("Peckham outreach", "Drop-in sessions at the library", 2_800_00),),
        S.PAID,
        60,
        2,
        4,
    ),
    DemoDrawdown(
        "Hackney",
        "Women's safety walks in Dalston",
        (("Dalston safety walks", "Evening walks with councillors and officers", 2_000_00),),
        S.REQUESTED,
        19,
    ),
    DemoDrawdown(
        "Croydon",
        "Youth panel on knife crime",
        (("Youth knife crime panel", "Monthly panel with the violence reduction unit", 4_000_00),),
        S.PAID,
        140,
        12,
        8,
    ),
)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def load(today: date | None = None) -> str:
    today = today or utcnow().date()
    fund = db.session.scalar(sa.select(Fund).where(Fund.code == "SNB"))
    if fund is None:
        return "Demo drawdowns: no Safer Neighbourhood Board fund, nothing added."
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    chair = db.session.scalar(sa.select(User).where(User.email == f"snb@{DEMO_DOMAIN}"))
    this_year = financial_year_start(today)
    allocations: dict[str, Allocation] = {}
    added = 0
    for spec in BOARDS:
        board = db.session.scalar(
            sa.select(Organisation).where(
                Organisation.organisation_type == OrganisationType.SNB,
                Organisation.name == f"{spec.borough} Safer Neighbourhood Board",
            )
        )
        if board is None:
            continue
        for year, issued in (
            (
                this_year,
                default_issue_by(this_year) + timedelta(days=spec.this_year_issued)
                if spec.this_year_issued is not None
                else None,
            ),
            (
                this_year + 1,
                today - timedelta(days=spec.next_year_issued_days_ago)
                if spec.next_year_issued_days_ago is not None
                else None,
            ),
        ):
            allocation = db.session.scalar(
                sa.select(Allocation).where(
                    Allocation.fund_id == fund.id,
                    Allocation.organisation_id == board.id,
                    Allocation.financial_year == year,
                )
            )
            if allocation is None:
                allocation = Allocation(
                    fund=fund,
                    organisation=board,
                    financial_year=year,
                    amount_pence=spec.amount_pence,
                    issue_by=default_issue_by(year),
                    issued_on=issued if issued and issued <= today else None,
                    issued_by=officer if issued and issued <= today else None,
                    created_by=officer,
                )
                db.session.add(allocation)
                added += 1
            if year == this_year:
                allocations[spec.borough] = allocation
    db.session.flush()

    drawdowns = 0
    has_drawdowns = set(db.session.scalars(sa.select(Drawdown.allocation_id).distinct()))
    for drawdown_spec in DRAWDOWNS:
        allocation = allocations.get(drawdown_spec.borough)
        issued_on = allocation.issued_on if allocation is not None else None
        if allocation is None or allocation.id in has_drawdowns or issued_on is None:
            continue
        requested = max(today - timedelta(days=drawdown_spec.requested_days_ago), issued_on)
        decided = (
            requested + timedelta(days=drawdown_spec.decided_after) if drawdown_spec.decided_after is not None else None
        )
        paid = (
            decided + timedelta(days=drawdown_spec.paid_after)
            if decided and drawdown_spec.paid_after is not None
            else None
        )
        db.session.add(
            Drawdown(
                allocation=allocation,
                amount_pence=sum(amount for _, _, amount in drawdown_spec.projects),
                purpose=drawdown_spec.purpose,
                status=drawdown_spec.status,
                requested_at=_noon(requested),
                requested_by=chair if drawdown_spec.borough == "Lambeth" else None,
                decided_at=_noon(decided) if decided else None,
                decided_by=officer if decided else None,
                refusal_reason=drawdown_spec.refusal_reason,
                paid_on=paid,
                payment_reference=f"SNB-{paid:%Y%m%d}-{drawdown_spec.borough[:3].upper()}" if paid else None,
                payment_recorded_by=officer if paid else None,
                projects=[DrawdownProject(name=n, description=d, amount_pence=a) for n, d, a in drawdown_spec.projects],
            )
        )
        drawdowns += 1
    db.session.commit()
    return f"Demo drawdowns: {added} allocations and {drawdowns} drawdowns added."
