"""Consultation pages: a borough council's LCPF page and its response to a draft, and the officers' side (opening
a draft for consultation, reading the responses and replying).

A borough's pages are under its organisation's address and load only that council's records: another borough's
council is refused (403) and another borough's response is never looked up at all.
"""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.lcpf import consultation, versions
from portal.lcpf.consultation_forms import OpenConsultationForm, ReplyForm, ResponseForm
from portal.models import LcpfResponse, LcpfVersion, LcpfVersionStatus, Organisation, OrganisationType
from portal.periods import today_in_london, working_days_between
from portal.permissions import Permission, can, loads, permission_required

lcpf_consultation = Blueprint("lcpf_consultation", __name__)


def _actor():
    return current_user._get_current_object()


# A verified borough council of a funded borough that the user may act for; any other organisation: 404, and an
# unverified council: 403.
with_council = loads(
    "council",
    Organisation,
    parameter="organisation_id",
    where=lambda council: (
        council.organisation_type is OrganisationType.BOROUGH
        and council.local_authority is not None
        and council.local_authority.in_lcpf
    ),
    allowed=lambda council: council.is_verified,
)
# A version the borough may look at as a consultation: one out for consultation now or put out before.
with_consultation_version = loads("version", consultation.fetch_consultation_version, permission=None)


def _attachment(response: LcpfResponse):
    if not response.attachment_filename:
        abort(404)
    return send_file(
        BytesIO(consultation.fetch_attachment(response) or b""),
        mimetype=response.attachment_content_type,
        as_attachment=True,
        download_name=response.attachment_filename,
        max_age=0,
    )


# The borough council's pages


@lcpf_consultation.route("/organisations/<int:organisation_id>/lcpf")
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
def borough_formula(council: Organisation):
    published = versions.fetch_current_published()
    return render_template(
        "lcpf/consultation/borough_formula.html",
        council=council,
        published=published,
        years=consultation.borough_years(published, council.local_authority) if published else [],
        history=consultation.borough_history(council.local_authority),
        consultations=consultation.fetch_consultations_for(council),
        may_respond=_may_respond(council),
        today=today_in_london(),
    )


def _may_respond(council: Organisation) -> bool:
    return can(current_user, Permission.RESPOND_TO_LCPF_CONSULTATION, council)


@lcpf_consultation.route(
    "/organisations/<int:organisation_id>/lcpf/consultations/<int:version_id>", methods=["GET", "POST"]
)
@permission_required(Permission.RESPOND_TO_LCPF_CONSULTATION)
@with_council
@with_consultation_version
def borough_consultation(council: Organisation, version: LcpfVersion):
    response = consultation.fetch_borough_response(version, council.local_authority_id)
    compared = consultation.compared_version(version)
    form = ResponseForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            consultation.submit_response(
                council, version, form.body.data, form.consent_given(), form.upload(), _actor()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(
                "Response sent. We have emailed you a copy of the confirmation; an officer will reply by email.",
                "success",
            )
            return redirect(url_for(".borough_consultation", organisation_id=council.id, version_id=version.id))
    return render_template(
        "lcpf/consultation/borough_consultation.html",
        council=council,
        version=version,
        years=consultation.borough_years(version, council.local_authority, compared),
        compared=compared,
        response=response,
        is_open=consultation.is_open(version),
        form=form,
    ), (400 if form.errors or form.form_errors else 200)


@lcpf_consultation.route("/organisations/<int:organisation_id>/lcpf/consultations/<int:version_id>/attachment")
@permission_required(Permission.RESPOND_TO_LCPF_CONSULTATION)
@with_council
@with_consultation_version
def borough_attachment(council: Organisation, version: LcpfVersion):
    response = consultation.fetch_borough_response(version, council.local_authority_id) or abort(404)
    return _attachment(response)


# Officers


with_version = loads("version", LcpfVersion)


@lcpf_consultation.route("/staff/lcpf/consultations")
@permission_required(Permission.CONSULT_ON_LCPF_FORMULA)
def staff_consultations():
    return render_template(
        "lcpf/consultation/staff_consultations.html",
        versions=consultation.fetch_versions_for_officers(),
        counts=consultation.count_responses(),
    )


@lcpf_consultation.route("/staff/lcpf/versions/<int:version_id>/consultation", methods=["GET", "POST"])
@permission_required(Permission.CONSULT_ON_LCPF_FORMULA)
@with_version
def staff_consultation(version: LcpfVersion):
    today = today_in_london()
    if request.method == "POST":
        form = OpenConsultationForm()
    else:
        form = OpenConsultationForm(formdata=None, closes_on=consultation.default_closing_date(today))
    if request.method == "POST" and form.validate_on_submit():
        try:
            sent = consultation.open_consultation(version, form.closes_on.data, _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(
                f"“{version.title}” is open for consultation until {version.consultation_closes_on:%-d %B %Y}. "
                f"{sent} {'person was' if sent == 1 else 'people were'} emailed at the borough councils.",
                "success",
            )
            return redirect(url_for(".staff_consultation", version_id=version.id))
    sort = "date" if request.args.get("sort") == "date" else "borough"
    responses = consultation.fetch_responses(version, sort) if version.consultation_opens_on else []
    return render_template(
        "lcpf/consultation/staff_consultation.html",
        version=version,
        form=form,
        may_open=version.status is LcpfVersionStatus.DRAFT,
        default_working_days=consultation.CONSULTATION_WORKING_DAYS,
        working_days=(
            working_days_between(version.consultation_opens_on, version.consultation_closes_on)
            if version.consultation_opens_on and version.consultation_closes_on
            else None
        ),
        responses=responses,
        councils=consultation.fetch_consulted_councils(),
        sort=sort,
        is_open=consultation.is_open(version),
    ), (400 if form.errors or form.form_errors else 200)


@lcpf_consultation.route(
    "/staff/lcpf/versions/<int:version_id>/consultation/responses/<int:response_id>", methods=["GET", "POST"]
)
@permission_required(Permission.CONSULT_ON_LCPF_FORMULA)
@with_version
@loads("response", LcpfResponse, within="version", checked=True)
def staff_response(version: LcpfVersion, response: LcpfResponse):
    if request.method == "POST":
        form = ReplyForm()
    else:
        form = ReplyForm(formdata=None, reply=response.officer_reply or "", summary=response.summary or "")
    if request.method == "POST" and form.validate_on_submit():
        try:
            emailed = consultation.reply_to_response(response, form.reply.data, form.summary.data, _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(
                f"Reply saved{' and emailed to ' + response.organisation.name if emailed else ''}.",
                "success",
            )
            return redirect(url_for(".staff_consultation", version_id=version.id))
    return render_template(
        "lcpf/consultation/staff_response.html",
        version=version,
        response=response,
        form=form,
        may_reply=not version.status.is_public,
    ), (400 if form.errors or form.form_errors else 200)


@lcpf_consultation.route("/staff/lcpf/versions/<int:version_id>/consultation/responses/<int:response_id>/attachment")
@permission_required(Permission.CONSULT_ON_LCPF_FORMULA)
@with_version
@loads("response", LcpfResponse, within="version", checked=True)
def staff_attachment(version: LcpfVersion, response: LcpfResponse):
    return _attachment(response)
