"""The good-practice library, open to everyone: case studies that officers have published, from accepted returns
whose organisations agreed."""

from flask import render_template, request

from portal.dialogue import good_practice
from portal.dialogue.views import dialogue
from portal.models import PublishedCaseStudy, ServiceArea
from portal.permissions import loads, public


@dialogue.route("/good-practice")
@public
def library():
    area = request.args.get("area", "")
    filters = good_practice.LibraryFilters(
        service_area=ServiceArea(area) if area in {a.value for a in ServiceArea} else None,
        fund_id=request.args.get("fund", type=int),
    )
    return render_template(
        "dialogue/library.html",
        page=good_practice.fetch_library_page(filters, request.args.get("page", 1, type=int)),
        filters=filters,
        areas=list(ServiceArea),
        funds=good_practice.fetch_library_funds(),
    )


@dialogue.route("/good-practice/<int:case_study_id>")
@public
@loads("found", good_practice.fetch_public_case_study, parameter="case_study_id", permission=None)
def case_study(found: PublishedCaseStudy):
    return render_template(
        "dialogue/case_study.html", case_study=found, return_=found.return_, award=found.return_.award
    )
