"""Which records are demo data. The demo's loaders build on each other's records (the monitoring demo gives awards
their measures and returns, the agreements demo accepts their agreements and pays them), and they must find only the
demo's own: a developer who tries the portal after ``make run`` makes real awards, which loading the demo again
must leave as they are.

A demo award is known by its key, the organisation's name and the award's title, as the loaders that make it name
them; an award made from a demo bid is known by the bid's round and organisation.
"""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Application, Award, Organisation, Round


def demo_award_keys() -> set[tuple[str, str]]:
    """(organisation name, award title) of every award the demo makes directly rather than from a bid."""
    from portal.demo import agreements, dialogue, directory, monitoring, withdrawals

    return (
        {(spec.organisation, spec.service) for spec in monitoring.DIRECT_AWARDS}
        | {(spec.organisation, spec.service) for spec in directory.SERVICES}
        | {(spec.organisation, spec.title) for spec in dialogue.ENDED_AWARDS}
        | {
            (agreements.AWAITING_ORGANISATION, agreements.AWAITING_TITLE),
            (withdrawals.ORGANISATION, withdrawals.WITHDRAWN_TITLE),
        }
    )


def demo_bid_keys() -> set[tuple[str, str]]:
    """(round title, organisation name) of every demo bid."""
    from portal.demo.applications import BIDS

    return {(bid.round_title, bid.organisation) for bid in BIDS}


def is_demo_award() -> sa.ColumnElement[bool]:
    """A condition on Award, true for the demo's awards only."""
    direct = sa.or_(*(sa.and_(Organisation.name == name, Award.title == title) for name, title in demo_award_keys()))
    from_bids = (
        sa.select(Application.id)
        .join(Round, Round.id == Application.round_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(sa.or_(*(sa.and_(Round.title == r, Organisation.name == o) for r, o in demo_bid_keys())))
    )
    named = sa.select(Organisation.id).where(Organisation.id == Award.organisation_id).where(direct).exists()
    return sa.or_(sa.and_(Award.application_id.is_(None), named), Award.application_id.in_(from_bids))


def demo_awards(*conditions: sa.ColumnElement[bool]) -> list[Award]:
    """The demo's awards meeting the conditions, in the order they were made."""
    return list(db.session.scalars(sa.select(Award).where(is_demo_award(), *conditions).order_by(Award.id)))


def demo_award_ids() -> set[int]:
    return set(db.session.scalars(sa.select(Award.id).where(is_demo_award())))
