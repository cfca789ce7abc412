"""The one permission system.

Roles map to permissions in ``ROLE_PERMISSIONS``. Staff roles hold their permissions everywhere; organisation
roles (owner, editor) hold theirs only within their own organisation; members of a verified borough council or
Safer Neighbourhood Board also hold ``BOROUGH_PERMISSIONS`` over records in their borough.

Every route is checked before it runs (:func:`enforce_route_permissions`): a view must be marked ``@public`` or
carry ``@permission_required``, or the request is refused. Object-level checks go through :func:`can`; the object a
URL names is loaded and checked by :func:`loads`, never by the view itself.
"""

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user

from portal.extensions import db, login_manager
from portal.models import MembershipRole, Organisation, StaffRole, User
from portal.scope import Scope


class Permission(enum.StrEnum):
    USE_ACCOUNT = "use_account"
    USE_STAFF_AREA = "use_staff_area"
    VIEW_ORGANISATION = "view_organisation"
    EDIT_ORGANISATION = "edit_organisation"
    MANAGE_MEMBERS = "manage_members"
    VIEW_ANY_ORGANISATION = "view_any_organisation"
    VERIFY_ORGANISATIONS = "verify_organisations"
    VIEW_BOROUGH = "view_borough"
    MANAGE_STAFF = "manage_staff"
    VIEW_OUTBOX = "view_outbox"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_FUNDS = "manage_funds"
    VIEW_APPLICATION = "view_application"
    EDIT_APPLICATION = "edit_application"
    WITHDRAW_APPLICATION = "withdraw_application"
    SCREEN_APPLICATIONS = "screen_applications"
    ASSIGN_REVIEWERS = "assign_reviewers"
    SCORE_APPLICATIONS = "score_applications"
    MODERATE_APPLICATIONS = "moderate_applications"
    DECIDE_APPLICATIONS = "decide_applications"
    APPROVE_AWARDS = "approve_awards"
    # Monitoring: an organisation sees its own awards and fills in their returns; officers review and rate them.
    VIEW_AWARD = "view_award"
    EDIT_RETURN = "edit_return"
    REVIEW_RETURNS = "review_returns"
    RATE_PERFORMANCE = "rate_performance"
    # Drawdowns: a Safer Neighbourhood Board sees its allocations and requests drawdowns; officers allocate,
    # issue, decide and record payments.
    VIEW_ALLOCATION = "view_allocation"
    REQUEST_DRAWDOWN = "request_drawdown"
    MANAGE_DRAWDOWNS = "manage_drawdowns"
    # Dialogue: an organisation sends feedback and lessons about its awards; officers answer, keep a lessons log
    # per fund and publish case studies as good practice.
    SEND_FEEDBACK = "send_feedback"
    ANSWER_FEEDBACK = "answer_feedback"
    PUBLISH_CASE_STUDIES = "publish_case_studies"
    # Committee reports: officers build them and choose which to publish.
    PRODUCE_REPORTS = "produce_reports"
    PUBLISH_REPORTS = "publish_reports"
    # Agreements and payments: an owner accepts the grant agreement for their organisation; officers pay awards.
    ACCEPT_GRANT_AGREEMENT = "accept_grant_agreement"
    MANAGE_PAYMENTS = "manage_payments"
    # The London Crime Prevention Fund: a borough council writes its delivery plan; officers set and confirm the
    # boroughs' allocations and review the plans (paying them is MANAGE_PAYMENTS, as for grants).
    VIEW_DELIVERY_PLAN = "view_delivery_plan"
    EDIT_DELIVERY_PLAN = "edit_delivery_plan"
    REVIEW_DELIVERY_PLANS = "review_delivery_plans"
    MANAGE_BOROUGH_ALLOCATIONS = "manage_borough_allocations"
    # The LCPF formula: officers import its data, draft versions, compare them and publish one.
    MANAGE_LCPF_FORMULA = "manage_lcpf_formula"
    # Consultation on a draft LCPF formula version: a borough council's owners and editors respond for their
    # borough; officers open the consultation, read the responses and reply.
    RESPOND_TO_LCPF_CONSULTATION = "respond_to_lcpf_consultation"
    CONSULT_ON_LCPF_FORMULA = "consult_on_lcpf_formula"
    # Personal data: administrators see what the retention job would remove and handle erasure requests.
    MANAGE_PERSONAL_DATA = "manage_personal_data"
    # Value for money: officers keep the unit values and deflator series, and draft and publish cost-benefit
    # analyses of services.
    MANAGE_VALUE_FOR_MONEY = "manage_value_for_money"
    # Evaluations of services and programmes: officers plan, record and publish them.
    MANAGE_EVALUATIONS = "manage_evaluations"
    # Personal data: anyone signed in downloads what the portal holds about them (their own downloads only);
    # administrators find everything about a person and export it for a subject access request.
    DOWNLOAD_YOUR_DATA = "download_your_data"
    HANDLE_SUBJECT_ACCESS = "handle_subject_access"
    # The outcomes framework and the commissioning catalogue: officers keep the framework's versions, map measures
    # and borough projects to its outcomes and write each service's catalogue entry.
    MANAGE_OUTCOMES = "manage_outcomes"


