"""The demo has allocations for this year and next, some issued late, and drawdowns at every stage."""

from datetime import date

import sqlalchemy as sa

from portal.demo import drawdowns
from portal.demo.rounds import load as load_rounds
from portal.demo.seed import load_demo_data
from portal.drawdowns.public import allocations_issued_on_time_by_year, drawdown_turnaround_by_year
from portal.extensions import db
from portal.models import Allocation, Drawdown, DrawdownStatus, Organisation


def test_the_demo_drawdowns_cover_every_stage_and_load_only_once():
    load_demo_data()
    load_rounds(date(2026, 11, 23))
    first = drawdowns.load(date(2026, 11, 23))
    second = drawdowns.load(date(2026, 11, 23))
    assert first == "Demo drawdowns: 10 allocations and 8 drawdowns added."
    assert second == "Demo drawdowns: 0 allocations and 0 drawdowns added."
    lambeth = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Lambeth Safer Neighbourhood Board"))
    allocations = db.session.scalars(sa.select(Allocation).where(Allocation.organisation_id == lambeth.id))
    assert sorted(a.financial_year for a in allocations) == [2026, 2027]
    assert set(db.session.scalars(sa.select(Drawdown.status))) == set(DrawdownStatus)
    issuing = {y.financial_year: (y.on_time, y.late, y.not_issued) for y in allocations_issued_on_time_by_year()}
    assert issuing == {2026: (3, 2, 0), 2027: (2, 0, 3)}
    (turnaround,) = drawdown_turnaround_by_year()
    assert turnaround.count == 5 and 0 < turnaround.percent_within_target < 100
