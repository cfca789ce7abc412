from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal import work
from portal.auth.views import start_signed_in
from portal.errors import DomainError
from portal.extensions import limiter
from portal.models import Invitation, Membership, MembershipRole, Organisation
from portal.navigation import home_for
from portal.organisations import services
from portal.organisations.forms import (
    AcceptInvitationNewUserForm,
    ChangeRoleForm,
    ConfirmForm,
    InviteMemberForm,
    OrganisationProfileForm,
    RegistrationForm,
)
from portal.periods import today_in_london
from portal.permissions import Permission, loads, permission_required, public

organisations = Blueprint("organisations", __name__)


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@organisations.route("/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegistrationForm()
    form.set_borough_choices(services.fetch_local_authorities())
    if form.validate_on_submit():
        try:
            services.register_organisation(
                form.registration_details(),
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except DomainError as error:
            form.show_error(error)
        else:
            # The same page whether or not the address already had an account, so registering reveals none.
            session["registered_email"] = form.email.data.strip()
            return redirect(url_for("organisations.check_your_email"))
    return render_template("organisations/register.html", form=form)


@organisations.route("/register/check-your-email")
@public
def check_your_email():
    email = session.get("registered_email")
    if not email:
        return redirect(url_for("organisations.register"))
    return render_template("organisations/check_your_email.html", email=email)


@organisations.route("/organisations")
@permission_required(Permission.USE_ACCOUNT)
def choose():
    return render_template("organisations/choose.html", memberships=current_user.memberships)


@organisations.route("/organisations/<int:organisation_id>")
@permission_required(Permission.VIEW_ORGANISATION)
@loads("organisation", services.fetch_organisation)
def overview(organisation: Organisation):
    member = any(m.organisation_id == organisation.id for m in current_user.memberships)
    return render_template(
        "organisations/overview.html",
        organisation=organisation,
        work=work.fetch_organisation_work(organisation.id, today_in_london()) if member else None,
    )


@organisations.route("/organisations/<int:organisation_id>/profile", methods=["GET", "POST"])
@permission_required(Permission.EDIT_ORGANISATION)
@loads("organisation", services.fetch_organisation)
def edit_profile(organisation: Organisation):
    form = OrganisationProfileForm(obj=organisation)
    form.set_borough_choices(services.fetch_local_authorities())
    if request.method == "GET":
        form.borough_ids.data = [la.id for la in organisation.boroughs_served]
    if form.validate_on_submit():
        try:
            services.update_profile(organisation, form.details(organisation.organisation_type), current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Your organisation's details have been saved.", "success")
            return redirect(url_for("organisations.overview", organisation_id=organisation.id))
    return render_template("organisations/edit_profile.html", organisation=organisation, form=form)


@organisations.route("/organisations/<int:organisation_id>/members")
@permission_required(Permission.VIEW_ORGANISATION)
@loads("organisation", services.fetch_organisation)
def members(organisation: Organisation):
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        members=services.fetch_members(organisation),
        invitations=services.fetch_open_invitations(organisation),
        form=ConfirmForm(),
    )


@organisations.route("/organisations/<int:organisation_id>/members/invite", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_MEMBERS)
@loads("organisation", services.fetch_organisation)
def invite(organisation: Organisation):
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            invitation = services.invite_member(
                organisation, form.email.data, MembershipRole(form.role.data), current_user
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"We have sent an invitation to {invitation.email}.", "success")
            return redirect(url_for("organisations.members", organisation_id=organisation.id))
    return render_template("organisations/invite.html", organisation=organisation, form=form)


@organisations.route("/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@permission_required(Permission.MANAGE_MEMBERS)
@loads("organisation", services.fetch_organisation)
# An invitation of another organisation, or none, is "no longer open" to the service, as a revoked one is.
@loads("invitation", Invitation, permission=None, missing_ok=True)
def revoke_invitation(organisation: Organisation, invitation: Invitation | None):
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_invitation(organisation, invitation, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("The invitation has been withdrawn.", "success")
    return redirect(url_for("organisations.members", organisation_id=organisation.id))


@organisations.route("/organisations/<int:organisation_id>/members/<int:membership_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_MEMBERS)
@loads("organisation", services.fetch_organisation)
@loads("membership", Membership, within="organisation")
def edit_member(organisation: Organisation, membership: Membership):
    form = ChangeRoleForm(data={"role": membership.role.value} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.change_member_role(organisation, membership, MembershipRole(form.role.data), current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{membership.user.full_name} is now an {membership.role.label.lower()}.", "success")
            return redirect(url_for("organisations.members", organisation_id=organisation.id))
    return render_template(
        "organisations/edit_member.html",
        organisation=organisation,
        membership=membership,
        form=form,
        remove_form=ConfirmForm(),
    )


@organisations.route("/organisations/<int:organisation_id>/members/<int:membership_id>/remove", methods=["POST"])
@permission_required(Permission.MANAGE_MEMBERS)
@loads("organisation", services.fetch_organisation)
@loads("membership", Membership, within="organisation")
def remove_member(organisation: Organisation, membership: Membership):
    if ConfirmForm().validate_on_submit():
        name = membership.user.full_name
        try:
            services.remove_member(organisation, membership, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(
                url_for("organisations.edit_member", organisation_id=organisation.id, membership_id=membership.id)
            )
        flash(f"{name} has been removed from {organisation.name}.", "success")
    return redirect(url_for("organisations.members", organisation_id=organisation.id))


@organisations.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = services.fetch_open_invitation(token)
    if invitation is None:
        return render_template(
            "auth/link_invalid.html",
            message="This invitation has expired, been withdrawn or already been used.",
        ), 400
    if current_user.is_authenticated:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                membership = services.accept_invitation(token, current_user)
            except DomainError as error:
                form.show_error(error)
            else:
                flash(f"You are now a member of {membership.organisation.name}.", "success")
                return redirect(url_for("organisations.overview", organisation_id=membership.organisation_id))
        return render_template("organisations/accept_invitation.html", invitation=invitation, form=form)
    if services.fetch_user_by_email(invitation.email) is not None:
        flash("Sign in to accept your invitation.", "info")
        return redirect(url_for("auth.sign_in", next=url_for("organisations.accept_invitation", token=token)))
    form = AcceptInvitationNewUserForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation_as_new_user(
                token, full_name=form.full_name.data, password=form.password.data
            )
        except DomainError as error:
            form.show_error(error)
        else:
            start_signed_in(user)
            flash(f"Welcome. You are now a member of {invitation.organisation.name}.", "success")
            return redirect(home_for(user))
    return render_template("organisations/accept_invitation_new_user.html", invitation=invitation, form=form)
