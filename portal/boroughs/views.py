"""Borough pages: public, for anyone asking what is funded in a borough, with more for the borough's own council
and Safer Neighbourhood Board (the organisations working there)."""

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.boroughs import profile, services
from portal.directory import borough_funding, postcodes
from portal.errors import DomainError
from portal.extensions import db
from portal.models import LocalAuthority
from portal.permissions import Permission, can, public

boroughs = Blueprint("boroughs", __name__, url_prefix="/boroughs")


def _year(available: list[int]) -> int:
    """The financial year asked for, if there is funding to show in it; otherwise the current one."""
    year = request.args.get("year", type=int)
    return year if year in available else borough_funding.current_year()


@boroughs.route("")
@public
def index():
    """Every borough by name, and a postcode search that leads to the borough (or the boroughs) it is in."""
    postcode = (request.args.get("postcode") or "").strip()[:20]
    error = district = None
    if postcode:
        try:
            district = postcodes.find_district(postcode)
        except DomainError as found:
            error = found
        else:
            if len(district.boroughs) == 1:
                return redirect(url_for("boroughs.overview", gss_code=district.boroughs[0].gss_code))
    local_authorities = list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))
    return render_template(
        "boroughs/index.html", local_authorities=local_authorities, postcode=postcode, error=error, district=district
    ), (400 if error else 200)


@boroughs.route("/<gss_code>")
@public
def overview(gss_code: str):
    local_authority = services.fetch_local_authority_by_gss(gss_code) or abort(404)
    years = borough_funding.available_years()  # once: it reads every published award's years
    found = profile.borough_profile(local_authority, _year(years))
    own_borough = can(current_user, Permission.VIEW_BOROUGH, local_authority)
    return render_template(
        "boroughs/overview.html",
        local_authority=local_authority,
        profile=found,
        years=years,
        crime_source=profile.CRIME_SOURCE,
        organisations=services.fetch_organisations_working_in(local_authority) if own_borough else None,
    )


@boroughs.route("/<gss_code>/services.csv")
@public
def overview_csv(gss_code: str):
    local_authority = services.fetch_local_authority_by_gss(gss_code) or abort(404)
    found = profile.borough_profile(local_authority, _year(borough_funding.available_years()))
    name = local_authority.name.lower().replace(" ", "-")
    response = make_response(profile.profile_csv(found))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = f"funded-services-{name}-{found.year_label.replace('/', '-')}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
