"""Demonstration contact details for the directory's services: two published (one with a change waiting for an
officer), and one sent for approval that the public does not see yet. Phone numbers are from Ofcom's range for
drama (020 7946 0xxx) and addresses are example.org ones: nothing here reaches a real person.

Safe to run again: an award that already has contact details of any status is left as it is.
"""

from typing import Any

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.registry import demo_awards
from portal.extensions import db
from portal.models import Award, ContactStatus, LocalAuthority, ServiceContact

CONTACTS: dict[str, list[dict[str, Any]]] = {
    "Youth workers in Major Trauma Centres": [
        {
            "status": ContactStatus.APPROVED,
            "website": "https://youth-workers.example.org/hospitals",
            "phone": "020 7946 0101",
            "email": "referrals@youth-workers.example.org",
            "referral": (
                "Hospital staff refer young people from the emergency department; young people and their families "
                "may also call us themselves."
            ),
            "eligibility": "Young people aged 11 to 25 treated in hospital after violence or exploitation.",
            "minimum_age": 11,
            "maximum_age": 25,
            "languages": ["en", "so", "ar"],
            "boroughs": ("Southwark", "Tower Hamlets"),
            "districts": ("SW17", "W2"),
        },
        {
            "status": ContactStatus.SUBMITTED,
            "website": "https://youth-workers.example.org/hospitals",
            "phone": "020 7946 0102",
            "email": "referrals@youth-workers.example.org",
            "referral": (
                "Hospital staff refer young people from the emergency department; young people and their families "
                "may also call us themselves, seven days a week."
            ),
            "eligibility": "Young people aged 11 to 25 treated in hospital after violence or exploitation.",
            "minimum_age": 11,
            "maximum_age": 25,
            "languages": ["en", "so", "ar"],
            "boroughs": ("Southwark", "Tower Hamlets", "Westminster", "Wandsworth"),
            "districts": (),
        },
    ],
    "Rescue and Response (county lines)": [
        {
            "status": ContactStatus.APPROVED,
            "website": "https://rescue-response.example.org",
            "phone": "020 7946 0103",
            "email": "rescue@rescue-response.example.org",
            "referral": (
                "Police, social workers, youth offending teams and schools refer through the online form; parents "
                "may call for advice."
            ),
            "eligibility": "Young Londoners up to 25 exploited through county lines, and their families.",
            "minimum_age": None,
            "maximum_age": 25,
            "languages": ["en", "pt", "pl"],
            "boroughs": ("Croydon", "Lambeth", "Lewisham", "Newham"),
            "districts": (),
        },
    ],
    "South London Alliance Female Offenders Service": [
        {
            "status": ContactStatus.SUBMITTED,
            "website": None,
            "phone": "020 7946 0104",
            "email": "women@south-alliance.example.org",
            "referral": "Probation officers and women's centres refer; women may refer themselves by phone.",
            "eligibility": "Women aged 18 and over in contact with the criminal justice system.",
            "minimum_age": 18,
            "maximum_age": None,
            "languages": ["en"],
            "boroughs": ("Lambeth", "Southwark"),
            "districts": (),
        },
    ],
}


def load() -> str:
    boroughs = {la.name: la.gss_code for la in db.session.scalars(sa.select(LocalAuthority))}
    added = 0
    for award in demo_awards(Award.title.in_(CONTACTS)):
        if db.session.scalar(sa.select(ServiceContact.id).where(ServiceContact.award_id == award.id)):
            continue
        for spec in CONTACTS[award.title]:
            spec = dict(spec)
            status = spec.pop("status")
            codes = [boroughs[name] for name in spec.pop("boroughs")]
            db.session.add(
                ServiceContact(
                    award_id=award.id,
                    published=status is ContactStatus.APPROVED,
                    status=status,
                    borough_codes=codes,
                    postcode_districts=list(spec.pop("districts")),
                    submitted_at=utcnow(),
                    decided_at=utcnow() if status is ContactStatus.APPROVED else None,
                    **spec,
                )
            )
            added += 1
    db.session.commit()
    return f"Service contact details demo: {added} sets of contact details added."
