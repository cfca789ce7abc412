"""Monitoring awards: measures, returns, performance records and the published RAG rules.

Routes live in modules that share this blueprint and its loaders: ``staff_views`` (officers) and
``organisation_views`` (the funded organisation). The rules page is public.
"""

import click
from flask import Blueprint, abort, render_template

from portal.models import Award, AwardStatus, Return
from portal.models.funding import DEFAULT_SMALL_BID_THRESHOLD_PENCE
from portal.monitoring import queries, rag
from portal.monitoring.schedule import DEFAULT_DAYS_TO_REPORT
from portal.permissions import Permission, check, public

monitoring = Blueprint("monitoring", __name__)

# The awards an organisation sees: approved ones, and withdrawn ones with why (and any return already started).
ORGANISATION_SEES = (AwardStatus.APPROVED, AwardStatus.WITHDRAWN)


def load_award(award_id: int, permission: Permission, *, withdrawn_too: bool = False) -> Award:
    """An approved award, for officers' monitoring. Pages that only show it also take a withdrawn award, so the
    returns kept on it can still be read; nothing on a withdrawn award can be changed."""
    award = queries.fetch_award(award_id)
    shown = ORGANISATION_SEES if withdrawn_too else (AwardStatus.APPROVED,)
    if award is None or award.status not in shown:
        abort(404)
    check(permission, award)
    return award


def load_organisation_award(organisation_id: int, award_id: int, permission: Permission) -> Award:
    """An approved (or since withdrawn) award of this organisation. Another organisation's award is 404: its
    existence is private."""
    award = queries.fetch_award(award_id)
    if award is None or award.organisation_id != organisation_id or award.status not in ORGANISATION_SEES:
        abort(404)
    check(permission, award)
    return award


def load_return(award: Award, return_id: int) -> Return:
    return_ = queries.fetch_return(return_id)
    if return_ is None or return_.award_id != award.id:
        abort(404)
    return return_


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
