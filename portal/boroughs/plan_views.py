"""The London Crime Prevention Fund: a borough council's delivery plans, and officers' allocations, reviews and
payments.

Routes live in modules that share this blueprint and its loaders: ``borough_views`` (the council) and
``staff_views`` (officers).
"""

from flask import Blueprint, abort

from portal.boroughs import queries
from portal.models import DeliveryPlan, Organisation, OrganisationType, PlanProject, ServiceArea
from portal.permissions import Permission, check

plans = Blueprint("plans", __name__)


@plans.app_template_filter("service_area_label")
def service_area_label(value: str) -> str:
    return ServiceArea(value).label


def load_council(organisation_id: int, permission: Permission) -> Organisation:
    """A borough council the user may act for. Other organisations have no delivery plan: 404."""
    organisation = queries.fetch_organisation(organisation_id)
    if organisation is None or organisation.organisation_type is not OrganisationType.BOROUGH:
        abort(404)
    check(permission, organisation)
    return organisation


def load_council_plan(organisation_id: int, plan_id: int, permission: Permission) -> DeliveryPlan:
    """This council's plan. Another borough's plan is 404: its existence is private."""
    load_council(organisation_id, permission)
    plan = queries.fetch_plan(plan_id)
    if plan is None or plan.organisation_id != organisation_id:
        abort(404)
    check(permission, plan)
    return plan


def load_plan_project(plan: DeliveryPlan, project_id: int) -> PlanProject:
    project = queries.fetch_project(project_id)
    if project is None or project.plan_id != plan.id:
        abort(404)
    return project


def load_staff_plan(plan_id: int, permission: Permission) -> DeliveryPlan:
    plan = queries.fetch_plan(plan_id) or abort(404)
    check(permission, plan)
    return plan


from portal.boroughs import (  # noqa: E402, F401  (routes on this blueprint)
    borough_views,
    return_views,
    spreadsheet_views,
    staff_views,
)
