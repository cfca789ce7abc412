"""Open data, for everyone and without an account: the /data page and files, and the Open Referral UK API."""

import re

from flask import Blueprint, Response, abort, jsonify, render_template, request

from portal import page_cache
from portal.directory.postcodes import district_of
from portal.errors import DomainError
from portal.opendata import files, openreferral
from portal.opendata.openreferral_contacts import boroughs_by_code
from portal.opendata.openreferral_contacts import district_boroughs as district_boroughs_of
from portal.permissions import public

opendata = Blueprint("opendata", __name__, url_prefix="/data")
api = Blueprint("openreferral", __name__, url_prefix="/openreferral")


def _allow_any_origin(response: Response) -> Response:
    # Open data: any website may read it from the browser. Nothing here depends on cookies or a signed-in user.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# How long a visitor is asked to wait while the first files are made.
PREPARING_RETRY_SECONDS = 60
CHUNK_BYTES = 64 * 1024


@opendata.route("")
@public
def index():
    stored = files.fetch_files()
    if not stored:
        files.request_regeneration()
    return render_template("opendata/index.html", files=stored, names=files, preparing=not stored)


def _preparing() -> Response:
    files.request_regeneration()
    response = Response(render_template("opendata/preparing.html"), status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    response.cache_control.no_store = True
    return response


def _chunks(data: bytes):
    view = memoryview(data)
    for start in range(0, len(view), CHUNK_BYTES):
        yield bytes(view[start : start + CHUNK_BYTES])


def _serve(name: str, download_name: str, *, attachment: bool = False) -> Response:
    """A stored file, from its bytes alone: a conditional request that matches is answered 304 without reading
    them, a client that accepts gzip gets the gzipped copy, and the bytes go out in pieces."""
    file = files.fetch_file(name)
    if file is None:
        return _preparing() if not files.fetch_files() else abort(404)
    tag = f"{file.name}-{file.fingerprint}"
    gzipped = "gzip" in request.accept_encodings
    etag = f"{tag}-gzip" if gzipped else tag
    response = Response(status=200, content_type=f"{file.content_type}; charset=utf-8")
    response.last_modified = file.generated_at
    response.headers["X-Generated-At"] = file.generated_at.isoformat(timespec="seconds")
    response.set_etag(etag)
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.no_cache = True  # always revalidate: the file changes when an award is approved
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{download_name}"'
    _allow_any_origin(response)
    since = request.if_modified_since
    if request.if_none_match.contains(etag) or (
        not request.if_none_match and since is not None and since >= file.generated_at.replace(microsecond=0)
    ):
        response.status_code = 304
        return response
    data = files.read_body(name, gzipped=gzipped)
    if data is None:  # stored before gzipped copies were kept
        gzipped, data = False, files.read_body(name, gzipped=False)
        response.set_etag(tag)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.content_length = len(data)
    response.response = _chunks(data)  # streamed: never copied into the shared page cache
    page_cache.let_front_hold()  # but held whole by each web process until a change is published
    return response


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
    if not raw.isdecimal() or int(raw) < 1:
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


_GSS = re.compile(r"^E0[69][0-9]{6}$")
SEARCH_MAX = 200


def _paging() -> tuple[int, int]:
    return (
        _whole_number("page", 1),
        _whole_number("per_page", openreferral.DEFAULT_PER_PAGE, openreferral.MAX_PER_PAGE),
    )


def _filters(*, postcode: bool = False) -> openreferral.Filters | None:
    """The filters asked for, or None when a postcode is in a district we do not know (nothing there is served).
    Anything that cannot be read is refused with a 400 and the reason."""
    search = request.args.get("search", "").strip()
    if len(search) > SEARCH_MAX:
        raise BadRequest(f"search must be {SEARCH_MAX} characters or fewer")
    borough = request.args.get("borough", "").strip().upper()
    if borough and (not _GSS.match(borough) or borough not in boroughs_by_code()):
        raise BadRequest("borough must be the GSS code of a London borough, like E09000028 for Southwark")
    district, district_boroughs = "", ()
    typed = request.args.get("postcode", "").strip() if postcode else ""
    if typed:
        try:
            district = district_of(typed)
        except DomainError:
            raise BadRequest("postcode must be a UK postcode or postcode district, like SE15 4AB or SE15") from None
        found = district_boroughs_of(district)
        if found is None:
            return None
        district_boroughs = tuple(found)
    return openreferral.Filters(
        search=search,
        taxonomy_term=request.args.get("taxonomy_term_id", "").strip(),
        taxonomy=request.args.get("taxonomy_id", "").strip(),
        organization=request.args.get("organization_id", "").strip(),
        borough=borough,
        district=district,
        district_boroughs=district_boroughs,
    )


@api.route("/services")
@public
def services():
    page, per_page = _paging()
    return jsonify(openreferral.services_page(page, per_page, _filters()).as_json())


@api.route("/service_at_locations")
@public
def service_at_locations():
    page, per_page = _paging()
    filters = _filters(postcode=True)
    if filters is None:
        return jsonify(openreferral.Page([], 0, page, per_page).as_json())
    return jsonify(openreferral.service_at_locations_page(page, per_page, filters).as_json())


@api.route("/service_at_locations/<uuid:link_id>")
@public
def service_at_location(link_id):
    record = openreferral.service_at_location(str(link_id))
    return jsonify(record) if record else _not_found("service at a location")


@api.route("/taxonomies")
@public
def taxonomies():
    return jsonify(openreferral.taxonomies_page(*_paging()).as_json())


@api.route("/taxonomies/<uuid:taxonomy_id>")
@public
def taxonomy(taxonomy_id):
    record = openreferral.taxonomy(str(taxonomy_id))
    return jsonify(record) if record else _not_found("taxonomy")


@api.route("/taxonomy_terms")
@public
def taxonomy_terms():
    page, per_page = _paging()
    return jsonify(
        openreferral.taxonomy_terms_page(page, per_page, request.args.get("taxonomy_id", "").strip()).as_json()
    )


@api.route("/taxonomy_terms/<uuid:term_id>")
@public
def taxonomy_term(term_id):
    record = openreferral.taxonomy_term_by_id(str(term_id))
    return jsonify(record) if record else _not_found("taxonomy term")


@api.route("/services/<uuid:service_id>")
@public
def service(service_id):
    record = openreferral.service(str(service_id))
    return jsonify(record) if record else _not_found("service")


@api.route("/organizations")
@public
def organizations():
    page = openreferral.organizations_page(*_paging())
    return jsonify(page.as_json())


@api.route("/organizations/<uuid:organization_id>")
@public
def organization(organization_id):
    record = openreferral.organization(str(organization_id))
    return jsonify(record) if record else _not_found("organisation")
