"""Public contact details of funded services, in each status, without going through the forms."""

from portal.database import utcnow
from portal.extensions import db
from portal.models import Award, ContactStatus, ServiceContact


def create_contact(
    award: Award,
    *,
    status: ContactStatus = ContactStatus.APPROVED,
    phone: str | None = "020 7946 0000",
    email: str | None = "help@service.example.org",
    website: str | None = "https://service.example.org",
    referral: str = "Call us, or ask your school to refer you.",
    eligibility: str = "Young people aged 11 to 25",
    languages: tuple[str, ...] = ("en",),
    boroughs: tuple[str, ...] | None = None,
    districts: tuple[str, ...] = (),
    minimum_age: int | None = 11,
    maximum_age: int | None = 25,
) -> ServiceContact:
    """Approved details are the published version; any other status is the provider's working copy."""
    contact = ServiceContact(
        award_id=award.id,
        published=status is ContactStatus.APPROVED,
        status=status,
        website=website,
        phone=phone,
        email=email,
        referral=referral,
        eligibility=eligibility,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        languages=list(languages),
        borough_codes=list(boroughs if boroughs is not None else [la.gss_code for la in award.boroughs]),
        postcode_districts=list(districts),
        submitted_at=utcnow() if status is not ContactStatus.DRAFT else None,
    )
    db.session.add(contact)
    db.session.commit()
    return contact
