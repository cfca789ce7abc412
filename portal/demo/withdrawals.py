"""Demonstration withdrawal: a direct award to Victim Support for hate crime casework in Barking and Dagenham,
approved and then withdrawn by officer@ before any money was paid, because the partner that was to host it closed.

Victim Support's owner sees it as withdrawn, with the reason; the public never sees it. Safe to run again: the award
is found by its title.
"""

from datetime import date

import sqlalchemy as sa

from portal.agreements.services import today
from portal.awards.services import AwardDetails, create_direct_award
from portal.awards.withdrawal import withdraw_award
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import Award, Fund, LocalAuthority, Organisation, ServiceArea, User
from portal.periods import financial_year_start

ORGANISATION = "Victim Support"
WITHDRAWN_TITLE = "Hate crime casework in Barking and Dagenham"
REASON = (
    "The community centre that was to host the caseworkers closed in the summer, and Victim Support could not find "
    "another base in the borough in time. The money returns to the Victims' services fund for the next round."
)


def load(on: date | None = None) -> str:
    on = on or today()
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == ORGANISATION))
    fund = db.session.scalar(sa.select(Fund).where(Fund.name == "Victims' services"))
    borough = db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.name == "Barking and Dagenham"))
    if officer is None or organisation is None or fund is None or borough is None:
        return "Withdrawals demo: skipped (no officer, Victim Support, fund or borough)."
    if db.session.scalar(
        sa.select(Award.id).where(Award.title == WITHDRAWN_TITLE, Award.organisation_id == organisation.id)
    ):
        return "Withdrawals demo: 0 awards withdrawn."
    first = financial_year_start(on) + 1
    award = create_direct_award(
        fund.id,
        organisation.id,
        AwardDetails(
            title=WITHDRAWN_TITLE,
            description="Two caseworkers supporting people targeted because of their race, religion, sexuality, "
            "gender identity or disability, from reporting through to court.",
            start_date=date(first, 4, 1),
            end_date=date(first + 2, 3, 31),
            borough_ids=[borough.id],
            service_areas=[ServiceArea.VICTIM_SUPPORT],
            amounts={first: 30_000_00, first + 1: 30_000_00},
        ),
        officer,
    )
    withdraw_award(award, REASON, officer)
    return "Withdrawals demo: 1 award withdrawn."
