"""Publishing a formula version: a confirmation page, then a fresh second factor before it goes public."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.recent import recent_authentication_required
from portal.errors import DomainError
from portal.lcpf import staff, versions
from portal.lcpf.staff_views import lcpf_staff, with_version
from portal.models import LcpfVersion, LcpfVersionStatus
from portal.permissions import Permission, permission_required

PUBLISHABLE = (LcpfVersionStatus.DRAFT, LcpfVersionStatus.CONSULTATION)


def _refuse(version):
    flash(
        f"“{version.title}” is {version.status.label.lower()}: only a draft or a version out for consultation "
        "can be published.",
        "error",
    )
    return redirect(url_for(".version", version_id=version.id))


@lcpf_staff.route("/versions/<int:version_id>/publish")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
@with_version
def confirm_publish(version: LcpfVersion):
    if version.status not in PUBLISHABLE:
        return _refuse(version)
    result = versions.recompute(version)
    return render_template(
        "lcpf/staff/publish.html",
        version=version,
        current=versions.fetch_current_published(),
        changes=staff.changes_against_previous(version, result),
        result=result,
    )


@lcpf_staff.route("/versions/<int:version_id>/publish", methods=["POST"])
@permission_required(Permission.MANAGE_LCPF_FORMULA)
@recent_authentication_required()
@with_version
def publish(version: LcpfVersion):
    if version.status not in PUBLISHABLE:
        return _refuse(version)
    try:
        versions.publish(version, current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".version", version_id=version.id))
    flash(f"“{version.title}” is published on the public formula page.", "success")
    return redirect(url_for(".version", version_id=version.id))
