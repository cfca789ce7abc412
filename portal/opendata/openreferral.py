"""Commissioned services as Open Referral UK (HSDS 3.0 UK profile) records, for borough directories to pull in.

A service is a published (approved) award, whose organisation is the recipient, or a project of a borough's approved
LCPF delivery plan (:mod:`portal.opendata.openreferral_projects`). Ids are UUIDs derived from ours with
a fixed namespace, so they never change between calls or installations. Nothing is published about a service's
people or premises: only what the award's public record holds, its boroughs and its fund.
"""

import math
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from portal.directory.published import Phase, is_published, london_today, phase_of
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    LocalAuthority,
    Organisation,
    OrganisationType,
    ServiceArea,
    ServiceContact,
)
from portal.opendata import openreferral_contacts as orc
from portal.opendata.threesixty import approved_on, iso_utc
from portal.service_contacts.services import published_copy, published_for
from portal.template_helpers import format_date, format_pence

if TYPE_CHECKING:
    from portal.directory.borough_projects import PublicProject

# Never change this: every published id is derived from it.
NAMESPACE = uuid.UUID("6f1f5a3e-2c4b-5d8e-9a71-3b0c4e6d2f10")
HSDS_VERSION = "3.0"
PROFILE_URL = "https://openreferraluk.org/"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
LONDON_GSS = "E12000007"
TAXONOMY = "Service areas of London's crime prevention funding"
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy/service_areas"))
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


def make_id(kind: str, *parts: object) -> str:
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


def _service_areas(award: Award, places: list[orc.Place]) -> list[dict]:
    sid = service_id(award.id)
    return [
        place.service_area(
            make_id("service_area", award.id, place.code)
            if place.kind != "district"
            else make_id("service_area", award.id, "district", place.code),
            sid,
        )
        for place in places
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
                "taxonomy_id": TAXONOMY_ID,
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


def _last_modified(award: Award, contact: ServiceContact | None) -> str:
    changed = approved_on(award)
    if contact is not None and contact.decided_at is not None:
        changed = max(changed, contact.decided_at)
    return iso_utc(changed)


def service_summary(
    award: Award, today: date, services_of_organisation: int, contact: ServiceContact | None = None
) -> dict:
    """The one-to-one fields of a service, with its organisation: a ``service_list`` item."""
    return {
        "id": service_id(award.id),
        "organization_id": organization_id(award.organisation_id),
        "name": award.title,
        "description": award.description,
        **orc.summary_fields(contact),
        "status": STATUS_BY_PHASE[phase_of(award, today)],
        "last_modified": _last_modified(award, contact),
        "organization": organization_summary(award.organisation, services_of_organisation),
    }


def service_full(
    award: Award, today: date, services_of_organisation: int, contact: ServiceContact | None = None
) -> dict:
    """A fully nested service, as ``/services/{id}`` returns it, with how to reach it once approved."""
    record = service_summary(award, today, services_of_organisation, contact)
    sid = record["id"]
    places = orc.award_places(award, contact)
    record.update(orc.full_fields(sid, contact))
    record["organization"]["organization_identifiers"] = _identifiers(award.organisation)
    record["service_areas"] = _service_areas(award, places)
    record["service_at_locations"] = orc.service_at_locations(sid, places)
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


def _service_counts(organisation_ids: Collection[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Award.organisation_id, sa.func.count(Award.id))
            .where(is_published(), Award.organisation_id.in_(set(organisation_ids)))
            .group_by(Award.organisation_id)
        )
        .tuples()
        .all()
    )


def organisation_for(org_uuid: str) -> int | None:
    return next((oid for oid in _published_organisation_ids() if organization_id(oid) == org_uuid), None)


def service_area_for(term_uuid: str) -> ServiceArea | None:
    return next((area for area in ServiceArea if taxonomy_term_id(area) == term_uuid), None)


@dataclass(frozen=True)
class Filters:
    """What a list of services may be narrowed by. ``borough`` is a GSS code (checked by the view); ``district`` a
    postcode district's outcode, with the boroughs it may be in."""

    search: str = ""
    taxonomy_term: str = ""
    taxonomy: str = ""
    organization: str = ""
    borough: str = ""
    district: str = ""
    district_boroughs: tuple[str, ...] = ()


