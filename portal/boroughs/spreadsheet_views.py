"""The council's spreadsheet pages: download a quarter's template, and upload it back filled in."""

from datetime import date

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.boroughs import returns as plan_returns
from portal.boroughs import uploads
from portal.boroughs.forms import UploadForm
from portal.boroughs.plan_views import plans, with_council, with_council_plan
from portal.boroughs.spreadsheet import Problem, UploadRefused, build_template, upload_returns
from portal.errors import DomainError
from portal.forms import choices
from portal.models import DeliveryPlan, Organisation, ReturnsUpload
from portal.monitoring.returns import today
from portal.permissions import Permission, loads, permission_required

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
@with_council
@with_council_plan
def returns_template(council: Organisation, plan: DeliveryPlan):
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
@with_council
@with_council_plan
def upload(council: Organisation, plan: DeliveryPlan):
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
                        url_for(".returns_upload", organisation_id=council.id, plan_id=plan.id, upload_id=upload.id)
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
                return redirect(url_for(".borough_returns", organisation_id=council.id, plan_id=plan.id))
    return render_template("boroughs/upload.html", plan=plan, form=form, quarters=quarters, problems=problems)


with_upload = loads("upload", ReturnsUpload, within="plan")


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/uploads/<int:upload_id>")
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
@with_upload
def returns_upload(council: Organisation, plan: DeliveryPlan, upload: ReturnsUpload):
    quarter = dict(open_quarters(upload.plan)).get(upload.period_start)
    problems = [Problem(*problem) for problem in upload.problems or []]
    return render_template(
        "boroughs/upload_status.html", upload=upload, plan=upload.plan, quarter=quarter, problems=problems
    )


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/uploads/<int:upload_id>/progress"
)
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
@with_upload
def returns_upload_progress(council: Organisation, plan: DeliveryPlan, upload: ReturnsUpload):
    response = jsonify(
        status=upload.status.value,
        status_label=upload.status.label,
        progress=upload.progress,
        message=upload.message,
        finished=upload.status.finished,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
