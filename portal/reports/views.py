"""Committee reports: officers build and publish them under /staff/reports; anyone downloads the published
ones at /reports. ``flask --app wsgi reports committee`` builds the six-monthly one from cron."""

import io

import click
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.evaluations import report as evaluation_report
from portal.models import ReportRun, ReportStatus
from portal.permissions import Permission, loads, permission_required, public
from portal.reports import content, runs
from portal.reports.forms import ActionForm, RequestReportForm

reports = Blueprint("reports", __name__)

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
PUBLIC_MAX_AGE_SECONDS = 3600


def _download(run: ReportRun, kind: str):
    data = run.xlsx if kind == "xlsx" else run.pdf
    if run.status is not ReportStatus.DONE or data is None:
        abort(404)
    return send_file(
        io.BytesIO(data), mimetype=MEDIA_TYPES[kind], as_attachment=True, download_name=runs.file_name(run, kind)
    )


@reports.route("/staff/reports", methods=["GET", "POST"])
@permission_required(Permission.PRODUCE_REPORTS)
def index():
    periods = content.recent_half_years(runs.london_today())
    form = RequestReportForm.for_periods(periods, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        period = content.HalfYear.from_key(form.period.data)
        run = runs.request_report(period, current_user._get_current_object())
        return redirect(url_for(".run", run_id=run.id))
    return render_template(
        "reports/index.html", form=form, page=runs.fetch_runs_page(request.args.get("page", 1, type=int))
    )


@reports.route("/staff/reports/<int:run_id>")
@permission_required(Permission.PRODUCE_REPORTS)
@loads("run", runs.fetch_run)
def run(run: ReportRun):
    period = runs.period_of(run)
    return render_template(
        "reports/run.html",
        run=run,
        period=period,
        form=ActionForm(),
        evaluations=evaluation_report.lines_for_period(period.start, period.end),
        evaluation_summary=evaluation_report.summary_text,
    )


@reports.route("/staff/reports/<int:run_id>/progress")
@permission_required(Permission.PRODUCE_REPORTS)
@loads("run", runs.fetch_run)
def progress(run: ReportRun):
    response = jsonify(
        status=run.status.value,
        status_label=run.status.label,
        progress=run.progress,
        message=run.message,
        finished=run.status.finished,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@reports.route("/staff/reports/<int:run_id>/download/<any(xlsx, pdf):kind>")
@permission_required(Permission.PRODUCE_REPORTS)
@loads("run", runs.fetch_run)
def download(run: ReportRun, kind: str):
    return _download(run, kind)


@reports.route("/staff/reports/<int:run_id>/publish", methods=["GET", "POST"])
@permission_required(Permission.PUBLISH_REPORTS)
@loads("run", runs.fetch_run)
def publish(run: ReportRun):
    if run.status is not ReportStatus.DONE:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            runs.publish_report(run, current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"The committee report for {runs.period_of(run).label} is published.", "success")
            return redirect(url_for(".run", run_id=run.id))
    return render_template("reports/publish.html", run=run, period=runs.period_of(run), form=form)


@reports.route("/staff/reports/<int:run_id>/unpublish", methods=["POST"])
@permission_required(Permission.PUBLISH_REPORTS)
@loads("run", runs.fetch_run)
def unpublish(run: ReportRun):
    if ActionForm().validate_on_submit():
        runs.unpublish_report(run, current_user._get_current_object())
        flash(f"The committee report for {runs.period_of(run).label} is no longer public.", "success")
    return redirect(url_for(".run", run_id=run.id))


@reports.route("/reports")
@public
def published():
    return render_template("reports/published.html", runs=runs.fetch_published_runs(), period_of=runs.period_of)


@reports.route("/reports/<int:run_id>/<any(xlsx, pdf):kind>")
@public
@loads("run", runs.fetch_published_run, permission=None)
def published_file(run: ReportRun, kind: str):
    response = _download(run, kind)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE_SECONDS}"
    return response


@reports.cli.command("committee")
@click.option("--period", help="The six months to cover, by their first month: 2025-04 or 2025-10")
def committee_command(period: str | None):
    """Build the committee report for the six months just ended. Run it from cron early in April and October."""
    half_year = content.HalfYear.from_key(period) if period else content.HalfYear.last_completed(runs.london_today())
    if half_year is None:
        raise click.ClickException("Give the period by its first month, April or October: for example 2025-10")
    run = runs.request_report(half_year, None)
    click.echo(f"Committee report for {half_year.label}: run {run.id}, {run.status.label.lower()}.")
