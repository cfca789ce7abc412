"""Conventions every route keeps, read from the app itself, so a new route cannot quietly break them."""

import importlib
import inspect
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Blueprint

import portal
from portal.models import MembershipRole, OrganisationType, StaffRole
from portal.permissions import Permission, public
from tests.conftest import another_app
from tests.factories import create_borough_user, create_member, create_organisation, create_user

# Adding a public route means adding it here, on purpose.
PUBLIC_ENDPOINTS = {
    "main.home",
    "main.accessibility",
    "main.cookies",
    "main.privacy",
    "main.healthcheck",
    "auth.sign_in",
    "organisations.check_your_email",
    "auth.security_code",
    "auth.recovery_code",
    "auth.sign_out",
    "auth.confirm_email",
    "auth.forgotten_password",
    "auth.reset_password",
    "organisations.register",
    "organisations.accept_invitation",
    "opportunities.index",
    "opportunities.closed",
    "opportunities.round_page",
    "monitoring.rules",
    "opendata.index",
    "opendata.threesixty_json",
    "opendata.threesixty_csv",
    "opendata.performance_csv",
    "openreferral.meta",
    "openreferral.services",
    "openreferral.service",
    "openreferral.organizations",
    "openreferral.organization",
    "openreferral.service_at_locations",
    "openreferral.service_at_location",
    "openreferral.taxonomies",
    "openreferral.taxonomy",
    "openreferral.taxonomy_terms",
    "openreferral.taxonomy_term",
    "dialogue.library",
    "dialogue.case_study",
    "dashboards.index",
    "dashboards.csv",
    "reports.published",
    "reports.published_file",
    "directory.services_list",
    "directory.services_csv",
    "directory.services_json",
    "directory.service",
    "directory.borough_project",
    "directory.map_page",
    "directory.map_data",
    "directory.boundaries",
    "directory.alerts_form",
    "directory.alerts_check_email",
    "directory.confirm_alerts",
    "directory.unsubscribe_alerts",
    "lcpf.index",
    "lcpf.version",
    "lcpf.version_csv",
    "lcpf.calculator",
    "boroughs.index",
    "boroughs.overview",
    "boroughs.overview_csv",
    "value.published_list",
    "value.published_csv",
    "value.published_analysis",
    "evaluations.library",
    "evaluations.library_csv",
    "evaluations.evaluation",
    "evaluations.public_report",
    "outcomes.framework_page",
    "outcomes.framework_version",
    "outcomes.dashboard",
    "outcomes.dashboard_csv",
}

# URL parameters are typed (``<int:...>``) except these, which are opaque strings by nature.
UNTYPED_PARAMETERS = {
    ("auth.confirm_email", "token"),
    ("auth.reset_password", "token"),
    ("organisations.accept_invitation", "token"),
    ("boroughs.overview", "gss_code"),
    ("boroughs.overview_csv", "gss_code"),
    ("directory.confirm_alerts", "token"),
    ("directory.unsubscribe_alerts", "token"),
}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _policy(app, rule):
    return getattr(app.view_functions[rule.endpoint], "permission_policy", None)


def test_every_route_declares_a_permission_policy(app):
    missing = sorted(
        rule.endpoint
        for rule in _rules(app)
        if not (_policy(app, rule) == "public" or isinstance(_policy(app, rule), Permission))
    )
    assert not missing, f"routes without @public or @permission_required: {missing}"


def test_the_public_routes_are_exactly_the_ones_listed_here(app):
    assert {rule.endpoint for rule in _rules(app) if _policy(app, rule) == "public"} == PUBLIC_ENDPOINTS


# ``<name>``, ``<int:name>`` or ``<converter(arguments):name>``: the converter is empty for a bare ``<name>``.
URL_PARAMETER = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\([^)]*\))?:)?(?P<variable>[a-zA-Z_]\w*)>")


def test_every_url_parameter_is_typed_except_the_listed_tokens_and_codes(app):
    untyped = set()
    for rule in _rules(app):
        parameters = list(URL_PARAMETER.finditer(rule.rule))
        assert {p["variable"] for p in parameters} == rule.arguments, f"could not read {rule.rule}"
        untyped |= {(rule.endpoint, p["variable"]) for p in parameters if not p["converter"]}
    assert untyped == UNTYPED_PARAMETERS


# ``name = Blueprint(`` at the start of a line. Modules are found by reading the source rather than importing the
# whole package, so that work in progress elsewhere (new models, say) is not dragged into the metadata.
BLUEPRINT_DEFINITION = re.compile(r"^(?P<variable>\w+)\s*=\s*Blueprint\(", re.MULTILINE)


def _blueprints_defined_in_portal() -> dict[str, Blueprint]:
    found = {}
    package = Path(portal.__file__).parent
    for path in sorted(package.rglob("*.py")):
        for match in BLUEPRINT_DEFINITION.finditer(path.read_text(encoding="utf-8")):
            module_name = ".".join(("portal", *path.relative_to(package).with_suffix("").parts))
            blueprint = getattr(importlib.import_module(module_name), match["variable"])
            assert isinstance(blueprint, Blueprint), f"{module_name}.{match['variable']} is not a Blueprint"
            found[f"{module_name}.{match['variable']}"] = blueprint
    return found


def test_every_blueprint_in_the_portal_package_is_registered(app):
    defined = _blueprints_defined_in_portal()
    assert len(defined) >= 5, f"expected the five blueprints at least, found {sorted(defined)}"
    unregistered = sorted(
        where for where, blueprint in defined.items() if app.blueprints.get(blueprint.name) is not blueprint
    )
    assert not unregistered, f"blueprints defined but not registered: {unregistered}"


