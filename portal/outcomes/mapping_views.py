"""Officers' pages for mapping: what is not yet mapped to an outcome, and choosing the outcome of an award's
measure or of a borough's plan project."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.models import AwardStatus, Measure, PlanProject
from portal.outcomes import mapping
from portal.outcomes.forms import mapping_form
from portal.outcomes.views import outcomes
from portal.permissions import Permission, loads, permission_required


def _posted():
    return request.form if request.method == "POST" else None


@outcomes.route("/staff/outcomes/unmapped")
@permission_required(Permission.MANAGE_OUTCOMES)
def unmapped():
    return render_template("outcomes/staff/unmapped.html", unmapped=mapping.fetch_unmapped())


def _mapping_page(subject, current, save, template_args: dict, done: str):
    choices = mapping.current_outcomes()
    form = mapping_form(choices, current, formdata=_posted())
    if form.validate_on_submit():
        try:
            save(form.outcome_id())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"“{template_args['name']}” is mapped to an outcome.", "success")
            return redirect(done)
    return render_template("outcomes/staff/map.html", form=form, outcomes=choices, current=current, **template_args)


@outcomes.route("/staff/outcomes/measures/<int:measure_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("measure", Measure, where=lambda measure: measure.award and measure.award.status is AwardStatus.APPROVED)
def map_measure(measure: Measure):
    award = measure.award
    # Back to the award's page when the officer came from there, otherwise to the list still to do.
    from_award = request.args.get("from") == "award"
    done = url_for("monitoring.award", award_id=award.id) if from_award else url_for(".unmapped")
    return _mapping_page(
        measure,
        mapping.outcome_of_measure(measure.id),
        lambda outcome_id: mapping.map_measure(measure, outcome_id, current_user._get_current_object()),
        {
            "name": measure.name,
            "caption": f"{award.reference} · {award.organisation.name}",
            "what": f"Measure: {measure.name} ({measure.target} {measure.unit} {measure.basis.label})",
            "back": done,
            "back_text": award.reference if from_award else "Not yet mapped",
        },
        done,
    )


@outcomes.route("/staff/outcomes/projects/<int:project_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("project", PlanProject, where=lambda project: project.plan.status in mapping.MAPPED_PLAN_STATUSES)
def map_project(project: PlanProject):
    done = url_for(".unmapped")
    return _mapping_page(
        project,
        mapping.outcome_of_project(project.id),
        lambda outcome_id: mapping.map_project(project, outcome_id, current_user._get_current_object()),
        {
            "name": project.name,
            "caption": f"{project.plan.organisation.name} · London Crime Prevention Fund delivery plan",
            "what": f"Borough project: {project.name}. Its measures count under the outcome you choose.",
            "back": done,
            "back_text": "Not yet mapped",
        },
        done,
    )
