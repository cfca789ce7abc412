"""The public dashboards' figures as last worked out, for each choice of filters someone has asked for."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime
from portal.extensions import Model


class DashboardFigures(Model):
    __tablename__ = "dashboard_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The filters, as the page's query string has them ("" for none, "fund=3&year=2025").
    filters: Mapped[str] = mapped_column(sa.String(60), unique=True)
    # The charts as the page shows them, as JSON, and the shape of the chart classes they were made from: figures
    # of another shape (kept by code since changed) are worked out again rather than read.
    charts: Mapped[str] = mapped_column(sa.Text)
    shape: Mapped[str] = mapped_column(sa.String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<DashboardFigures {self.filters or 'unfiltered'} {self.made_at:%Y-%m-%dT%H:%M}>"
