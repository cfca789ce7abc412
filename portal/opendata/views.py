"""Open data, for everyone and without an account: the /data page and files, and the Open Referral UK API."""

from flask import Blueprint, Response, abort, jsonify, render_template, request

from portal.opendata import files, openreferral
from portal.permissions import public

opendata = Blueprint("opendata", __name__, url_prefix="/data")
api = Blueprint("openreferral", __name__, url_prefix="/openreferral")


def _allow_any_origin(response: Response) -> Response:
    # Open data: any website may read it from the browser. Nothing here depends on cookies or a signed-in user.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@opendata.route("")
@public
def index():
    stored = files.fetch_files()
    if not stored:
        files.regenerate()
        stored = files.fetch_files()
    return render_template("opendata/index.html", files=stored, names=files)


def _serve(name: str, download_name: str, *, attachment: bool = False) -> Response:
    file = files.file_or_generate(name)
    if file is None:
        abort(404)
    response = Response(file.body, content_type=f"{file.content_type}; charset=utf-8")
    response.last_modified = file.generated_at
    response.headers["X-Generated-At"] = file.generated_at.isoformat(timespec="seconds")
    response.set_etag(f"{file.name}-{file.fingerprint}")
    response.cache_control.public = True
    response.cache_control.no_cache = True  # always revalidate: the file changes when an award is approved
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{download_name}"'
    _allow_any_origin(response)
    return response.make_conditional(request)


@opendata.route("/360giving.json")
@public
def threesixty_json():
    return _serve(files.THREESIXTY_JSON, "mopac-grants-360giving.json")


@opendata.route("/360giving.csv")
@public
def threesixty_csv():
    return _serve(files.THREESIXTY_CSV, "mopac-grants-360giving.csv", attachment=True)


@opendata.route("/performance.csv")
@public
def performance_csv():
    return _serve(files.PERFORMANCE_CSV, "mopac-grants-performance.csv", attachment=True)


# Open Referral UK -----------------------------------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, message: str):
        self.message = message


@api.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return _allow_any_origin(jsonify({"error": error.message})), 400


@api.after_request
def _cors(response: Response) -> Response:
    return _allow_any_origin(response)


def _whole_number(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"{name} must be a whole number, 1 or more")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadRequest(f"{name} must be {maximum} or less")
    return value


def _not_found(what: str):
    return jsonify({"error": f"No {what} with that id is published"}), 404


@api.route("/")
@public
def meta():
    return jsonify(openreferral.api_meta())


@api.route("/services")
@public
def services():
    page = openreferral.services_page(
        _whole_number("page", 1),
        _whole_number("per_page", openreferral.DEFAULT_PER_PAGE, openreferral.MAX_PER_PAGE),
        search=request.args.get("search", "").strip(),
        taxonomy_term=request.args.get("taxonomy_term_id", "").strip(),
        organization=request.args.get("organization_id", "").strip(),
    )
    return jsonify(page.as_json())


@api.route("/services/<uuid:service_id>")
@public
def service(service_id):
    record = openreferral.service(str(service_id))
    return jsonify(record) if record else _not_found("service")


@api.route("/organizations")
@public
def organizations():
    page = openreferral.organizations_page(
        _whole_number("page", 1),
        _whole_number("per_page", openreferral.DEFAULT_PER_PAGE, openreferral.MAX_PER_PAGE),
    )
    return jsonify(page.as_json())


@api.route("/organizations/<uuid:organization_id>")
@public
def organization(organization_id):
    record = openreferral.organization(str(organization_id))
    return jsonify(record) if record else _not_found("organisation")
