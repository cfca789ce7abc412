"""Pages for the second factor: the sign-in step, setting it up, confirming it is you, and your sessions."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.auth import second_factor, services, sessions
from portal.auth.forms import (
    ConfirmPasswordForm,
    EndSessionsForm,
    RecoveryCodeForm,
    SecurityCodeForm,
    SetUpSecondFactorForm,
)
from portal.auth.pending import pending_user, take_next_url
from portal.auth.views import _sign_in_limit, auth, finish_sign_in
from portal.errors import DomainError
from portal.extensions import limiter
from portal.navigation import home_for, safe_next_url
from portal.permissions import Permission, permission_required, public

NEW_SECRET_KEY = "new_totp_secret"  # noqa: S105 (a session key's name)
NEW_RECOVERY_CODES_KEY = "new_recovery_codes"


def _start_again():
    flash("Your sign-in has timed out. Sign in again.", "info")
    return redirect(url_for("auth.sign_in"))


@auth.route("/sign-in/security-code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@public
def security_code():
    user = pending_user()
    if user is None:
        return _start_again()
    form = SecurityCodeForm()
    if form.validate_on_submit():
        try:
            services.check_second_factor(user, form.code.data)
        except DomainError as error:
            form.show_error(error)
        else:
            return finish_sign_in(user, take_next_url())
    return render_template("auth/security_code.html", form=form)


@auth.route("/sign-in/recovery-code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@public
def recovery_code():
    user = pending_user()
    if user is None:
        return _start_again()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        try:
            services.check_recovery_code(user, form.code.data)
        except DomainError as error:
            form.show_error(error)
        else:
            return finish_sign_in(user, take_next_url())
    return render_template("auth/recovery_code.html", form=form)


@auth.route("/account/second-factor/set-up", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def set_up_second_factor():
    if current_user.has_second_factor:
        return redirect(url_for("auth.account"))
    secret = session.get(NEW_SECRET_KEY) or second_factor.new_secret()
    session[NEW_SECRET_KEY] = secret
    form = SetUpSecondFactorForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.enable(current_user._get_current_object(), secret, form.code.data)
        except DomainError as error:
            form.show_error(error)
        else:
            session.pop(NEW_SECRET_KEY, None)
            session[NEW_RECOVERY_CODES_KEY] = codes
            return redirect(url_for("auth.new_recovery_codes"))
    uri = second_factor.provisioning_uri(current_user, secret)
    return render_template(
        "auth/set_up_second_factor.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr_code=second_factor.qr_code_data_uri(uri),
    )


@auth.route("/account/second-factor/recovery-codes")
@permission_required(Permission.USE_ACCOUNT)
def new_recovery_codes():
    """Shown once, straight after setting up: only their hashes are kept."""
    codes = session.pop(NEW_RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect(url_for("auth.account"))
    return render_template("auth/recovery_codes.html", codes=codes, continue_to=home_for(current_user))


@auth.route("/account/confirm-it-is-you", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def confirm_identity():
    user = current_user._get_current_object()
    form = SecurityCodeForm() if user.has_second_factor else ConfirmPasswordForm()
    next_url = safe_next_url(request.args.get("next")) or home_for(user)
    if form.validate_on_submit():
        try:
            if user.has_second_factor:
                services.reauthenticate(user, code=form.code.data)
            else:
                services.reauthenticate(user, password=form.password.data)
        except DomainError as error:
            form.show_error(error)
        else:
            return redirect(next_url)
    return render_template("auth/confirm_identity.html", form=form, back=next_url)


@auth.route("/account/sessions", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def account_sessions():
    form = EndSessionsForm()
    if form.validate_on_submit():
        services.end_other_sessions(current_user._get_current_object())
        flash("You have been signed out everywhere else.", "success")
        return redirect(url_for("auth.account_sessions"))
    return render_template(
        "auth/sessions.html",
        form=form,
        user_sessions=sessions.fetch_for(current_user),
        this_session=sessions.current(),
    )
