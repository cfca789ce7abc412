"""The funded organisation's pages: its awards, each award's returns and ratings, and the return form."""

from flask import render_template, request, url_for
from flask_login import current_user

from portal.awards.scoped import with_organisation_award
from portal.dialogue import queries as dialogue_queries
from portal.models import Award, Organisation, Return
from portal.monitoring import queries
from portal.monitoring.forms import return_form
from portal.monitoring.returns import today
from portal.monitoring.review import may_fill_in
from portal.monitoring.review_views import save_return_from_form
from portal.monitoring.views import monitoring, with_award_return
from portal.permissions import Permission, can, check, loads, permission_required


@monitoring.route("/organisations/<int:organisation_id>/awards")
@permission_required(Permission.VIEW_AWARD)
@loads("organisation", queries.fetch_organisation)
def organisation_awards(organisation: Organisation):
    return render_template(
        "monitoring/organisation_awards.html",
        organisation=organisation,
        awards=queries.fetch_organisation_awards(organisation),
    )


@monitoring.route("/organisations/<int:organisation_id>/awards/<int:award_id>")
@permission_required(Permission.VIEW_AWARD)
@with_organisation_award
def organisation_award(award: Award):
    return render_template(
        "monitoring/organisation_award.html",
        award=award,
        measures=queries.fetch_measures(award),
        returns=queries.fetch_returns(award),
        records=queries.fetch_records(award),
        follow_ups=dialogue_queries.fetch_award_follow_ups(award),
        threads=dialogue_queries.fetch_award_threads(award),
        today=today(),
    )


@monitoring.route(
    "/organisations/<int:organisation_id>/awards/<int:award_id>/returns/<int:return_id>", methods=["GET", "POST"]
)
@permission_required(Permission.VIEW_AWARD)
@with_organisation_award
@with_award_return
def organisation_return(award: Award, return_: Return):
    measures = queries.fetch_measures(award)
    may_edit = may_fill_in(return_, today()) and can(current_user, Permission.EDIT_RETURN, award)
    form = return_form(return_, measures, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        check(Permission.EDIT_RETURN, award)
        done = url_for(".organisation_award", organisation_id=award.organisation_id, award_id=award.id)
        if saved := save_return_from_form(return_, form, measures, name=f"Return {return_.label}", submitted_url=done):
            return saved
    return render_template(
        "monitoring/return_form.html",
        award=award,
        return_=return_,
        measures=measures,
        form=form,
        may_edit=may_edit,
        record=queries.fetch_records(award).get(return_.id),
        today=today(),
    )
