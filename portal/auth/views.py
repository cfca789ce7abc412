from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import services
from portal.auth.forms import (
    ChangePasswordForm,
    ForgottenPasswordForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    SignInForm,
)
from portal.auth.pending import begin_second_step
from portal.errors import DomainError
from portal.extensions import limiter
from portal.navigation import home_for, safe_next_url
from portal.permissions import Permission, permission_required, public

auth = Blueprint("auth", __name__)


def _sign_in_limit() -> str:
    from flask import current_app

    return current_app.config["SIGN_IN_RATE_LIMIT"]


@auth.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.check_password(form.email.data, form.password.data)
        except DomainError as error:
            form.show_error(error)
        else:
            next_url = safe_next_url(request.args.get("next"))
            session.clear()  # nothing from before signing in carries over
            if user.has_second_factor:
                begin_second_step(user, next_url)
                return redirect(url_for("auth.security_code"))
            return finish_sign_in(user, next_url)
    return render_template("auth/sign_in.html", form=form)


def finish_sign_in(user, next_url: str | None):
    start_signed_in(user)
    return redirect(next_url or home_for(user))


def start_signed_in(user) -> None:
    """Sign in someone who has given every factor they have (or has just made their account)."""
    services.complete_sign_in(user)
    login_user(user)


@auth.route("/sign-out", methods=["POST"])
@public
def sign_out():
    if current_user.is_authenticated:
        services.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@auth.route("/confirm-email/<token>")
@public
def confirm_email(token: str):
    try:
        user = services.confirm_email(token)
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    if not current_user.is_authenticated or current_user.id != user.id:
        logout_user()
        flash("Your email address is confirmed. Sign in to continue.", "success")
        return redirect(url_for("auth.sign_in"))
    flash("Your email address is confirmed.", "success")
    return redirect(home_for(user))


@auth.route("/confirm-email", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def email_unconfirmed():
    if current_user.email_confirmed:
        return redirect(home_for(current_user))
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        services.resend_email_confirmation(current_user)
        flash(f"We have sent a new link to {current_user.email}.", "success")
        return redirect(url_for("auth.email_unconfirmed"))
    return render_template("auth/email_unconfirmed.html", form=form)


@auth.route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@public
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/reset_link_sent.html", email=form.email.data)
    return render_template("auth/forgotten_password.html", form=form)


@auth.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    if services.user_for_reset_token(token) is None:
        return render_template("auth/link_invalid.html", message="This link has expired or has already been used."), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as error:
            form.show_error(error)
        else:
            logout_user()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@auth.route("/account/password", methods=["GET", "POST"])
@permission_required(Permission.USE_ACCOUNT)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # the user itself, not the proxy: the audit event records its type
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except DomainError as error:
            form.show_error(error)
        else:
            login_user(user)  # the old session id no longer matches
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@auth.route("/account")
@permission_required(Permission.USE_ACCOUNT)
def account():
    return render_template("auth/account.html")


from portal.auth import second_factor_views  # noqa: E402, F401  (its routes belong to this blueprint)
