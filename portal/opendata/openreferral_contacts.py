"""How to reach a service, as Open Referral UK fields: its approved public contact details and where it is
delivered, shared by the services, their service-at-location links and the ``postcode`` filter.

Only approved contact details are read (:func:`portal.service_contacts.services.published_for`). The UK profile's
own fields carry what they can: ``url``, ``email``, ``minimum_age`` and ``maximum_age`` on the service, ``contacts``,
``languages``, ``service_areas`` and ``service_at_locations``. What the profile leaves out of its compiled schemas
is published in the fields HSDS 3.0 itself defines for it (:data:`portal.opendata.validation.HSDS_FIELDS`): who the
service is for (``eligibility_description``), how to be referred (``application_process``), the public phone
number (``contacts[].phones``, as the profile's phone table links phones to contacts) and each language's ``name``
and ``code``.

Where a service is delivered is a list of :class:`Place`: whole boroughs (by GSS code), postcode districts, or
London as a whole. Each place is an Open Referral location, the same for every service delivered there.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from portal.extensions import db
from portal.models import LANGUAGES, Award, LocalAuthority, PostcodeDistrict, ServiceContact

LONDON_GSS = "E12000007"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"


def _make_id(kind: str, *parts: object) -> str:
    from portal.opendata.openreferral import make_id

    return make_id(kind, *parts)


@dataclass(frozen=True)
class Place:
    kind: str  # "borough", "district" or "london"
    code: str  # a GSS code, or a postcode district's outcode
    name: str
    description: str
    boroughs: tuple[str, ...]  # the GSS codes of the boroughs it is in (a district may straddle several)

    @property
    def location_id(self) -> str:
        return _make_id("location", self.kind, self.code)

    def covers(self, district: str, district_boroughs: set[str]) -> bool:
        """Whether someone in this postcode district may be served here."""
        if self.kind == "london":
            return True
        if self.kind == "district":
            return self.code == district
        return self.code in district_boroughs

    def location(self) -> dict:
        return {
            "id": self.location_id,
            "location_type": "physical",
            "name": self.name,
            "description": self.description,
            "external_identifier": self.code,
            "external_identifier_type": "Postcode district" if self.kind == "district" else "GSS code",
        }

    def service_area(self, area_id: str, service_uuid: str) -> dict:
        area = {
            "id": area_id,
            "service_id": service_uuid,
            "name": self.name,
            "service_area": self.description,
        }
        if self.kind != "district":
            area["uri"] = STATISTICAL_GEOGRAPHY + self.code
        return area


def london() -> Place:
    return Place("london", LONDON_GSS, "London", "Across London: every borough", ())


def borough_place(gss_code: str, name: str, official_name: str) -> Place:
    return Place("borough", gss_code, name, f"Across {official_name}", (gss_code,))


def boroughs_by_code() -> dict[str, tuple[str, str]]:
    """Each London borough's name and official name by GSS code, read once a request."""
    if "oruk_boroughs" not in g:
        rows = db.session.execute(sa.select(LocalAuthority.gss_code, LocalAuthority.name, LocalAuthority.official_name))
        g.oruk_boroughs = {code: (name, official) for code, name, official in rows}
    boroughs: dict[str, tuple[str, str]] = g.oruk_boroughs
    return boroughs


def district_boroughs(outcode: str) -> list[str] | None:
    """The GSS codes of the boroughs a postcode district may be in, or None for a district we do not know."""
    district = db.session.scalar(sa.select(PostcodeDistrict).where(PostcodeDistrict.outcode == outcode))
    return None if district is None else [la.gss_code for la in district.boroughs]


def district_place(outcode: str, boroughs: list[str]) -> Place:
    names = [boroughs_by_code().get(code, (code, code))[0] for code in boroughs]
    return Place(
        "district",
        outcode,
        f"{outcode} postcode district",
        f"In the {outcode} postcode district ({', '.join(names)})",
        tuple(boroughs),
    )


def award_places(award: Award, contact: ServiceContact | None) -> list[Place]:
    """Where an award's service is delivered: as its approved contact details say, or else the award's boroughs."""
    known = boroughs_by_code()
    if contact is None:
        if award.works_pan_london:
            return [london()]
        return [borough_place(la.gss_code, la.name, la.official_name) for la in award.boroughs]
    places = [borough_place(code, *known[code]) for code in contact.borough_codes if code in known]
    if contact.postcode_districts:
        districts = db.session.scalars(
            sa.select(PostcodeDistrict).where(PostcodeDistrict.outcode.in_(contact.postcode_districts))
        )
        by_outcode = {d.outcode: [la.gss_code for la in d.boroughs] for d in districts}
        places += [district_place(code, by_outcode[code]) for code in contact.postcode_districts if code in by_outcode]
    return places


# The service's own fields ---------------------------------------------------------------------------------------


def summary_fields(contact: ServiceContact | None) -> dict[str, str | int]:
    """``url``, ``email`` and the age range: the fields of a ``service_list`` item that contact details fill."""
    if contact is None:
        return {}
    fields: dict[str, str | int | None] = {"url": contact.website, "email": contact.email}
    fields["minimum_age"] = contact.minimum_age
    fields["maximum_age"] = contact.maximum_age
    return {name: value for name, value in fields.items() if value is not None}


def full_fields(service_uuid: str, contact: ServiceContact | None) -> dict:
    """Who it is for, how to be referred, its contact point with the public phone number, and its languages."""
    if contact is None:
        return {}
    fields: dict = {"eligibility_description": contact.eligibility, "application_process": contact.referral}
    contact_id = _make_id("contact", service_uuid)
    point: dict = {"id": contact_id, "service_id": service_uuid, "name": "Enquiries and referrals"}
    if contact.email:
        point["email"] = contact.email
    if contact.phone:
        point["phones"] = [
            {
                "id": _make_id("phone", service_uuid),
                "contact_id": contact_id,
                "number": contact.phone,
                "description": "Public enquiries and referrals",
            }
        ]
    if contact.email or contact.phone:
        fields["contacts"] = [point]
    fields["languages"] = [
        {
            "id": _make_id("language", service_uuid, code),
            "service_id": service_uuid,
            "name": LANGUAGES[code],
            "code": code,
        }
        for code in contact.languages
        if code in LANGUAGES
    ]
    return fields


def service_at_locations(service_uuid: str, places: list[Place]) -> list[dict]:
    return [
        {
            "id": _make_id("service_at_location", service_uuid, place.kind, place.code),
            "service_id": service_uuid,
            "location_id": place.location_id,
            "location": place.location(),
        }
        for place in places
    ]
