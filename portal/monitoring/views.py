"""Monitoring awards: measures, returns, performance records and the published RAG rules.

Routes live in modules that share this blueprint and its loaders: ``staff_views`` (officers) and
``organisation_views`` (the funded organisation). The rules page is public.
"""

import click
from flask import Blueprint, render_template

from portal.awards.scoped import ORGANISATION_SEES
from portal.models import Award, AwardStatus
from portal.models.funding import DEFAULT_SMALL_BID_THRESHOLD_PENCE
from portal.monitoring import queries, rag
from portal.monitoring.schedule import DEFAULT_DAYS_TO_REPORT
from portal.permissions import loads, public

monitoring = Blueprint("monitoring", __name__)


# Officers monitor approved awards. Pages that only show one also take a withdrawn award, so the returns kept on it
# can still be read; nothing on a withdrawn award can be changed.
def approved(award: Award | None) -> bool:
    return award is not None and award.status is AwardStatus.APPROVED


def approved_or_withdrawn(award: Award | None) -> bool:
    return award is not None and award.status in ORGANISATION_SEES


with_approved_award = loads("award", queries.fetch_award, where=approved)
# A return on the organisation's award loaded above.
with_award_return = loads("return_", queries.fetch_return, parameter="return_id", within="award")


@monitoring.route("/performance/rules")
@public
def rules():
    return render_template(
        "monitoring/rules.html",
        rules=rag,
        days_to_report=DEFAULT_DAYS_TO_REPORT,
        small_bid_threshold=DEFAULT_SMALL_BID_THRESHOLD_PENCE,
    )


# Commands: ``flask --app wsgi monitoring remind`` (daily) and ``flask --app wsgi monitoring schedule AWARD_ID``.


@monitoring.cli.command("remind")
def remind_command():
    """Send the return reminders due today. Run it daily; running it again sends nothing twice."""
    from workers.monitoring import send_return_reminders

    click.echo(f"Reminders sent: {send_return_reminders()}.")


@monitoring.cli.command("schedule")
@click.argument("award_id", type=int)
def schedule_command(award_id: int):
    """Add the returns an approved award is missing. Safe to run again."""
    from workers.monitoring import generate_return_schedule

    click.echo(f"Returns added: {generate_return_schedule(award_id)}.")


from portal.monitoring import organisation_views, staff_views  # noqa: E402, F401  (routes on this blueprint)
