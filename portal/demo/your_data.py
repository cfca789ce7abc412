"""Demonstration downloads of personal data: Victim Support's owner has a download of their data ready, and the
administrator has answered a subject access request from a Londoner who has no account but gets alerts of new
rounds. Safe to run again: nothing is added when the demo's downloads exist, whatever their state."""

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import AlertSubscription, PersonalDataExport, User
from portal.your_data import services

RESIDENT = f"resident@{DEMO_DOMAIN}"
REFERENCE = "SAR-DEMO-001"


def _user(local_part: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == f"{local_part}@{DEMO_DOMAIN}"))


def load() -> str:
    owner, admin = _user("victimsupport"), _user("admin")
    if owner is None or admin is None:
        return "Your data demo: the demo accounts are missing; load the demo first."
    made = []
    if not db.session.scalar(sa.select(PersonalDataExport.id).where(PersonalDataExport.requested_by_id == owner.id)):
        export = services.request_own_export(owner)
        services.prepare_export(export.id)  # here rather than queued, so it is ready without a worker running
        made.append("a download of Victim Support's owner's data")
    if not db.session.scalar(sa.select(PersonalDataExport.id).where(PersonalDataExport.reference == REFERENCE)):
        if not db.session.scalar(sa.select(AlertSubscription.id).where(AlertSubscription.email == RESIDENT)):
            db.session.add(AlertSubscription(email=RESIDENT, created_at=utcnow(), confirmed_at=utcnow()))
            db.session.commit()
        export = services.request_subject_access_export(
            admin,
            RESIDENT,
            name="Sam Resident",
            reference=REFERENCE,
            reason="Letter from the resident asking what we hold about them; identity checked against their email",
        )
        services.prepare_export(export.id)
        made.append(f"subject access request {REFERENCE}")
    return f"Your data demo: {', '.join(made) or 'the downloads are there already'}."
