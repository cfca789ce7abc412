"""The boroughs' London Crime Prevention Fund projects as Open Referral UK services, beside the awards.

Only projects :mod:`portal.directory.borough_projects` makes public (of approved delivery plans) are listed. A project
the council runs itself has the council as its organisation; a commissioned one has its provider, with the provider's
charity or company number as identifiers. Their ids are UUIDs derived from ours, like the awards'.
"""

from datetime import UTC, date, datetime, time

from portal.directory import borough_projects
from portal.directory.borough_projects import PublicProject
from portal.opendata import openreferral as orf
from portal.opendata import openreferral_contacts as orc_places
from portal.opendata.threesixty import iso_utc
from portal.template_helpers import format_date, format_pence


def service_id(project_id: int) -> str:
    return orf.make_id("lcpf_project", project_id)


def organization_id(project: PublicProject) -> str:
    if project.provided_by_borough:
        return orf.make_id("lcpf_council", project.local_authority_id)
    return orf.make_id("lcpf_provider", project.id)


def _identifiers(project: PublicProject) -> list[dict]:
    if project.provided_by_borough:
        found = [("GB-LAE", project.council_org_id.rsplit("-", 1)[-1])]
    else:
        found = []
        charity, company = project.provider_charity_number, project.provider_company_number
        if charity:
            if charity.startswith("SC"):
                found.append(("GB-SC", charity))
            elif charity.startswith("NIC"):
                found.append(("GB-NIC", charity[3:]))
            else:
                found.append(("GB-CHC", charity))
        if company:
            found.append(("GB-COH", company))
    org_id = organization_id(project)
    return [
        {
            "id": orf.make_id("organization_identifier", org_id, scheme),
            "organization_id": org_id,
            "identifier_scheme": scheme,
            "identifier_type": orf.IDENTIFIER_TYPES[scheme],
            "identifier": number,
        }
        for scheme, number in found
    ]


def _last_modified(project: PublicProject) -> str:
    return iso_utc(project.approved_at or datetime.combine(project.start_date, time(), UTC))


def service_summary(project: PublicProject, today: date) -> dict:
    if project.provided_by_borough:
        about = f"Borough council running a local project funded by the {borough_projects.FUND_NAME}."
    else:
        about = f"Organisation commissioned by the {project.borough_official_name} to run a local project."
    return {
        "id": service_id(project.id),
        "organization_id": organization_id(project),
        "name": project.name,
        "description": project.description,
        "status": orf.STATUS_BY_PHASE[project.phase(today)],
        "last_modified": _last_modified(project),
        "organization": {"id": organization_id(project), "name": project.provider, "description": about},
    }


def service_full(project: PublicProject, today: date) -> dict:
    record = service_summary(project, today)
    sid = record["id"]
    record["organization"]["organization_identifiers"] = _identifiers(project)
    record["service_areas"] = [
        {
            "id": orf.make_id("service_area", "lcpf_project", project.id, project.borough_gss_code),
            "service_id": sid,
            "name": project.borough,
            "service_area": project.borough_official_name
            if project.whole_borough or not project.wards
            else f"{project.borough_official_name}: {project.wards}",
            "uri": orf.STATISTICAL_GEOGRAPHY + project.borough_gss_code,
        }
    ]
    record["service_at_locations"] = orc_places.service_at_locations(sid, [place(project)])
    record["funding"] = [
        {
            "id": orf.make_id("funding", "lcpf_project", project.id),
            "service_id": sid,
            "source": (
                f"{project.funded_by}: {format_pence(project.total_pence)} from {format_date(project.start_date)} "
                f"to {format_date(project.end_date)}."
            ),
        }
    ]
    record["attributes"] = [
        {
            "id": orf.make_id("attribute", "lcpf_project", project.id, area.value),
            "link_id": sid,
            "link_type": "service",
            "taxonomy_term_id": orf.taxonomy_term_id(area),
            "taxonomy_term": {
                "id": orf.taxonomy_term_id(area),
                "name": area.label,
                "description": f"Services funded for {area.label.lower()}.",
                "taxonomy": orf.TAXONOMY,
                "taxonomy_id": orf.TAXONOMY_ID,
                "term": area.label,
            },
        }
        for area in sorted(project.service_areas, key=lambda a: a.label)
    ]
    return record


def place(project: PublicProject) -> orc_places.Place:
    """Where a borough project is delivered: its borough."""
    return orc_places.borough_place(project.borough_gss_code, project.borough, project.borough_official_name)


def matching(*, search: str = "", taxonomy_term: str = "", organization: str = "") -> list[PublicProject]:
    projects = borough_projects.fetch_public_projects()
    if search:
        wanted = search.lower()
        projects = [
            p
            for p in projects
            if wanted in p.name.lower() or wanted in p.description.lower() or wanted in p.provider.lower()
        ]
    if taxonomy_term:
        area = orf.service_area_for(taxonomy_term)
        projects = [p for p in projects if area is not None and area in p.service_areas]
    if organization:
        projects = [p for p in projects if organization_id(p) == organization]
    return projects


def service(service_uuid: str) -> dict | None:
    project = next((p for p in borough_projects.fetch_public_projects() if service_id(p.id) == service_uuid), None)
    return service_full(project, orf.london_today()) if project else None
