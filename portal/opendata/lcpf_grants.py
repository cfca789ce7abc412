"""The London Crime Prevention Fund as the boroughs spend it, in the 360Giving Data Standard.

- **The grant to the borough** is each confirmed allocation for a year of the borough's approved delivery plan:
  recipient the council (its GB-LAE identifier), marked with the regrant type "Multipurpose" (FRG070), since a
  borough both commissions projects from other organisations and runs some itself.
- **Regrants**: each project the borough commissions from a named provider is a grant from the council (the
  funding organisation) to the provider, for the project's amounts over the plan's years. 360Giving 1.4 has no
  field linking a regrant to the grant it came from, so the description names it by its identifier.
- A project the council runs itself is not a grant to anyone: it is part of the allocation's grant, whose
  description lists it.

Only what :mod:`portal.directory.borough_projects` makes public is read: approved plans, never drafts, queries
or variations in progress.
"""

from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.awards.services import duration_in_months
from portal.directory import borough_projects
from portal.extensions import db
from portal.models import BoroughAllocation, DeliveryPlan, LocalAuthority, Organisation
from portal.opendata import threesixty
from portal.periods import LONDON, financial_year_bounds, financial_year_label
from portal.template_helpers import format_pence

PROGRAMME = {"code": "LCPF-BOROUGHS", "title": f"{borough_projects.FUND_NAME}: borough allocations"}
REGRANT_MULTIPURPOSE = "FRG070"


def _register_code(org_id: str) -> str:
    return org_id.rsplit("-", 1)[-1]


def allocation_grant_id(org_id: str, year: int) -> str:
    return f"{threesixty.prefix()}-LCPF-{_register_code(org_id)}-{year}"


def project_grant_id(project: borough_projects.PublicProject) -> str:
    return f"{threesixty.prefix()}-LCPF-{_register_code(project.council_org_id)}-P{project.id}"


def _location(project_or_borough: Any) -> dict[str, Any]:
    name, code = project_or_borough
    return {"name": name, "geoCode": code, "geoCodeType": threesixty.BOROUGH_CODE_TYPE, "countryCode": "GB"}


def _day(value: datetime) -> str:
    return value.astimezone(LONDON).date().isoformat()


def _public_allocations() -> list[tuple[BoroughAllocation, DeliveryPlan]]:
    """Confirmed allocations in the years of an approved plan, with the plan."""
    query = (
        sa.select(BoroughAllocation, DeliveryPlan)
        .join(LocalAuthority, LocalAuthority.id == BoroughAllocation.local_authority_id)
        .join(Organisation, Organisation.local_authority_id == LocalAuthority.id)
        .join(DeliveryPlan, DeliveryPlan.organisation_id == Organisation.id)
        .where(
            borough_projects.is_public(),
            BoroughAllocation.confirmed_on.is_not(None),
            BoroughAllocation.financial_year.between(DeliveryPlan.first_year, DeliveryPlan.last_year),
        )
        .order_by(LocalAuthority.name, BoroughAllocation.financial_year)
    )
    return [(allocation, plan) for allocation, plan in db.session.execute(query)]


