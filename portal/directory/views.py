"""The public directory of funded services, the map, and email alerts of new rounds. No account is needed."""

import json

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from portal import caching
from portal.directory import alerts, borough_funding, downloads, services
from portal.directory.forms import AlertsForm
from portal.errors import DomainError
from portal.evaluations import queries as evaluation_queries
from portal.extensions import limiter
from portal.models import LocalAuthority, ServiceArea
from portal.outcomes import catalogue
from portal.permissions import public
from portal.reference.services import SHIPPED_BOROUGH_BOUNDARIES
from portal.service_contacts import services as service_contacts
from portal.value import services as value_services

directory = Blueprint("directory", __name__)

BOUNDARIES_ATTRIBUTION = (
    "Contains National Statistics data © Crown copyright and database right. "
    "Contains Ordnance Survey data © Crown copyright and database right."
)


@directory.route("/services")
@public
def services_list():
    filters = services.read_filters(request.args)
    page = services.services_page(filters, request.args.get("page", 1, type=int))
    status = 400 if filters.errors else 200
    return render_template(
        "directory/services.html", filters=filters, page=page, choices=services.filter_choices()
    ), status


def _download(extension: str):
    filters = services.read_filters(request.args)
    if filters.errors:
        return jsonify({"error": filters.errors[0].message}), 400
    if extension == "csv":
        response = Response(downloads.csv_text(filters), content_type="text/csv; charset=utf-8")
    else:
        response = Response(
            json.dumps(downloads.json_document(filters), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{downloads.file_name(filters, extension)}"'
    return response


@directory.route("/services.csv")
@public
def services_csv():
    return _download("csv")


@directory.route("/services.json")
@public
def services_json():
    return _download("json")


@directory.route("/services/<int:award_id>")
@public
def service(award_id: int):
    detail = services.service_detail(award_id) or abort(404)
    analyses = value_services.published_summaries_for_award(award_id)
    return render_template(
        "directory/service.html",
        detail=detail,
        award=detail.award,
        analyses=analyses,
        catalogue=catalogue.public_entry(award_id),
        evaluations=evaluation_queries.fetch_public_for_award(award_id),
        contact=service_contacts.published_copy(award_id),
        boroughs_named=service_contacts.boroughs_named,
    )


@directory.route("/services/borough-projects/<int:project_id>")
@public
def borough_project(project_id: int):
    detail = services.project_detail(project_id) or abort(404)
    return render_template("directory/borough_project.html", detail=detail, project=detail.project)


def _service_area(value: str) -> ServiceArea | None:
    try:
        return ServiceArea(value)
    except ValueError:
        return None


def _year(available: list[int]) -> int:
    """The financial year asked for, if there is funding to show in it; otherwise the current one."""
    year = request.args.get("year", type=int)
    return year if year in available else borough_funding.current_year()


@directory.route("/map")
@public
def map_page():
    service_area = _service_area(request.args.get("area", ""))
    years = borough_funding.available_years()  # once: it reads every published award's years
    figures = services.map_figures(request.args.get("shade", ""), service_area, _year(years))
    return render_template(
        "directory/map.html",
        figures=figures,
        year_label=borough_funding.year_label(figures.year),
        years=years,
        service_area=service_area,
        service_areas=list(ServiceArea),
        shades=services.SHADE_CHOICES,
        attribution=BOUNDARIES_ATTRIBUTION,
    )


def _service_url(award_id: int | None, project_id: int | None) -> str:
    if award_id is None:
        return url_for("directory.borough_project", project_id=project_id)
    return url_for("directory.service", award_id=award_id)


@directory.route("/map/data.json")
@public
def map_data():
    service_area = _service_area(request.args.get("area", ""))
    figures = services.map_figures(
        request.args.get("shade", ""), service_area, _year(borough_funding.available_years())
    )
    area_args = {"area": service_area.value} if service_area else {}
    boroughs = {
        b.gss_code: {
            "name": b.name,
            "services": b.services,
            "funding": b.funding_pence,
            "perResident": b.per_resident_pence,
            "band": b.band,
            "bandLabel": b.band_label,
            "rounds": b.rounds,
            "servicesUrl": url_for("directory.services_list", borough=b.gss_code, **area_args),
            "boroughUrl": url_for("boroughs.overview", gss_code=b.gss_code, year=figures.year),
            "roundsUrl": url_for("opportunities.index", borough=b.gss_code, **area_args),
            "titles": [
                {"title": title, "url": _service_url(award_id, project_id)} for award_id, project_id, title in b.titles
            ],
        }
        for b in figures.boroughs
    }
    response = jsonify(
        {
            "shade": figures.shade,
            "year": figures.year,
            "period": f"Financial year {borough_funding.year_label(figures.year)}",
            "shadeLabel": services.SHADE_CHOICES[figures.shade],
            "legend": figures.legend,
            "boroughs": boroughs,
            "panLondonServices": figures.pan_london_services,
            "attribution": BOUNDARIES_ATTRIBUTION,
        }
    )
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@directory.route("/map/boroughs.geojson")
@public
def boundaries():
    body = caching.get("directory:boundaries")
    if body is None:
        shipped = json.loads(SHIPPED_BOROUGH_BOUNDARIES.read_text(encoding="utf-8"))
        body = json.dumps(shipped, separators=(",", ":"))
        caching.set("directory:boundaries", body, 24 * 60 * 60)
    response = Response(body, mimetype="application/geo+json")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 60 * 60
    return response


def _subscribe_limit() -> str:
    return current_app.config["ALERT_SUBSCRIBE_RATE_LIMIT"]


@directory.route("/alerts", methods=["GET", "POST"])
@limiter.limit(_subscribe_limit, methods=["POST"])
@public
def alerts_form():
    import sqlalchemy as sa

    from portal.extensions import db

    boroughs = list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))
    form = AlertsForm()
    if request.method == "GET":
        form.service_area.data = request.args.get("area", "")
        form.borough.data = request.args.get("borough", "")
    form.set_choices(boroughs)
    if form.validate_on_submit():
        borough = next((la for la in boroughs if la.gss_code == form.borough.data), None)
        try:
            alerts.subscribe(form.email.data, _service_area(form.service_area.data), borough)
        except DomainError as error:
            form.show_error(error)
        else:
            return redirect(url_for("directory.alerts_check_email"))
    return render_template("directory/alerts.html", form=form)


@directory.route("/alerts/check-your-email")
@public
def alerts_check_email():
    return render_template("directory/alerts_check_email.html")


@directory.route("/alerts/confirm/<token>")
@public
def confirm_alerts(token: str):
    try:
        subscription = alerts.confirm(token)
    except DomainError as error:
        return render_template("directory/alerts_link_invalid.html", message=error.message), 400
    return render_template(
        "directory/alerts_confirmed.html",
        subscription=subscription,
        unsubscribe_url=alerts.unsubscribe_url(subscription),
    )


@directory.route("/alerts/unsubscribe/<token>")
@public
def unsubscribe_alerts(token: str):
    try:
        alerts.unsubscribe(token)
    except DomainError as error:
        return render_template("directory/alerts_link_invalid.html", message=error.message), 400
    return render_template("directory/alerts_unsubscribed.html")
