"""Open and upcoming funding rounds, listed publicly."""

from flask import Blueprint, current_app, render_template, request, url_for

from portal.database import utcnow
from portal.directory.postcodes import find_district
from portal.errors import DomainError
from portal.models.funding import SERVICE_AREA_LABELS, Round, ServiceArea
from portal.opportunities import services
from portal.permissions import loads, public
from portal.rounds.criteria import weight_percentages
from portal.rounds.services import window_check_for

opportunities = Blueprint("opportunities", __name__, url_prefix="/funding")


def start_bid_url(round_id: int) -> str:
    """Where "Start your bid" goes: the bid journey's start page for the round."""
    if "applications.start" in current_app.view_functions:
        return url_for("applications.start", round_id=round_id)
    return f"/funding/{round_id}/apply"


def _service_area(value: str) -> ServiceArea | None:
    try:
        return ServiceArea(value)
    except ValueError:
        return None


@opportunities.route("/")
@public
def index():
    service_area = _service_area(request.args.get("area", ""))
    borough = services.fetch_borough(request.args.get("borough", ""))
    postcode = (request.args.get("postcode") or "").strip()[:20]
    district = postcode_error = None
    if postcode:
        try:
            district = find_district(postcode)
        except DomainError as error:
            postcode_error = error.message
        else:
            postcode = district.outcode
            if borough is not None and borough not in district.boroughs:
                postcode_error = (
                    f"{district.outcode} is not in {borough.name}. Choose a borough it may be in, or clear one"
                )
    now = utcnow()
    page = services.fetch_opportunities_page(
        request.args.get("page", 1, type=int),
        service_area=service_area,
        borough=borough,
        boroughs=district.boroughs if district and not postcode_error else None,
        now=now,
    )
    return render_template(
        "opportunities/index.html",
        page=page,
        now=now,
        service_area=service_area,
        borough=borough,
        postcode=postcode,
        district=district if not postcode_error else None,
        postcode_error=postcode_error,
        service_areas=SERVICE_AREA_LABELS,
        boroughs=services.fetch_boroughs(),
    ), 400 if postcode_error else 200


@opportunities.route("/closed")
@public
def closed():
    now = utcnow()
    return render_template(
        "opportunities/closed.html",
        page=services.fetch_recently_closed_page(request.args.get("page", 1, type=int), now=now),
        now=now,
    )


@opportunities.route("/<int:round_id>")
@public
@loads("round_", services.fetch_public_round, parameter="round_id", permission=None)
def round_page(round_: Round):
    now = utcnow()
    criteria = services.fetch_criteria(round_)
    return render_template(
        "opportunities/round.html",
        round=round_,
        status=round_.status(now),
        window=window_check_for(round_, now),
        eligibility=services.fetch_eligibility_questions(round_),
        criteria=criteria,
        percentages=weight_percentages(criteria),
        start_bid_url=start_bid_url(round_.id),
    )
