"""The agreements demo: accepted agreements with payments made, an award waiting for Victim Support to accept it,
and a variation waiting for officer2@, the same however many times it is loaded."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.demo import agreements as demo_agreements
from portal.demo import monitoring as demo_monitoring
from portal.demo import rounds as demo_rounds
from portal.demo.seed import DEMO_DOMAIN, load_demo_data
from portal.extensions import db
from portal.models import AuditEvent, Award, GrantAgreement, Instalment, InstalmentStatus, User, Variation

TODAY = date(2026, 11, 22)


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Award, GrantAgreement, Instalment, Variation, AuditEvent)
    )


@time_machine.travel("2026-11-22 10:00:00+00:00", tick=False)
def test_the_demo_accepts_agreements_pays_instalments_and_leaves_work_for_the_demo_logins(client):
    load_demo_data()
    demo_rounds.load(TODAY)
    demo_monitoring.load(TODAY)
    summary = demo_agreements.load(TODAY)
    assert summary == (
        "Agreements demo: 2 agreements accepted, 12 payments made, 1 award waiting for its agreement and "
        "1 variation waiting for approval."
    )
    first = counts()
    assert demo_agreements.load(TODAY).startswith("Agreements demo: 0 agreements accepted, 0 payments made, 0 award")
    assert counts() == first

    victims = db.session.scalar(sa.select(Award).where(Award.title == "London Victims and Witnesses Service"))
    statuses = [i.status for i in victims.instalments]
    assert statuses.count(InstalmentStatus.PAID) >= 5 and statuses.count(InstalmentStatus.RELEASED) == 1
    assert victims.agreement.signatory_name == "Helen Price"
    assert sum(i.amount_pence for i in victims.instalments) == victims.total_pence

    waiting = db.session.scalar(sa.select(Award).where(Award.title == demo_agreements.AWAITING_TITLE))
    assert waiting.organisation.name == "Victim Support" and waiting.agreement is None and waiting.application is None
    owner = db.session.scalar(sa.select(User).where(User.email == f"victimsupport@{DEMO_DOMAIN}"))
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{waiting.organisation_id}/awards/{waiting.id}/agreement")
    assert page.h1.get_text() == "Accept your grant agreement"

    variation = db.session.scalar(sa.select(Variation))
    lead = db.session.scalar(sa.select(User).where(User.email == f"officer2@{DEMO_DOMAIN}"))
    client.sign_in(lead)
    page = client.get_page(f"/staff/awards/{variation.award_id}/variations/{variation.id}")
    assert page.select_one("main form input[name=decision]")
