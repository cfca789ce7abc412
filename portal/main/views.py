from flask import Blueprint, redirect, render_template
from flask_login import current_user

from portal.navigation import home_for
from portal.permissions import public

main = Blueprint("main", __name__)


@main.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("main/home.html")


@main.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@main.route("/cookies")
@public
def cookies():
    return render_template("main/cookies.html")


@main.route("/privacy")
@public
def privacy():
    from portal.privacy import retention

    return render_template("main/privacy.html", retention=retention)


@main.route("/healthcheck")
@public
def healthcheck():
    from portal.main.health import check_dependencies

    return check_dependencies()