def lcpf_grants() -> list[dict]:
    config = current_app.config
    funder = {"id": config["OPEN_DATA_FUNDER_ORG_ID"], "name": config["OPEN_DATA_FUNDER_NAME"]}
    projects = borough_projects.by_borough(borough_projects.fetch_public_projects())
    grants = []
    for allocation, plan in _public_allocations():
        confirmed_on = allocation.confirmed_on
        assert confirmed_on is not None  # only confirmed allocations are public
        la = allocation.local_authority
        year = allocation.financial_year
        start, end = financial_year_bounds(year)
        own = [p for p in projects.get(la.id, []) if p.provided_by_borough and p.amount_for(year)]
        commissioned = [p for p in projects.get(la.id, []) if not p.provided_by_borough and p.amount_for(year)]
        description = (
            f"The {la.official_name}'s allocation from the {borough_projects.FUND_NAME} for "
            f"{financial_year_label(year)}, set by the published funding formula and spent on the projects of the "
            "borough's approved delivery plan."
        )
        if own:
            description += " Projects the council runs itself: " + "; ".join(
                f"{p.name} ({format_pence(p.amount_for(year))})" for p in own
            )
            description += "."
        if commissioned:
            description += f" {len(commissioned)} commissioned from other organisations, published as regrants."
        modified = plan.approved_at or allocation.created_at
        grants.append(
            {
                "id": allocation_grant_id(la.org_id, year),
                "title": f"{borough_projects.FUND_NAME} {financial_year_label(year)}: {la.name}",
                "description": description,
                "currency": "GBP",
                "amountAwarded": threesixty.pounds(allocation.amount_pence),
                "awardDate": confirmed_on.isoformat(),
                "plannedDates": [
                    {
                        "startDate": start.isoformat(),
                        "endDate": end.isoformat(),
                        "duration": duration_in_months(start, end),
                    }
                ],
                "recipientOrganization": [{"id": la.org_id, "name": la.official_name}],
                "fundingOrganization": [funder],
                "grantProgramme": [PROGRAMME],
                "fromOpenCall": "No",
                "regrantType": REGRANT_MULTIPURPOSE,
                "beneficiaryLocation": [_location((la.name, la.gss_code))],
                "locationScope": threesixty.SCOPE_LOCAL_AUTHORITY,
                "dateModified": threesixty.iso_utc(modified),
            }
        )
    for borough_list in projects.values():
        for project in borough_list:
            if not project.provided_by_borough and project.amounts:
                grants.append(_regrant(project))
    return grants


def _regrant(project: borough_projects.PublicProject) -> dict:
    recipient = {"id": _provider_org_id(project), "name": project.provider_name}
    if project.provider_charity_number:
        recipient["charityNumber"] = project.provider_charity_number
    if project.provider_company_number:
        recipient["companyNumber"] = project.provider_company_number
    parents = ", ".join(allocation_grant_id(project.council_org_id, year) for year in project.years)
    record = {
        "id": project_grant_id(project),
        "title": project.name,
        "description": (
            f"{project.description}\n\nCommissioned by the {project.borough_official_name} from its "
            f"{borough_projects.FUND_NAME} allocation (regranted from {parents})."
        ),
        "currency": "GBP",
        "amountAwarded": threesixty.pounds(project.total_pence),
        "awardDate": _day(project.approved_at) if project.approved_at else project.start_date.isoformat(),
        "plannedDates": [
            {
                "startDate": project.start_date.isoformat(),
                "endDate": project.end_date.isoformat(),
                "duration": duration_in_months(project.start_date, project.end_date),
            }
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": project.council_org_id, "name": project.borough_official_name}],
        "grantProgramme": [PROGRAMME],
        "fromOpenCall": "No",
        "beneficiaryLocation": [_location((project.borough, project.borough_gss_code))],
        "locationScope": threesixty.SCOPE_LOCAL_AUTHORITY,
        "dateModified": threesixty.iso_utc(project.approved_at or datetime.combine(project.start_date, time(), UTC)),
    }
    if project.service_areas:
        record["classifications"] = [
            {"vocabulary": threesixty.SERVICE_AREA_VOCABULARY, "code": area.value, "title": area.label}
            for area in sorted(project.service_areas, key=lambda a: a.label)
        ]
    return record


def _provider_org_id(project: borough_projects.PublicProject) -> str:
    charity, company = project.provider_charity_number, project.provider_company_number
    if charity:
        if charity.startswith("SC"):
            return f"GB-SC-{charity}"
        if charity.startswith("NIC"):
            return f"GB-NIC-{charity[3:]}"
        return f"GB-CHC-{charity}"
    if company:
        return f"GB-COH-{company}"
    return f"{threesixty.prefix()}-LCPF-PROVIDER-{project.id}"