def _award_query(filters: Filters) -> sa.Select[tuple[Award]]:
    query = sa.select(Award).join(Organisation, Organisation.id == Award.organisation_id).where(is_published())
    if filters.search:
        like = f"%{filters.search.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Award.title).like(like),
                sa.func.lower(Award.description).like(like),
                sa.func.lower(Organisation.name).like(like),
            )
        )
    if filters.taxonomy_term:
        area = service_area_for(filters.taxonomy_term)
        query = query.where(Award.service_area_links.any(AwardServiceArea.service_area == area) if area else sa.false())
    if filters.taxonomy:
        query = query.where(Award.service_area_links.any() if filters.taxonomy == TAXONOMY_ID else sa.false())
    if filters.organization:
        organisation_id = organisation_for(filters.organization)
        query = query.where(Award.organisation_id == organisation_id if organisation_id else sa.false())
    for code in filter(None, (filters.borough,)):
        query = query.where(sa.or_(Award.works_pan_london, Award.boroughs.any(LocalAuthority.gss_code == code)))
    if filters.district:
        codes = filters.district_boroughs or ("",)
        query = query.where(sa.or_(Award.works_pan_london, Award.boroughs.any(LocalAuthority.gss_code.in_(codes))))
    return query


def _matching_projects(filters: Filters) -> "list[PublicProject]":
    from portal.opendata import openreferral_projects

    projects = openreferral_projects.matching(
        search=filters.search, taxonomy_term=filters.taxonomy_term, organization=filters.organization
    )
    if filters.taxonomy:
        projects = [p for p in projects if filters.taxonomy == TAXONOMY_ID and p.service_areas]
    if filters.borough:
        projects = [p for p in projects if p.borough_gss_code == filters.borough]
    if filters.district:
        projects = [p for p in projects if p.borough_gss_code in filters.district_boroughs]
    return projects


def services_page(page: int, per_page: int, filters: Filters = Filters()) -> Page:
    from portal.opendata import openreferral_projects

    query = _award_query(filters)
    today = london_today()
    projects = _matching_projects(filters)
    offset = (page - 1) * per_page
    if not projects:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        awards = list(db.session.scalars(query.order_by(Award.title, Award.id).offset(offset).limit(per_page)))
        counts = _service_counts([award.organisation_id for award in awards])
        contacts = published_for([award.id for award in awards])
        contents = [service_summary(a, today, counts[a.organisation_id], contacts.get(a.id)) for a in awards]
        _add_catalogue({a.id: record for a, record in zip(awards, contents, strict=True)})
        return Page(contents, total, page, per_page)
    # Awards and borough projects together, by name: only the page's awards are loaded.
    keys = db.session.execute(query.with_only_columns(Award.id, Award.title)).all()
    merged = sorted(
        [((title.casefold(), title, 0, award_id), "award", award_id) for award_id, title in keys]
        + [((p.name.casefold(), p.name, 1, p.id), "project", p.id) for p in projects]
    )
    window = merged[offset : offset + per_page]
    award_ids = [id_ for _, kind, id_ in window if kind == "award"]
    awards_by_id = {a.id: a for a in db.session.scalars(sa.select(Award).where(Award.id.in_(award_ids)))}
    counts = _service_counts([a.organisation_id for a in awards_by_id.values()])
    contacts = published_for(award_ids)
    projects_by_id = {p.id: p for p in projects}
    contents = [
        service_summary(awards_by_id[id_], today, counts[awards_by_id[id_].organisation_id], contacts.get(id_))
        if kind == "award"
        else openreferral_projects.service_summary(projects_by_id[id_], today)
        for _, kind, id_ in window
    ]
    _add_catalogue({id_: record for (_, kind, id_), record in zip(window, contents, strict=True) if kind == "award"})
    return Page(contents, len(merged), page, per_page)


def service(service_uuid: str) -> dict | None:
    award = db.session.scalar(sa.select(Award).where(Award.oruk_id == service_uuid, is_published()))
    if award is None:
        from portal.opendata import openreferral_projects

        return openreferral_projects.service(service_uuid)
    counts = _service_counts([award.organisation_id])
    record = service_full(award, london_today(), counts[award.organisation_id], published_copy(award.id))
    _add_catalogue({award.id: record})
    return record


