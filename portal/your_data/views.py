"""Your data: anyone signed in downloads what the portal holds about them (/account/your-data); administrators
find everything about a person by email and export it for a subject access request (/staff/subject-access)."""

import io

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.database import utcnow
from portal.errors import DomainError
from portal.models import PersonalDataExport
from portal.permissions import Permission, loads, permission_required
from portal.your_data import collect, services
from portal.your_data.forms import AskForYourDataForm, FindPersonForm, SubjectAccessForm

your_data = Blueprint("your_data", __name__)


# The signed-in person's own download; anyone else's, or a subject access export, does not exist for them.
with_own_export = loads(
    "export",
    services.fetch_export,
    where=lambda export: not export.subject_access,
    hidden_unless=Permission.DOWNLOAD_YOUR_DATA,
)
# An administrator's subject access export; a person's own download does not exist here.
with_requested_export = loads(
    "export",
    services.fetch_export,
    where=lambda export: export.subject_access,
    hidden_unless=Permission.HANDLE_SUBJECT_ACCESS,
)


def _progress(export: PersonalDataExport):
    status = export.status_at(utcnow())
    response = jsonify(
        status=status.value,
        status_label=status.label,
        progress=export.progress,
        message=export.message,
        finished=not status.in_hand,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(export: PersonalDataExport):
    try:
        data = services.record_download(export, current_user._get_current_object())
    except DomainError:
        abort(404)
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=services.file_name(export)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_page(template: str, export: PersonalDataExport, **context):
    return render_template(
        template,
        export=export,
        status=export.status_at(utcnow()),
        stuck=services.is_stuck(export),
        **context,
    )


@your_data.route("/account/your-data", methods=["GET", "POST"])
@permission_required(Permission.DOWNLOAD_YOUR_DATA)
def index():
    form = AskForYourDataForm()
    if form.validate_on_submit():
        export = services.request_own_export(current_user._get_current_object())
        return redirect(url_for(".export", export_id=export.id))
    return render_template(
        "your_data/index.html",
        form=form,
        exports=services.fetch_own_exports(current_user),
        now=utcnow(),
        days=services.download_days(),
    )


@your_data.route("/account/your-data/<int:export_id>")
@permission_required(Permission.DOWNLOAD_YOUR_DATA)
@with_own_export
def export(export: PersonalDataExport):
    return _export_page("your_data/export.html", export, form=AskForYourDataForm())


@your_data.route("/account/your-data/<int:export_id>/progress")
@permission_required(Permission.DOWNLOAD_YOUR_DATA)
@with_own_export
def progress(export: PersonalDataExport):
    return _progress(export)


@your_data.route("/account/your-data/<int:export_id>/download")
@permission_required(Permission.DOWNLOAD_YOUR_DATA)
@with_own_export
def download(export: PersonalDataExport):
    return _download(export)


@your_data.route("/staff/subject-access")
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
def subject_access():
    search = FindPersonForm(formdata=request.args if "email" in request.args else None)
    found = sections = None
    if "email" in request.args and search.validate():
        found = collect.find_subject(search.email.data, search.name.data)
        sections = collect.collect(found)
    return _subject_access_page(search, found, sections, SubjectAccessForm(formdata=None, data=_hidden(search)))


def _hidden(search: FindPersonForm) -> dict:
    return {"email": search.email.data, "name": search.name.data}


def _subject_access_page(search, found, sections, form, status: int = 200):
    return (
        render_template(
            "your_data/subject_access.html",
            search=search,
            found=found,
            sections=sections,
            form=form,
            page=services.fetch_subject_access_exports(request.args.get("page", 1, type=int)),
            now=utcnow(),
        ),
        status,
    )


@your_data.route("/staff/subject-access", methods=["POST"])
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
def request_subject_access():
    form = SubjectAccessForm()
    search = FindPersonForm(formdata=MultiDict({"email": form.email.data or "", "name": form.name.data or ""}))
    if not search.validate():
        abort(400)  # the hidden fields come from the search page: only a hand-made request gets here
    if form.validate_on_submit():
        try:
            export = services.request_subject_access_export(
                current_user._get_current_object(),
                search.email.data,
                name=search.name.data,
                reference=form.reference.data,
                reason=form.reason.data,
            )
        except DomainError as error:
            form.show_error(error)
        else:
            return redirect(url_for(".subject_access_export", export_id=export.id))
    found = collect.find_subject(search.email.data, search.name.data)
    return _subject_access_page(search, found, collect.collect(found), form, status=400)


@your_data.route("/staff/subject-access/<int:export_id>")
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
@with_requested_export
def subject_access_export(export: PersonalDataExport):
    return _export_page("your_data/subject_access_export.html", export)


@your_data.route("/staff/subject-access/<int:export_id>/progress")
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
@with_requested_export
def subject_access_progress(export: PersonalDataExport):
    return _progress(export)


@your_data.route("/staff/subject-access/<int:export_id>/download")
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
@with_requested_export
def subject_access_download(export: PersonalDataExport):
    return _download(export)


@your_data.route("/staff/subject-access/<int:export_id>/restart", methods=["POST"])
@permission_required(Permission.HANDLE_SUBJECT_ACCESS)
@with_requested_export
def restart_subject_access_export(export: PersonalDataExport):
    if AskForYourDataForm().validate_on_submit():
        services.restart_export(export)
    return redirect(url_for(".subject_access_export", export_id=export.id))