SIGNED_IN = frozenset({Permission.USE_ACCOUNT, Permission.DOWNLOAD_YOUR_DATA})

ROLE_PERMISSIONS: dict[StaffRole | MembershipRole, frozenset[Permission]] = {
    MembershipRole.OWNER: frozenset(
        {
            Permission.VIEW_ORGANISATION,
            Permission.EDIT_ORGANISATION,
            Permission.MANAGE_MEMBERS,
            Permission.VIEW_APPLICATION,
            Permission.EDIT_APPLICATION,
            Permission.WITHDRAW_APPLICATION,
            Permission.VIEW_AWARD,  # monitoring: their own awards and returns
            Permission.EDIT_RETURN,
            Permission.VIEW_ALLOCATION,  # drawdowns: a board's own allocations
            Permission.REQUEST_DRAWDOWN,
            Permission.SEND_FEEDBACK,
            Permission.ACCEPT_GRANT_AGREEMENT,  # only an owner may sign for the organisation
            Permission.VIEW_DELIVERY_PLAN,  # LCPF: a borough council's own plan
            Permission.EDIT_DELIVERY_PLAN,
            Permission.RESPOND_TO_LCPF_CONSULTATION,
        }
    ),
    MembershipRole.EDITOR: frozenset(
        {
            Permission.VIEW_ORGANISATION,
            Permission.EDIT_ORGANISATION,
            Permission.VIEW_APPLICATION,
            Permission.EDIT_APPLICATION,
            Permission.VIEW_AWARD,  # monitoring: their own awards and returns
            Permission.EDIT_RETURN,
            Permission.VIEW_ALLOCATION,  # drawdowns: a board's own allocations
            Permission.REQUEST_DRAWDOWN,
            Permission.SEND_FEEDBACK,
            Permission.VIEW_DELIVERY_PLAN,  # LCPF: a borough council's own plan
            Permission.EDIT_DELIVERY_PLAN,
            Permission.RESPOND_TO_LCPF_CONSULTATION,
        }
    ),
    StaffRole.REVIEWER: frozenset({Permission.USE_STAFF_AREA, Permission.SCORE_APPLICATIONS}),
    StaffRole.GRANT_OFFICER: frozenset(
        {
            Permission.USE_STAFF_AREA,
            Permission.VIEW_ORGANISATION,
            Permission.VIEW_ANY_ORGANISATION,
            Permission.VIEW_BOROUGH,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_FUNDS,
            Permission.VIEW_APPLICATION,
            Permission.SCREEN_APPLICATIONS,
            Permission.ASSIGN_REVIEWERS,
            Permission.SCORE_APPLICATIONS,
            Permission.MODERATE_APPLICATIONS,
            Permission.DECIDE_APPLICATIONS,
            Permission.APPROVE_AWARDS,
            Permission.VIEW_AWARD,  # monitoring: measures, reviewing returns and RAG ratings
            Permission.REVIEW_RETURNS,
            Permission.RATE_PERFORMANCE,
            Permission.VIEW_ALLOCATION,  # drawdowns: allocations, decisions, payments and turnaround
            Permission.MANAGE_DRAWDOWNS,
            Permission.ANSWER_FEEDBACK,
            Permission.PUBLISH_CASE_STUDIES,
            Permission.PRODUCE_REPORTS,
            Permission.PUBLISH_REPORTS,
            Permission.MANAGE_PAYMENTS,
            Permission.VIEW_DELIVERY_PLAN,  # LCPF: allocations, plans and their payments
            Permission.REVIEW_DELIVERY_PLANS,
            Permission.MANAGE_BOROUGH_ALLOCATIONS,
            Permission.MANAGE_LCPF_FORMULA,  # imports, draft versions, comparisons and publishing
            Permission.CONSULT_ON_LCPF_FORMULA,
            Permission.MANAGE_VALUE_FOR_MONEY,  # unit values, deflators and cost-benefit analyses
            Permission.MANAGE_EVALUATIONS,
            Permission.MANAGE_OUTCOMES,
        }
    ),
    StaffRole.ADMIN: frozenset(
        {
            Permission.USE_STAFF_AREA,
            Permission.VIEW_ORGANISATION,
            Permission.VIEW_ANY_ORGANISATION,
            Permission.VERIFY_ORGANISATIONS,
            Permission.VIEW_BOROUGH,
            Permission.MANAGE_STAFF,
            Permission.VIEW_OUTBOX,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_PERSONAL_DATA,
            Permission.HANDLE_SUBJECT_ACCESS,
        }
    ),
}

