"""Commissioned services as Open Referral UK (HSDS 3.0 UK profile) records, for borough directories to pull in.

A service is a published (approved) award; its organisation is the recipient. Ids are UUIDs derived from ours with
a fixed namespace, so they never change between calls or installations. Nothing is published about a service's
people or premises: only what the award's public record holds, its boroughs and its fund.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.directory.published import Phase, is_published, london_today, phase_of
from portal.extensions import db
from portal.models import Award, AwardServiceArea, Organisation, OrganisationType, ServiceArea
from portal.opendata.threesixty import approved_on, iso_utc
from portal.template_helpers import format_date, format_pence

# Never change this: every published id is derived from it.
NAMESPACE = uuid.UUID("6f1f5a3e-2c4b-5d8e-9a71-3b0c4e6d2f10")
HSDS_VERSION = "3.0"
PROFILE_URL = "https://openreferraluk.org/"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
LONDON_GSS = "E12000007"
TAXONOMY = "Service areas of London's crime prevention funding"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200

STATUS_BY_PHASE = {Phase.ACTIVE: "active", Phase.NOT_STARTED: "inactive", Phase.ENDED: "defunct"}

IDENTIFIER_TYPES = {
    "GB-CHC": "Charity number (England and Wales)",
    "GB-SC": "Charity number (Scotland)",
    "GB-NIC": "Charity number (Northern Ireland)",
    "GB-COH": "Company number",
    "GB-LAE": "Local authority (England)",
}


def make_id(kind: str, *parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join([kind, *map(str, parts)])))


def service_id(award_id: int) -> str:
    return make_id("service", award_id)


def organization_id(organisation_id: int) -> str:
    return make_id("organization", organisation_id)


def taxonomy_term_id(area: ServiceArea) -> str:
    return make_id("taxonomy_term", area.value)


# Records --------------------------------------------------------------------------------------------------------


def _identifiers(organisation: Organisation) -> list[dict]:
    found = []
    if organisation.organisation_type is OrganisationType.BOROUGH and organisation.local_authority is not None:
        found.append(("GB-LAE", organisation.local_authority.register_code))
    if organisation.charity_number:
        number = organisation.charity_number
        if number.startswith("SC"):
            found.append(("GB-SC", number))
        elif number.startswith("NIC"):
            found.append(("GB-NIC", number[3:]))
        else:
            found.append(("GB-CHC", number))
    if organisation.company_number:
        found.append(("GB-COH", organisation.company_number))
    org_id = organization_id(organisation.id)
    return [
        {
            "id": make_id("organization_identifier", organisation.id, scheme),
            "organization_id": org_id,
            "identifier_scheme": scheme,
            "identifier_type": IDENTIFIER_TYPES[scheme],
            "identifier": number,
        }
        for scheme, number in found
    ]


def organization_summary(organisation: Organisation, services: int) -> dict:
    return {
        "id": organization_id(organisation.id),
        "name": organisation.name,
        "description": (
            f"{organisation.organisation_type.label} delivering {services} "
            f"{'service' if services == 1 else 'services'} in London funded by the Mayor's Office for Policing and "
            "Crime."
        ),
    }


def _service_areas(award: Award) -> list[dict]:
    sid = service_id(award.id)
    if award.works_pan_london:
        places = [("London", LONDON_GSS, "Across London: every borough")]
    else:
        places = [(la.name, la.gss_code, la.official_name) for la in award.boroughs]
    return [
        {
            "id": make_id("service_area", award.id, code),
            "service_id": sid,
            "name": name,
            "service_area": description,
            "uri": STATISTICAL_GEOGRAPHY + code,
        }
        for name, code, description in places
    ]


def _attributes(award: Award) -> list[dict]:
    sid = service_id(award.id)
    return [
        {
            "id": make_id("attribute", award.id, area.value),
            "link_id": sid,
            "link_type": "service",
            "taxonomy_term_id": taxonomy_term_id(area),
            "taxonomy_term": {
                "id": taxonomy_term_id(area),
                "name": area.label,
                "description": f"Services funded for {area.label.lower()}.",
                "taxonomy": TAXONOMY,
                "term": area.label,
            },
        }
        for area in sorted(award.service_areas, key=lambda a: a.label)
    ]


def _funding(award: Award) -> list[dict]:
    return [
        {
            "id": make_id("funding", award.id),
            "service_id": service_id(award.id),
            "source": (
                f"{award.fund.name}, Mayor's Office for Policing and Crime: {format_pence(award.total_pence)} "
                f"from {format_date(award.start_date)} to {format_date(award.end_date)} (award {award.reference})."
            ),
        }
    ]


def service_summary(award: Award, today: date, services_of_organisation: int) -> dict:
    """The one-to-one fields of a service, with its organisation: a ``service_list`` item."""
    return {
        "id": service_id(award.id),
        "organization_id": organization_id(award.organisation_id),
        "name": award.title,
        "description": award.description,
        "status": STATUS_BY_PHASE[phase_of(award, today)],
        "last_modified": iso_utc(approved_on(award)),
        "organization": organization_summary(award.organisation, services_of_organisation),
    }


def service_full(award: Award, today: date, services_of_organisation: int) -> dict:
    """A fully nested service, as ``/services/{id}`` returns it."""
    record = service_summary(award, today, services_of_organisation)
    record["organization"]["organization_identifiers"] = _identifiers(award.organisation)
    record["service_areas"] = _service_areas(award)
    record["funding"] = _funding(award)
    record["attributes"] = _attributes(award)
    return record


# Queries --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    contents: list[dict]
    total_items: int
    page_number: int
    per_page: int

    def as_json(self) -> dict:
        total_pages = max(1, math.ceil(self.total_items / self.per_page))
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


def _published_organisation_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Award.organisation_id).where(is_published()).distinct()))


def _service_counts(organisation_ids) -> dict[int, int]:
    if not organisation_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Award.organisation_id, sa.func.count(Award.id))
            .where(is_published(), Award.organisation_id.in_(set(organisation_ids)))
            .group_by(Award.organisation_id)
        ).all()
    )


def organisation_for(org_uuid: str) -> int | None:
    return next((oid for oid in _published_organisation_ids() if organization_id(oid) == org_uuid), None)


def service_area_for(term_uuid: str) -> ServiceArea | None:
    return next((area for area in ServiceArea if taxonomy_term_id(area) == term_uuid), None)


def services_page(
    page: int,
    per_page: int,
    *,
    search: str = "",
    taxonomy_term: str = "",
    organization: str = "",
) -> Page:
    query = sa.select(Award).join(Organisation, Organisation.id == Award.organisation_id).where(is_published())
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Award.title).like(like),
                sa.func.lower(Award.description).like(like),
                sa.func.lower(Organisation.name).like(like),
            )
        )
    if taxonomy_term:
        area = service_area_for(taxonomy_term)
        query = query.where(Award.service_area_links.any(AwardServiceArea.service_area == area) if area else sa.false())
    if organization:
        organisation_id = organisation_for(organization)
        query = query.where(Award.organisation_id == organisation_id if organisation_id else sa.false())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    awards = list(
        db.session.scalars(query.order_by(Award.title, Award.id).offset((page - 1) * per_page).limit(per_page))
    )
    counts = _service_counts([award.organisation_id for award in awards])
    today = london_today()
    return Page([service_summary(a, today, counts[a.organisation_id]) for a in awards], total, page, per_page)


def service(service_uuid: str) -> dict | None:
    award_ids = db.session.scalars(sa.select(Award.id).where(is_published()))
    award_id = next((aid for aid in award_ids if service_id(aid) == service_uuid), None)
    if award_id is None:
        return None
    award = db.session.get(Award, award_id)
    return service_full(award, london_today(), _service_counts([award.organisation_id])[award.organisation_id])


def organizations_page(page: int, per_page: int) -> Page:
    ids = _published_organisation_ids()
    query = sa.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name, Organisation.id)
    organisations = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    counts = _service_counts([o.id for o in organisations])
    return Page([organization_summary(o, counts[o.id]) for o in organisations], len(ids), page, per_page)


def organization(org_uuid: str) -> dict | None:
    """A fully nested organisation: its identifiers and its published services."""
    organisation_id = organisation_for(org_uuid)
    if organisation_id is None:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    awards = list(
        db.session.scalars(
            sa.select(Award).where(is_published(), Award.organisation_id == organisation_id).order_by(Award.title)
        )
    )
    today = london_today()
    record = organization_summary(organisation, len(awards))
    record["organization_identifiers"] = _identifiers(organisation)
    record["services"] = []
    for award in awards:
        nested = service_full(award, today, len(awards))
        del nested["organization"]  # the organisation is the parent here
        record["services"].append(nested)
    return record


def api_meta() -> dict:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}