def service_at_locations_page(page: int, per_page: int, filters: Filters = Filters()) -> Page:
    """Every service linked with each place it is delivered, as ``service_at_location_list`` items: a borough
    directory asks for a ``postcode`` and gets the services that reach it, by service name then place."""
    from portal.opendata import openreferral_projects

    today = london_today()
    awards = list(db.session.scalars(_award_query(filters).order_by(Award.title, Award.id)))
    counts = _service_counts([a.organisation_id for a in awards])
    contacts = published_for([a.id for a in awards])
    rows: list[tuple[tuple, dict, list]] = []
    for award in awards:
        contact = contacts.get(award.id)
        summary = service_summary(award, today, counts[award.organisation_id], contact)
        rows.append(((award.title.casefold(), 0, award.id), summary, orc.award_places(award, contact)))
    for project in _matching_projects(filters):
        summary = openreferral_projects.service_summary(project, today)
        rows.append(((project.name.casefold(), 1, project.id), summary, [openreferral_projects.place(project)]))
    links = []
    for _, summary, places in sorted(rows, key=lambda row: row[0]):
        if filters.district:
            places = [p for p in places if p.covers(filters.district, set(filters.district_boroughs))]
        elif filters.borough:
            places = [p for p in places if p.kind == "london" or filters.borough in p.boroughs]
        for link in orc.service_at_locations(summary["id"], places):
            links.append({**link, "service": summary})
    offset = (page - 1) * per_page
    return Page(links[offset : offset + per_page], len(links), page, per_page)


def service_at_location(link_uuid: str) -> dict | None:
    """The service a service-at-location link belongs to, fully nested: ``/service_at_locations/{id}`` answers with
    a service, as openapi.json defines it."""
    for row in service_at_locations_page(1, 10**9).contents:
        if row["id"] == link_uuid:
            return service(row["service_id"])
    return None


# The service areas as a published taxonomy ------------------------------------------------------------------------


def taxonomy_summary() -> dict:
    return {
        "id": TAXONOMY_ID,
        "name": TAXONOMY,
        "description": (
            "The service areas the Mayor's Office for Policing and Crime funds services in, such as violence "
            "reduction and victim support. Every funded service is tagged with one or more of them."
        ),
        "version": "1",
    }


def taxonomy_term(area: ServiceArea) -> dict:
    return {
        "id": taxonomy_term_id(area),
        "name": area.label,
        "description": f"Services funded for {area.label.lower()}.",
        "taxonomy": TAXONOMY,
        "taxonomy_id": TAXONOMY_ID,
        "term": area.label,
    }


def _terms() -> list[dict]:
    return [taxonomy_term(area) for area in sorted(ServiceArea, key=lambda a: a.label)]


def taxonomies_page(page: int, per_page: int) -> Page:
    everything = [taxonomy_summary()]
    return Page(everything[(page - 1) * per_page : page * per_page], len(everything), page, per_page)


def taxonomy(taxonomy_uuid: str) -> dict | None:
    if taxonomy_uuid != TAXONOMY_ID:
        return None
    return {**taxonomy_summary(), "taxonomy_terms": _terms()}


def taxonomy_terms_page(page: int, per_page: int, taxonomy_uuid: str = "") -> Page:
    terms = _terms() if not taxonomy_uuid or taxonomy_uuid == TAXONOMY_ID else []
    return Page(terms[(page - 1) * per_page : page * per_page], len(terms), page, per_page)


def taxonomy_term_by_id(term_uuid: str) -> dict | None:
    area = service_area_for(term_uuid)
    return taxonomy_term(area) if area else None


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
    if organisation is None:
        return None
    awards = list(
        db.session.scalars(
            sa.select(Award).where(is_published(), Award.organisation_id == organisation_id).order_by(Award.title)
        )
    )
    today = london_today()
    record = organization_summary(organisation, len(awards))
    record["organization_identifiers"] = _identifiers(organisation)
    record["services"] = []
    contacts = published_for([award.id for award in awards])
    for award in awards:
        nested = service_full(award, today, len(awards), contacts.get(award.id))
        del nested["organization"]  # the organisation is the parent here
        record["services"].append(nested)
    _add_catalogue({award.id: nested for award, nested in zip(awards, record["services"], strict=True)})
    return record


def _add_catalogue(records: dict[int, dict]) -> None:
    """Each service's published entry in the commissioning catalogue, in the standard's fields."""
    from portal.outcomes.openreferral import add_catalogue

    add_catalogue(records)


def api_meta() -> dict:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}
