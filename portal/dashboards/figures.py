"""The dashboards' figures, worked out when published data changes rather than when someone asks for them.

Working out every chart reads every published award, return, rating and result: at ten times London's volume some
35,000 rows and a third of a second of one web worker. So the figures are kept in the database
(:class:`DashboardFigures`), one row for each choice of filters someone has asked for, and worked out again by the
``workers.dashboards.refresh_figures`` job: whenever published data changes (queued with the open-data files by
:func:`portal.directory.published.changed`) and every night, since a few figures (returns overdue) move with the
date. A visitor reads the kept figures, at most as old as that job's last run, and the page says when they were
worked out. Only the first request for a choice of filters works its figures out itself, and keeps them.

Kept figures are the charts as JSON (:meth:`Chart.as_data`). They are read only when the chart classes still have
the fields they had when the figures were kept (:data:`SHAPE`); figures kept by code since changed are worked out
again.
"""

import hashlib
import json
import logging
from dataclasses import fields
from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.dashboards import choices, data
from portal.dashboards.charts import Chart, Column
from portal.dashboards.lcpf import lcpf_charts
from portal.dashboards.snb import snb_charts
from portal.database import rows_matched, utcnow
from portal.extensions import db
from portal.models import DashboardFigures

log = logging.getLogger(__name__)

# Bump when what a kept figure means changes without any field of the chart classes changing.
FORMAT = 1
SHAPE = hashlib.sha256(
    repr((FORMAT, [f.name for f in fields(Chart)], [f.name for f in fields(Column)])).encode()
).hexdigest()


class Figures(NamedTuple):
    sections: dict[str, list[Chart]]  # each section's charts, cut down to the page's rows
    snb: list[Chart]
    lcpf: list[Chart]
    made_at: datetime


def key(filters: data.Filters) -> str:
    """The filters as a query string in a fixed order: the figures' key."""
    return urlencode(sorted(filters.query_args().items()))


def filters_of(found: str) -> data.Filters:
    args = dict(parse_qsl(found))
    return data.Filters(
        year=int(args["year"]) if "year" in args else None,
        fund_id=int(args["fund"]) if "fund" in args else None,
    )


def work_out(filters: data.Filters) -> Figures:
    """Every chart for these filters as the page shows it, from the database. A chart of every service keeps only
    the page's rows; its CSV is worked out when asked for."""
    dashboard = data.Dashboard(filters, page_only=True)
    sections = {
        title: [getattr(dashboard, name)().for_page() for name in names] for title, names in data.SECTIONS.items()
    }
    return Figures(sections, snb_charts(filters), lcpf_charts(filters), utcnow())


def _stored(figures: Figures) -> dict:
    """The columns that keep these figures."""
    charts = {
        "sections": {title: [chart.as_data() for chart in found] for title, found in figures.sections.items()},
        "snb": [chart.as_data() for chart in figures.snb],
        "lcpf": [chart.as_data() for chart in figures.lcpf],
    }
    return {"charts": json.dumps(charts, separators=(",", ":")), "shape": SHAPE, "made_at": figures.made_at}


def _read(charts: str, made_at: datetime) -> Figures:
    found = json.loads(charts)
    return Figures(
        {title: [Chart.from_data(chart) for chart in kept] for title, kept in found["sections"].items()},
        [Chart.from_data(chart) for chart in found["snb"]],
        [Chart.from_data(chart) for chart in found["lcpf"]],
        made_at,
    )


def for_page(filters: data.Filters) -> Figures:
    """The kept figures for these filters, or, the first time they are asked for, worked out now and kept."""
    found = db.session.execute(
        sa.select(DashboardFigures.charts, DashboardFigures.made_at).where(
            DashboardFigures.filters == key(filters), DashboardFigures.shape == SHAPE
        )
    ).first()
    if found is not None:
        return _read(found.charts, found.made_at)
    figures = work_out(filters)
    _keep(filters, figures)
    return figures


def _keep(filters: data.Filters, figures: Figures) -> None:
    """Keep the figures, in place of any kept in another shape. If someone else kept them first, theirs stay."""
    values = _stored(figures)
    # The reads end first: on SQLite a transaction that read before it writes cannot wait for another writer (it
    # is refused at once, "database is locked"), while one that starts by writing waits its turn.
    db.session.commit()
    try:
        updated = db.session.execute(
            sa.update(DashboardFigures).where(DashboardFigures.filters == key(filters)).values(values)
        )
        if not rows_matched(updated):
            db.session.execute(sa.insert(DashboardFigures).values(filters=key(filters), **values))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same figures, kept by a request that finished first


def refresh() -> int:
    """Work out again the figures for every choice of filters kept, each in its own transaction; drop those for a
    year or fund no longer on offer. Safe to run twice. Returns how many were worked out."""
    years, funds = choices.available_choices()
    fund_ids = {fund.id for fund in funds}
    kept = db.session.execute(sa.select(DashboardFigures.id, DashboardFigures.filters)).all()
    db.session.commit()
    done = 0
    for row_id, found in kept:
        filters = filters_of(found)
        if (filters.year is not None and filters.year not in years) or (
            filters.fund_id is not None and filters.fund_id not in fund_ids
        ):
            db.session.execute(sa.delete(DashboardFigures).where(DashboardFigures.id == row_id))
        else:
            stored = _stored(work_out(filters))
            db.session.execute(sa.update(DashboardFigures).where(DashboardFigures.id == row_id).values(stored))
            done += 1
        db.session.commit()
    log.info("dashboards: figures for %d choices of filters worked out again", done)
    return done
