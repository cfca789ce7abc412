from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import work
from portal.admin import services
from portal.admin.forms import CreateStaffForm, EditStaffForm
from portal.auth import second_factor
from portal.auth.forms import ResetSecondFactorForm
from portal.auth.recent import recent_authentication_required
from portal.email.masking import readable_body
from portal.email.outbox import fetch_outbox_page
from portal.errors import DomainError
from portal.models import Organisation, StaffRole, User
from portal.organisations import services as organisation_services
from portal.organisations.forms import ConfirmForm
from portal.organisations.services import fetch_organisation
from portal.periods import today_in_london
from portal.permissions import Permission, has_permission, loads, permission_required

admin = Blueprint("admin", __name__, url_prefix="/staff")


@admin.route("/")
@permission_required(Permission.USE_STAFF_AREA)
def dashboard():
    user = current_user._get_current_object()
    officer = has_permission(user, Permission.SCREEN_APPLICATIONS) or has_permission(user, Permission.REVIEW_RETURNS)
    return render_template(
        "admin/dashboard.html",
        awaiting_verification=(
            organisation_services.fetch_organisations_awaiting_verification()
            if has_permission(user, Permission.VERIFY_ORGANISATIONS)
            else []
        ),
        work=work.fetch_officer_work(user, today_in_london()) if officer else None,
        your_reviews=(
            work.fetch_reviewer_work(user) if not officer and has_permission(user, Permission.SCORE_APPLICATIONS) else 0
        ),
    )


@admin.route("/users")
@permission_required(Permission.MANAGE_STAFF)
def staff():
    return render_template("admin/staff.html", staff=services.fetch_staff())


@admin.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_STAFF)
def create_staff():
    form = CreateStaffForm()
    if form.validate_on_submit():
        try:
            user = services.create_staff_user(
                form.email.data, form.full_name.data, StaffRole(form.role.data), created_by=current_user
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Account created. We have emailed {user.email} a link to choose a password.", "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/create_staff.html", form=form)


@admin.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_STAFF)
@recent_authentication_required()
@loads("user", services.fetch_staff_member, permission=None)  # staff accounts are everyone's: no scope
def edit_staff(user: User):
    form = EditStaffForm(
        data={"role": user.staff_role.value, "active": user.active} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            services.update_staff_member(
                user, StaffRole(form.role.data), bool(form.active.data), changed_by=current_user
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{user.full_name}'s account has been updated.", "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/edit_staff.html", user=user, form=form, reset_form=ResetSecondFactorForm())


@admin.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
@permission_required(Permission.MANAGE_STAFF)
@recent_authentication_required()
@loads("user", services.fetch_staff_member, permission=None)  # staff accounts are everyone's: no scope
def reset_second_factor(user: User):
    if ResetSecondFactorForm().validate_on_submit():
        try:
            second_factor.reset(user, reset_by=current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                f"{user.full_name}'s second factor has been reset. They will set up a new one when they next sign in.",
                "success",
            )
    return redirect(url_for("admin.edit_staff", user_id=user.id))


@admin.route("/organisations")
@permission_required(Permission.VIEW_ANY_ORGANISATION)
def organisations():
    search = request.args.get("q", "").strip()
    page = organisation_services.fetch_organisations_page(request.args.get("page", 1, type=int), search=search)
    return render_template("admin/organisations.html", page=page, search=search)


@admin.route("/organisations/<int:organisation_id>/verify", methods=["POST"])
@permission_required(Permission.VERIFY_ORGANISATIONS)
@loads("organisation", fetch_organisation)
def verify_organisation(organisation: Organisation):
    if ConfirmForm().validate_on_submit():
        try:
            organisation_services.verify_organisation(organisation, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"{organisation.name} is verified. Its members have been told by email.", "success")
    return redirect(url_for("organisations.overview", organisation_id=organisation.id))


@admin.route("/outbox")
@permission_required(Permission.VIEW_OUTBOX)
def outbox():
    # Message bodies hold sign-in links, so they are shown only where email is not really sent, and even then
    # the links that act for someone else are hidden.
    return render_template(
        "admin/outbox.html",
        page=fetch_outbox_page(request.args.get("page", 1, type=int)),
        show_bodies=current_app.config["MAIL_BACKEND"] == "log",
        readable_body=readable_body,
    )


@admin.route("/audit")
@permission_required(Permission.VIEW_AUDIT_LOG)
def audit_log():
    action = request.args.get("action", "")
    return render_template(
        "admin/audit.html",
        page=services.fetch_audit_page(request.args.get("page", 1, type=int), action=action),
        actions=services.fetch_audit_actions(),
        action=action,
    )
