from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from portal.auth.recent import recent_authentication_required
from portal.errors import DomainError
from portal.permissions import Permission, permission_required
from portal.privacy import accounts, enforcement
from portal.privacy.forms import CloseAccountForm, ErasureRequestForm

privacy = Blueprint("privacy", __name__)


@privacy.route("/account/close", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def close_account():
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            accounts.close_own_account(current_user._get_current_object(), form.password.data)
        except DomainError as error:
            form.show_error(error)
        else:
            logout_user()
            session.clear()
            flash("Your account is closed. You have been signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("privacy/close_account.html", form=form)


@privacy.route("/staff/retention")
@permission_required(Permission.MANAGE_PERSONAL_DATA)
def retention_report():
    return render_template("privacy/retention_report.html", lines=enforcement.report())


@privacy.route("/staff/erasure-requests", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_PERSONAL_DATA)
@recent_authentication_required()
def erasure_requests():
    form = ErasureRequestForm()
    if form.validate_on_submit():
        try:
            accounts.handle_erasure_request(
                form.email.data, form.decision.data, form.reason.data, handled_by=current_user._get_current_object()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            erased = form.decision.data == accounts.Decision.ERASE
            flash("The account has been erased." if erased else "The refusal has been recorded.", "success")
            return redirect(url_for("privacy.erasure_requests"))
    return render_template("privacy/erasure_requests.html", form=form, records=accounts.fetch_erasure_records())