# What a member of a verified borough council or board may do with records in that borough.
BOROUGH_PERMISSIONS = frozenset({Permission.VIEW_BOROUGH})

# Permissions that, whoever holds them, apply only to records personally assigned to the user
# (a reviewer scores only the bids assigned to them; a person downloads only their own data).
PERSONAL_PERMISSIONS = frozenset({Permission.SCORE_APPLICATIONS, Permission.DOWNLOAD_YOUR_DATA})


def scope_of(record: Any) -> Scope:
    """Every record that permission checks cover says who it belongs to through ``permission_scope()``."""
    if isinstance(record, Scope):
        return record
    scope: Scope = record.permission_scope()
    return scope


def global_permissions(user: User) -> frozenset[Permission]:
    if not user.is_authenticated:
        return frozenset()
    staff = ROLE_PERMISSIONS[user.staff_role] if user.staff_role else frozenset()
    return staff | SIGNED_IN


def organisation_permissions(user: User, organisation_id: int) -> frozenset[Permission]:
    for membership in user.memberships:
        if membership.organisation_id == organisation_id:
            return ROLE_PERMISSIONS[membership.role]
    return frozenset()


def borough_scopes(user: User) -> frozenset[int]:
    return frozenset(
        m.organisation.scope_local_authority_id
        for m in user.memberships
        if m.organisation.scope_local_authority_id is not None
    )


def has_permission(user: User, permission: Permission) -> bool:
    """Whether the user holds ``permission`` anywhere: as staff, or in at least one organisation."""
    if not user.is_authenticated:
        return False
    if permission in global_permissions(user):
        return True
    if any(permission in ROLE_PERMISSIONS[m.role] for m in user.memberships):
        return True
    return permission in BOROUGH_PERMISSIONS and bool(borough_scopes(user))


def can(user: User, permission: Permission, record: Any) -> bool:
    """Whether the user may do ``permission`` to this particular record."""
    if not user.is_authenticated:
        return False
    if permission in PERSONAL_PERMISSIONS:
        return permission in global_permissions(user) and user.id in scope_of(record).user_ids
    if permission in global_permissions(user):
        return True
    scope = scope_of(record)
    if any(permission in organisation_permissions(user, org_id) for org_id in scope.organisation_ids):
        return True
    return permission in BOROUGH_PERMISSIONS and bool(scope.local_authority_ids & borough_scopes(user))


def check(permission: Permission, record: Any) -> None:
    """Abort with 403 unless the current user may do ``permission`` to ``record``."""
    if not can(current_user, permission, record):
        abort(403)


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone, signed in or not."""
    view.__dict__["permission_policy"] = "public"  # read back with getattr, as every policy is
    return view


def permission_required(permission: Permission) -> Callable:
    """Require sign-in, a confirmed email address and ``permission`` held somewhere.

    The object a URL names is checked on its own scope by :func:`loads`, beneath this decorator.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if permission is not Permission.USE_ACCOUNT and not current_user.email_confirmed:
                abort(403)
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.__dict__["permission_policy"] = permission
        return wrapped

    return decorator


class _RoutePermission:
    def __repr__(self) -> str:
        return "the route's permission"


ROUTE_PERMISSION: Any = _RoutePermission()


