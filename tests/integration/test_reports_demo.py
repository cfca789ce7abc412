"""The committee report demo: the last half-year's report built from the monitoring demo and published, once."""

from datetime import date

import sqlalchemy as sa

from portal.demo import monitoring as demo_monitoring
from portal.demo import reports as demo_reports
from portal.demo import rounds as demo_rounds
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import ReportRun, ReportStatus

TODAY = date(2026, 11, 22)


def test_the_demo_publishes_the_last_half_years_report_once(client):
    load_demo_data()
    demo_rounds.load(TODAY)
    demo_monitoring.load(TODAY)
    assert (
        demo_reports.load(TODAY) == "Committee report demo: the report for April to September 2026 built and published."
    )
    assert demo_reports.load(TODAY).endswith("is there already.")

    run = db.session.scalar(sa.select(ReportRun))
    assert db.session.scalar(sa.select(sa.func.count(ReportRun.id))) == 1
    assert run.status is ReportStatus.DONE and run.is_published
    assert run.services_count == 2  # the two direct awards running in that half-year
    assert client.get(f"/reports/{run.id}/xlsx").status_code == 200
