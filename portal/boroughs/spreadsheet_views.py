"""The council's spreadsheet pages: download a quarter's template, and upload it back filled in."""

from datetime import date

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.boroughs import returns as plan_returns
from portal.boroughs import uploads
from portal.boroughs.forms import UploadForm
from portal.boroughs.plan_views import load_council_plan, plans
from portal.boroughs.spreadsheet import Problem, UploadRefused, build_template, upload_returns
from portal.errors import DomainError
from portal.forms import choices
from portal.monitoring.returns import today
from portal.permissions import Permission, permission_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_quarters(plan) -> list[tuple[date, str]]:
    """Quarters that have begun and still have a return the borough can fill in, newest first."""
    quarters = {}
    for return_ in plan_returns.fetch_plan_returns(plan):
        if return_.period_start <= today() and return_.status.editable:
            quarters[return_.period_start] = return_.label
    return sorted(quarters.items(), reverse=True)


def _quarter(plan, text: str | None) -> date | None:
    try:
        chosen = date.fromisoformat(text or "")
    except ValueError:
        return None
    return chosen if chosen in dict(open_quarters(plan)) else None


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/template")
@permission_required(Permission.EDIT_DELIVERY_PLAN)
def returns_template(organisation_id: int, plan_id: int):
    plan = load_council_plan(organisation_id, plan_id, Permission.EDIT_DELIVERY_PLAN)
    quarter = _quarter(plan, request.args.get("quarter")) or abort(404)
    label = dict(open_quarters(plan))[quarter].replace(" ", "-").replace("/", "-")
    return Response(
        build_template(plan, quarter),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="lcpf-returns-{label}.xlsx"'},
    )


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/upload", methods=["GET", "POST"]
)
@permission_required(Permission.EDIT_DELIVERY_PLAN)
def upload(organisation_id: int, plan_id: int):
    plan = load_council_plan(organisation_id, plan_id, Permission.EDIT_DELIVERY_PLAN)
    quarters = open_quarters(plan)
    form = UploadForm()
    form.quarter.choices = choices((start.isoformat(), label) for start, label in quarters)
    problems = []
    if form.validate_on_submit():
        quarter = _quarter(plan, form.quarter.data)
        file = form.spreadsheet.data
        if quarter is None:
            form.show_error(DomainError("Select the quarter the file is for", "quarter"))
        elif not file or not file.filename:
            form.show_error(DomainError("Select the spreadsheet to upload", "spreadsheet"))
        else:
            data, actor = file.read(), current_user._get_current_object()
            try:
                if uploads.checked_in_background(data):
                    upload = uploads.queue_upload(plan, quarter, file.filename, data, actor)
                    return redirect(
                        url_for(
                            ".returns_upload", organisation_id=organisation_id, plan_id=plan.id, upload_id=upload.id
                        )
                    )
                saved = upload_returns(plan, quarter, file.filename, data, actor)
            except UploadRefused as refused:
                problems = refused.problems
                form.show_error(DomainError(refused.message, "spreadsheet"))
            except DomainError as error:
                form.show_error(error)
            else:
                flash(
                    f"{saved} {'return' if saved == 1 else 'returns'} saved from the file. Check and submit each one.",
                    "success",
                )
                return redirect(url_for(".borough_returns", organisation_id=organisation_id, plan_id=plan.id))
    return render_template("boroughs/upload.html", plan=plan, form=form, quarters=quarters, problems=problems)


def load_upload(organisation_id: int, plan_id: int, upload_id: int):
    plan = load_council_plan(organisation_id, plan_id, Permission.EDIT_DELIVERY_PLAN)
    return uploads.fetch_upload(plan, upload_id) or abort(404)


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/uploads/<int:upload_id>")
@permission_required(Permission.EDIT_DELIVERY_PLAN)
def returns_upload(organisation_id: int, plan_id: int, upload_id: int):
    upload = load_upload(organisation_id, plan_id, upload_id)
    quarter = dict(open_quarters(upload.plan)).get(upload.period_start)
    problems = [Problem(*problem) for problem in upload.problems or []]
    return render_template(
        "boroughs/upload_status.html", upload=upload, plan=upload.plan, quarter=quarter, problems=problems
    )


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/uploads/<int:upload_id>/progress"
)
@permission_required(Permission.EDIT_DELIVERY_PLAN)
def returns_upload_progress(organisation_id: int, plan_id: int, upload_id: int):
    upload = load_upload(organisation_id, plan_id, upload_id)
    response = jsonify(
        status=upload.status.value,
        status_label=upload.status.label,
        progress=upload.progress,
        message=upload.message,
        finished=upload.status.finished,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