def _protected_get_urls_without_parameters(app):
    return sorted(
        rule.rule
        for rule in _rules(app)
        if "GET" in rule.methods and not rule.arguments and _policy(app, rule) != "public"
    )


def test_every_protected_page_sends_an_anonymous_visitor_to_sign_in(app, client):
    urls = _protected_get_urls_without_parameters(app)
    assert "/staff/" in urls
    assert "/account" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, f"{url} gave {response.status_code}"
        assert response.headers["Location"].startswith("/sign-in?next="), f"{url} went to {response.location}"


@contextmanager
def _app_with_throwaway_routes(app):
    """A second app on the same database, with routes added before it serves anything."""
    with another_app(app, REDIS_URL=None, RUN_JOBS_INLINE=True, RATELIMIT_STORAGE_URI="memory://") as fresh:
        yield _add_throwaway_routes(fresh)


def _add_throwaway_routes(fresh):
    @fresh.route("/throwaway/forgotten")
    def forgotten():
        return "this should never be seen"

    @fresh.route("/throwaway/public")
    @public
    def declared_public():
        return "open to all"

    def careless_decorator(view):
        def wrapper(*args, **kwargs):  # no functools.wraps: the policy is lost
            return view(*args, **kwargs)

        return wrapper

    @fresh.route("/throwaway/wrapped", endpoint="wrapped")
    @careless_decorator
    @public
    def wrapped():
        return "this should never be seen either"

    return fresh


def test_a_route_without_a_policy_is_refused_at_runtime_even_for_an_admin(app):
    admin = create_user(staff_role=StaffRole.ADMIN)
    with _app_with_throwaway_routes(app) as fresh, fresh.app_context():
        client = fresh.test_client()
        assert client.get("/throwaway/public").status_code == 200
        anonymous = client.get("/throwaway/forgotten")
        assert anonymous.status_code == 403
        assert b"this should never be seen" not in anonymous.data
        with client.session_transaction() as session:
            session["_user_id"] = admin.get_id()
            session["_fresh"] = True
        assert client.get("/throwaway/forgotten").status_code == 403
        assert client.get("/throwaway/wrapped").status_code == 403


# Who sees which staff page: 200 shown, 302 sent to sign in, 403 refused.
STAFF_PAGES = ["/staff/", "/staff/users", "/staff/users/new", "/staff/organisations", "/staff/outbox", "/staff/audit"]
EXPECTED = {
    #                   /staff/  users  users/new  organisations  outbox  audit
    "anonymous": (302, 302, 302, 302, 302, 302),
    "unconfirmed user": (403, 403, 403, 403, 403, 403),
    "organisation editor": (403, 403, 403, 403, 403, 403),
    "organisation owner": (403, 403, 403, 403, 403, 403),
    "borough user": (403, 403, 403, 403, 403, 403),
    "reviewer": (200, 403, 403, 403, 403, 403),
    "grant officer": (200, 403, 403, 200, 403, 200),
    "admin": (200, 200, 200, 200, 200, 200),
}


def _make(role: str):
    organisation = create_organisation()
    return {
        "anonymous": lambda: None,
        "unconfirmed user": lambda: create_member(organisation, confirmed=False),
        "organisation editor": lambda: create_member(organisation, MembershipRole.EDITOR),
        "organisation owner": lambda: create_member(organisation, MembershipRole.OWNER),
        "borough user": lambda: create_borough_user("Lewisham", OrganisationType.BOROUGH),
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "grant officer": lambda: create_user(staff_role=StaffRole.GRANT_OFFICER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
    }[role]()


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_the_staff_pages_the_table_says(client, role):
    user = _make(role)
    if user is not None:
        client.sign_in(user)
    actual = tuple(client.get(url).status_code for url in STAFF_PAGES)
    assert dict(zip(STAFF_PAGES, actual, strict=True)) == dict(zip(STAFF_PAGES, EXPECTED[role], strict=True))


def test_every_page_in_the_role_table_is_a_protected_page(app):
    assert set(STAFF_PAGES) <= set(_protected_get_urls_without_parameters(app))


# Public pages that look their record up by more than its id: an Open Referral record by its UUID (with the
# standard's own JSON answer when there is none), and the directory's pages, built from several records.
LOOKED_UP_BY_THEIR_OWN_QUERY = {
    "openreferral.organization",
    "openreferral.service",
    "openreferral.service_at_location",
    "openreferral.taxonomy",
    "openreferral.taxonomy_term",
    "directory.service",
    "directory.borough_project",
}


def test_no_view_loads_the_object_its_url_names_by_hand(app):
    """A view takes the objects its URL names (loaded, and checked where it has a permission, by ``loads``), never
    their ids."""
    by_hand = sorted(
        f"{rule.endpoint}({parameter})"
        for rule in _rules(app)
        if rule.endpoint not in LOOKED_UP_BY_THEIR_OWN_QUERY
        for parameter in rule.arguments
        if parameter.endswith("_id")
        and (
            parameter in inspect.signature(app.view_functions[rule.endpoint]).parameters
            or parameter not in getattr(app.view_functions[rule.endpoint], "loaded_parameters", ())
        )
    )
    assert not by_hand, f"views taking an id from their URL instead of the object: {by_hand}"


# ``def load_x(`` or ``def _load_x(`` in a views module: the per-blueprint loaders ``loads`` replaced.
HAND_LOADER = re.compile(r"^def _?load_\w+\(", re.MULTILINE)


def test_no_views_module_defines_its_own_loader():
    package = Path(portal.__file__).parent
    loaders = sorted(
        f"{path.relative_to(package)}: {match[0]}"
        for path in package.rglob("*views*.py")
        for match in HAND_LOADER.finditer(path.read_text(encoding="utf-8"))
    )
    assert not loaders, f"views modules loading their own objects: {loaders}"
