"""Demonstration consultation: a draft formula version out for consultation, so that Lewisham's borough user
(borough@demo.example.org) can see what it means for Lewisham and respond.

It needs a published version (``flask --app wsgi lcpf load``) and the demo officer. Safe to run again: the draft is
known by its title and made only once. No email is sent: the demo's councils are told by the demo itself.
"""

from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa

from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.lcpf import consultation, formula, versions
from portal.models import LcpfVersion, LcpfVersionStatus, User
from portal.periods import today_in_london

TITLE = "Draft for consultation: more weight on residents, with a 97% floor"
EXPLANATION = (
    "A draft on which the boroughs are consulted: recorded crime 40 parts, residents 35 and deprivation 25, and no "
    "borough below 97% of its current allocation."
)


def load() -> str:
    if db.session.scalar(sa.select(LcpfVersion.id).where(LcpfVersion.title == TITLE)) is not None:
        return "Formula consultation: the demo draft is already out for consultation."
    published = versions.fetch_current_published()
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    if published is None or officer is None:
        return "Formula consultation: skipped (load the demo people and publish a formula version first)."
    parameters = replace(
        formula.Parameters.from_json(published.parameters),
        crime_weight=Decimal(40),
        population_weight=Decimal(35),
        deprivation_weight=Decimal(25),
        floor_percent=Decimal(97),
    )
    draft = versions.create_draft(TITLE, parameters, officer, EXPLANATION)
    today = today_in_london()
    versions.VERSIONS.move(draft, LcpfVersionStatus.CONSULTATION, actor=officer)
    draft.consultation_opens_on = today
    draft.consultation_closes_on = consultation.default_closing_date(today)
    db.session.commit()
    return f"Formula consultation: {TITLE} (version {draft.id}) open until {draft.consultation_closes_on:%-d %B %Y}."
