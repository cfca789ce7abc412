"""Officers' formula pages: every version, one version with every borough's workings, and publishing a draft."""

from flask import Blueprint, render_template, request

from portal.lcpf import consultation, formula, public, staff, versions
from portal.models import LcpfVersion
from portal.permissions import Permission, loads, permission_required

lcpf_staff = Blueprint("lcpf_staff", __name__, url_prefix="/staff/lcpf")


# A version of the formula, for the officers who keep it.
with_version = loads("version", staff.fetch_version)


@lcpf_staff.route("/versions")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
def versions_list():
    return render_template(
        "lcpf/staff/versions.html",
        grouped=staff.fetch_versions_by_status(),
        published=versions.fetch_current_published(),
    )


@lcpf_staff.route("/versions/<int:version_id>")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
@with_version
def version(version: LcpfVersion):
    result = versions.recompute(version)
    years = [year.pot.financial_year for year in result.years]
    chosen = request.args.get("year", type=int)
    year = result.year(chosen) if chosen in years else result.years[0]
    return render_template(
        "lcpf/staff/version.html",
        version=version,
        result=result,
        parameters=result.parameters,
        year=year,
        changes=staff.changes_against_previous(version, result),
        imports=public.imports_used(version),
        deprivation_label=formula.DEPRIVATION_MEASURES[result.parameters.deprivation_measure],
        consultation_panel=consultation.staff_panel(version),
    )


from portal.lcpf import compare_views, draft_views, import_views, publish_views  # noqa: E402, F401  (routes on this blueprint)
