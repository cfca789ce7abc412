"""The provider's page for a funded service's public contact details, and the officers' approval queue."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.awards.scoped import with_organisation_award
from portal.errors import DomainError
from portal.models import Award, ServiceContact
from portal.permissions import Permission, loads, permission_required
from portal.service_contacts import services
from portal.service_contacts.forms import ApproveForm, ContactForm, ReturnForm

service_contacts = Blueprint("service_contacts", __name__)


@service_contacts.route(
    "/organisations/<int:organisation_id>/awards/<int:award_id>/contact-details", methods=["GET", "POST"]
)
@permission_required(Permission.EDIT_ORGANISATION)
@with_organisation_award
def edit(award: Award):
    working = services.working_copy(award)
    published = services.published_copy(award.id)
    form = ContactForm()
    form.set_borough_choices(services.boroughs_for(award))
    if request.method == "GET":
        form.fill(services.details_of(working or published))
    locked = working is not None and working.status.value == "submitted"
    if not locked and services.can_keep(award) and form.validate_on_submit():
        try:
            services.save(award, form.details(), current_user, send=bool(form.send.data))
        except DomainError as error:
            form.show_error(error)
        else:
            if form.send.data:
                flash("Your contact details have been sent for approval. They are public once approved.", "success")
            else:
                flash("Your draft has been saved. Send it for approval when it is ready.", "success")
            return redirect(url_for(".edit", organisation_id=award.organisation_id, award_id=award.id))
    return render_template(
        "service_contacts/edit.html",
        award=award,
        form=form,
        working=working,
        published=published,
        locked=locked,
        editable=services.can_keep(award),
        boroughs=services.boroughs_named,
    )


@service_contacts.route("/staff/service-contacts")
@permission_required(Permission.APPROVE_AWARDS)
def queue():
    return render_template("service_contacts/queue.html", contacts=services.waiting())


@service_contacts.route("/staff/service-contacts/<int:contact_id>", methods=["GET", "POST"])
@permission_required(Permission.APPROVE_AWARDS)
@loads("contact", services.fetch_contact)
def review(contact: ServiceContact):
    approve_form, return_form = ApproveForm(prefix="approve"), ReturnForm(prefix="return")
    if request.method == "POST":
        try:
            if approve_form.approve.data and approve_form.validate_on_submit():
                services.approve(contact.id, current_user)
                flash(f"The contact details of {contact.award.title} are published.", "success")
                return redirect(url_for(".queue"))
            if return_form.send_back.data and return_form.validate_on_submit():
                services.return_to_provider(contact.id, return_form.reason.data or "", current_user)
                flash(f"The contact details of {contact.award.title} have been returned to the provider.", "success")
                return redirect(url_for(".queue"))
        except DomainError as error:
            (return_form if error.field == "reason" else approve_form).show_error(error)
    return render_template(
        "service_contacts/review.html",
        contact=contact,
        published=services.published_copy(contact.award_id) if not contact.published else None,
        approve_form=approve_form,
        return_form=return_form,
        boroughs=services.boroughs_named,
    ), (400 if approve_form.errors or return_form.errors or approve_form.form_errors else 200)