def loads(
    into: str,
    fetch: type | Callable[[int], Any],
    *,
    permission: Permission | None = ROUTE_PERMISSION,
    within: str | tuple[str, str | Callable[[Any], int | None]] | tuple[str, str, str] | None = None,
    checked: bool | None = None,
    where: Callable[[Any], bool] | None = None,
    hidden_unless: Permission | None = None,
    allowed: Callable[[Any], bool] | None = None,
    parameter: str | None = None,
    missing_ok: bool = False,
) -> Callable:
    """Load the object the URL names, check the permission on it and pass it to the view as ``into``.

    The URL parameter is ``<into>_id`` (or ``parameter``); the view takes the object, never the id. ``fetch`` is a
    model (looked up by primary key) or a function from the id to the object or ``None``. In order:

    - nothing found: 404, or ``None`` passed on with ``missing_ok`` (a second press of "Remove" after the first
      removed it); ``where(obj)`` false: 404;
    - ``within="award"``: the object must belong to the ``award`` loaded above (``obj.award_id == award.id``), or
      to the URL's ``award_id`` when no award is loaded: 404 otherwise. ``within="round_"`` reads ``obj.round_id``;
      ``within=("board", "organisation_id")`` names the attribute when it is not the parent's name, and
      ``within=("plan", lambda return_: ...)`` works the parent's id out when the object holds it further away,
      and ``within=("assignment", "application_id", "application_id")`` compares with the parent's attribute
      rather than its id (a file of the bid an assignment is about);
    - ``hidden_unless``: a user without that permission on the object gets 404, since even its existence is private;
    - ``permission`` on the object's scope: 403 without it. It is the route's own permission (from
      :func:`permission_required`) unless named here; ``None`` checks nothing (a public page). An object loaded
      ``within`` a parent checked above is not checked again unless ``checked=True`` or a permission is named;
    - ``allowed(obj)`` false: 403 (a rule beyond the permission table, such as a declared conflict of interest).

    Stack it beneath ``@permission_required``, parents above children.
    """
    parameter = parameter or f"{into}_id"
    if within is None or isinstance(within, tuple):
        parent_name, parent_key, parent_attribute = (*within, "id")[:3] if within else (None, None, "id")
    else:
        parent_name, parent_key, parent_attribute = within, f"{within.rstrip('_')}_id", "id"
    if checked is False or (checked is None and permission is ROUTE_PERMISSION and within is not None):
        permission = None
    get = (lambda id_: db.session.get(fetch, id_)) if isinstance(fetch, type) else fetch

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if parameter not in kwargs:  # a view shared by "new" and "edit" routes: nothing to load for "new"
                return view(*args, **kwargs, **{into: None})
            obj = get(kwargs.pop(parameter))
            if obj is None and missing_ok:
                return view(*args, **kwargs, **{into: None})
            if obj is None or (where is not None and not where(obj)):
                abort(404)
            if parent_name is not None and parent_key is not None:
                if parent_name in kwargs:
                    parent = getattr(kwargs[parent_name], parent_attribute)
                else:
                    parent = kwargs.pop(f"{parent_name}_id")
                if (parent_key(obj) if callable(parent_key) else getattr(obj, parent_key)) != parent:
                    abort(404)
            if hidden_unless is not None and not can(current_user, hidden_unless, obj):
                abort(404)
            required = _route_permission() if permission is ROUTE_PERMISSION else permission
            if required is not None and required is not hidden_unless:
                check(required, obj)
            if allowed is not None and not allowed(obj):
                abort(403)
            kwargs[into] = obj
            return view(*args, **kwargs)

        consumed = (parameter,) if parent_name is None else (parameter, f"{parent_name}_id")
        wrapped.__dict__["loaded_parameters"] = (*getattr(view, "loaded_parameters", ()), *consumed)
        return wrapped

    return decorator


def _route_permission() -> Permission:
    policy = getattr(current_app.view_functions.get(request.endpoint or ""), "permission_policy", None)
    if not isinstance(policy, Permission):
        raise RuntimeError(f"{request.endpoint} loads an object but has no permission: name it, or None")
    return policy


def enforce_route_permissions() -> None:
    """Refuse any request to a view that declares neither ``@public`` nor ``@permission_required``."""
    if request.endpoint is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission_policy", None) is None:
        current_app.logger.error("route %s has no permission policy", request.endpoint)
        abort(403)


def organisations_with(user: User, permission: Permission) -> list[Organisation]:
    return [m.organisation for m in user.memberships if permission in ROLE_PERMISSIONS[m.role]]


def roles_granting(permission: Permission, kind: type[enum.Enum] | None = None) -> list[enum.Enum]:
    """The roles the table gives ``permission`` to, only staff roles or only membership roles if ``kind`` says so:
    code that needs "who may score" asks here rather than naming roles itself."""
    return [
        role
        for role, permissions in ROLE_PERMISSIONS.items()
        if permission in permissions and (kind is None or isinstance(role, kind))
    ]
