"""Importing the formula's data through the officers' upload page: the same checks and report as the CLI."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput
from wtforms import RadioField

from portal.errors import DomainError
from portal.forms import PortalForm, choices, submit
from portal.lcpf import imports, staff
from portal.lcpf.staff_views import lcpf_staff
from portal.models import LcpfImport, LcpfImportKind
from portal.permissions import Permission, loads, permission_required

MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORTERS = {
    LcpfImportKind.CRIME: imports.import_crime,
    LcpfImportKind.POPULATION: imports.import_population,
    LcpfImportKind.DEPRIVATION: imports.import_deprivation,
}
KIND_LABELS = (
    (
        LcpfImportKind.CRIME.value,
        "Recorded crime: the MPS layout (MajorText, MinorText, BoroughName, then a column a month) "
        "or the tidy layout (borough, gss_code, year, category, count)",
    ),
    (LcpfImportKind.POPULATION.value, "Population: residents by borough (GSS code and residents)"),
    (LcpfImportKind.DEPRIVATION.value, "Deprivation: an Indices of Deprivation local-authority summary"),
)


class ImportForm(PortalForm):
    kind = RadioField(
        "What the file holds", choices=choices(KIND_LABELS), widget=GovRadioInput(), validate_choice=False
    )
    data_file = FileField("The file", description="A CSV file (.csv), smaller than 10 MB.", widget=GovFileInput())
    submit = submit("Check and import")


def _read_upload(form: ImportForm) -> tuple[LcpfImportKind, str, bytes] | None:
    """The kind, file name and content, or None with the problem shown beside its field."""
    kind = next((k for k in LcpfImportKind if k.value == form.kind.data), None)
    upload = form.data_file.data
    if kind is None:
        form.show_error(DomainError("Select what the file holds", "kind"))
    if not upload or not upload.filename:
        form.show_error(DomainError("Select the file to import", "data_file"))
        return None
    content = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if not upload.filename.lower().endswith(".csv"):
        form.show_error(DomainError("The file must be a CSV file (.csv): save a spreadsheet as CSV first", "data_file"))
    elif len(content) > MAX_IMPORT_BYTES:
        form.show_error(DomainError("The file must be smaller than 10 MB", "data_file"))
    elif not content.strip():
        form.show_error(DomainError("The file is empty", "data_file"))
    filename = "".join(character for character in upload.filename if character.isprintable())[-255:]
    return None if kind is None or form.errors else (kind, filename, content)


@lcpf_staff.route("/imports", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_LCPF_FORMULA)
def imports_page():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = _read_upload(form)
        if upload is not None:
            kind, filename, content = upload
            try:
                report = IMPORTERS[kind](content, filename, current_user._get_current_object())
            except imports.ImportRefused as refused:
                problems = refused.report.problems
                form.show_error(DomainError(refused.message + ". Nothing was imported.", "data_file"))
            else:
                flash(f"{filename} imported.", "success")
                return redirect(url_for(".import_report", import_id=report.import_id))
    page = staff.fetch_imports(request.args.get("page", 1, type=int))
    return render_template("lcpf/staff/imports.html", form=form, problems=problems, imports_page=page), (
        400 if form.errors else 200
    )


@lcpf_staff.route("/imports/<int:import_id>")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
# Imports belong to no organisation or borough: the route's permission is the whole check.
@loads("record", staff.fetch_import, parameter="import_id", permission=None)
def import_report(record: LcpfImport):
    return render_template("lcpf/staff/import_report.html", record=record)
