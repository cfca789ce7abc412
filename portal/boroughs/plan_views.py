"""The London Crime Prevention Fund: a borough council's delivery plans, and officers' allocations, reviews and
payments.

Routes live in modules that share this blueprint and its loaders: ``borough_views`` (the council) and
``staff_views`` (officers).
"""

from flask import Blueprint

from portal.boroughs import queries
from portal.models import OrganisationType, ServiceArea
from portal.permissions import loads

plans = Blueprint("plans", __name__)


@plans.app_template_filter("service_area_label")
def service_area_label(value: str) -> str:
    return ServiceArea(value).label


# A borough council the user may act for (other organisations have no delivery plan: 404), this council's plan
# (another borough's plan is 404: its existence is private) and a project of that plan.
with_council = loads(
    "council",
    queries.fetch_organisation,
    parameter="organisation_id",
    where=lambda organisation: organisation.organisation_type is OrganisationType.BOROUGH,
)
with_council_plan = loads("plan", queries.fetch_plan, within=("council", "organisation_id"), checked=True)
with_plan_project = loads("project", queries.fetch_project, within="plan")


from portal.boroughs import (  # noqa: E402, F401  (routes on this blueprint)
    borough_views,
    return_views,
    spreadsheet_views,
    staff_views,
)
