"""Safer Neighbourhood Board funding on the public dashboards.

The section is on the page already, with its empty state. It is filled in by two charts built from SNB
allocations and drawdowns, through ``portal.directory.published`` like every other public figure:

- allocations issued on time and late, per financial year (columns: financial year, on time, late, % on time);
- drawdown turnaround (columns: financial year, drawdowns, median working days to pay, % within target),
  counting working days with ``portal.periods.working_days_between``.

Each is a :class:`portal.dashboards.charts.Chart` added to the list below, and to ``CHART_NAMES`` for its CSV.
"""

from portal.dashboards.charts import Chart
from portal.dashboards.data import Filters


def snb_charts(filters: Filters) -> list[Chart]:
    """The Safer Neighbourhood Board charts for these filters: none until allocations and drawdowns are recorded."""
    return []
