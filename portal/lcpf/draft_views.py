"""Drafting a formula version and changing a draft until it is published."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.lcpf import drafting, formula, staff, versions
from portal.lcpf.staff_views import lcpf_staff, with_version
from portal.models import LcpfVersion, LcpfVersionStatus
from portal.periods import financial_year_start, today_in_london
from portal.permissions import Permission, permission_required


def _form_page(choices, version=None, source=None):
    categories = drafting.fetch_crime_categories()
    categories += sorted(set(choices.category_weights) - set(categories))
    return render_template(
        "lcpf/staff/draft_form.html",
        choices=choices,
        version=version,
        source=source,
        categories=categories,
        measures=formula.DEPRIVATION_MEASURES,
        parts=drafting.POT_PARTS,
    ), (400 if choices.errors or choices.form_errors else 200)


@lcpf_staff.route("/versions/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_LCPF_FORMULA)
def new_draft():
    copied = request.args.get("from", type=int)
    source = (staff.fetch_version(copied) or abort(404)) if copied else versions.fetch_current_published()
    if request.method == "GET":
        return _form_page(drafting.starting_choices(source, financial_year_start(today_in_london()) + 1), source=source)
    choices = drafting.DraftChoices.from_form(request.form, drafting.fetch_crime_categories())
    parameters = choices.parameters()
    if parameters is not None:
        try:
            version = drafting.create(choices, parameters, current_user._get_current_object())
        except DomainError as error:
            choices.form_errors.append(error.message)
        else:
            flash(f"Draft “{version.title}” worked out from the latest imported data.", "success")
            return redirect(url_for(".version", version_id=version.id))
    return _form_page(choices, source=source)


@lcpf_staff.route("/versions/<int:version_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_LCPF_FORMULA)
@with_version
def edit_draft(version: LcpfVersion):
    if version.status is not LcpfVersionStatus.DRAFT:
        flash(drafting.not_a_draft_message(version), "error")
        return redirect(url_for(".version", version_id=version.id))
    if request.method == "GET":
        parameters = formula.Parameters.from_json(version.parameters)
        return _form_page(
            drafting.DraftChoices.from_parameters(version.title, parameters, version.explanation), version=version
        )
    choices = drafting.DraftChoices.from_form(request.form, drafting.fetch_crime_categories())
    parameters = choices.parameters()
    if parameters is not None:
        try:
            drafting.redraft(version, choices, parameters, current_user._get_current_object())
        except DomainError as error:
            choices.form_errors.append(error.message)
        else:
            flash(f"Draft “{version.title}” changed and worked out again from the latest imported data.", "success")
            return redirect(url_for(".version", version_id=version.id))
    return _form_page(choices, version=version)
