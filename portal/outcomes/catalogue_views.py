"""Officers' pages for the commissioning catalogue: every service's entry, and writing and publishing one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.directory import published
from portal.errors import DomainError
from portal.models import Award
from portal.outcomes import catalogue
from portal.outcomes.forms import ActionForm, catalogue_form
from portal.outcomes.views import outcomes
from portal.permissions import Permission, loads, permission_required


@outcomes.route("/staff/outcomes/catalogue")
@permission_required(Permission.MANAGE_OUTCOMES)
def catalogue_list():
    return render_template("outcomes/staff/catalogue.html", services=catalogue.fetch_catalogue())


@outcomes.route("/staff/outcomes/catalogue/<int:award_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("award", published.public_award)
def catalogue_entry(award: Award):
    entry = catalogue.fetch_entry(award.id)
    form = catalogue_form(entry, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        version = form.version.data or ""
        details = catalogue.EntryDetails(
            version=int(version) if version.isdecimal() else None,
            purpose=form.purpose.data or "",
            need=form.need.data or "",
            evidence=form.evidence.data or "",
            measurement=form.measurement.data or "",
        )
        try:
            catalogue.save_draft(award, details, current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The draft is saved. The public sees it once you publish it.", "success")
            return redirect(url_for(".catalogue_entry", award_id=award.id))
    return render_template(
        "outcomes/staff/catalogue_entry.html",
        award=award,
        entry=entry,
        form=form,
        action_form=ActionForm(formdata=None),
        sought=catalogue.sought_outcomes([award.id])[award.id],
    )


@outcomes.route("/staff/outcomes/catalogue/<int:award_id>/publish", methods=["POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("award", published.public_award)
def publish_catalogue_entry(award: Award):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        catalogue.publish_entry(award, current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("The entry is published on the service's public page and in its Open Referral record.", "success")
    return redirect(url_for(".catalogue_entry", award_id=award.id))
