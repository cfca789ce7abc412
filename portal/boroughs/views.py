from flask import Blueprint, abort, render_template

from portal.boroughs import services
from portal.permissions import Permission, check, permission_required

boroughs = Blueprint("boroughs", __name__, url_prefix="/boroughs")


@boroughs.route("/<gss_code>")
@permission_required(Permission.VIEW_BOROUGH)
def overview(gss_code: str):
    local_authority = services.fetch_local_authority_by_gss(gss_code) or abort(404)
    check(Permission.VIEW_BOROUGH, local_authority)
    return render_template(
        "boroughs/overview.html",
        local_authority=local_authority,
        organisations=services.fetch_organisations_working_in(local_authority),
    )
