"""The shipped 360Giving and Open Referral UK schemas, and validators for them. Nothing is fetched at run time:
the 360Giving package schema's remote reference to the grant schema is mapped to the local copy."""

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent / "schemas"
THREESIXTY = SCHEMAS / "360giving"
OPEN_REFERRAL = SCHEMAS / "openreferral_uk"

# The package schema (1.4.3) still refers to the 1.4.2 address of the grant schema, whose own $id is 1.4.3.
GRANT_SCHEMA_ADDRESSES = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
)

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))  # raises ValueError for 2025-13-45
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(_SCHEME.match(parts.scheme or "")) and not any(c.isspace() for c in value)


def _format_checker() -> FormatChecker:
    """Draft 2020-12's checkers plus date-time and uri, which jsonschema only checks with optional libraries.

    360Giving dates are ``oneOf`` a date-time or a plain date: without a date-time check a plain date would match
    both branches and fail, so validating without one gives wrong answers."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("uri", raises=ValueError)(_is_uri)
    return checker


FORMAT_CHECKER = _format_checker()


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def threesixty_registry() -> Registry:
    grant = DRAFT202012.create_resource(_load(THREESIXTY / "360-giving-schema.json"))
    return Registry().with_resources((address, grant) for address in GRANT_SCHEMA_ADDRESSES)


@cache
def threesixty_package_schema() -> dict:
    return _load(THREESIXTY / "360-giving-package-schema.json")


@cache
def threesixty_validator() -> Draft202012Validator:
    return Draft202012Validator(
        threesixty_package_schema(), registry=threesixty_registry(), format_checker=FORMAT_CHECKER
    )


@cache
def threesixty_grant_validator() -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": GRANT_SCHEMA_ADDRESSES[-1]}, registry=threesixty_registry(), format_checker=FORMAT_CHECKER
    )


def threesixty_package_errors(package: dict) -> list[str]:
    """The same answer as validating the whole package, in time that grows with the number of grants.

    The package schema asks for ``uniqueItems`` on the grants, which jsonschema checks by comparing every pair of
    grants: minutes for London's grants at ten times their volume. Grants with distinct ids are distinct items, so
    this checks the envelope with one grant, each grant on its own, and that no two grants share an id."""
    grants = package.get("grants")
    if not isinstance(grants, list) or not grants:
        return errors(threesixty_validator(), package)
    problems = errors(threesixty_validator(), {**package, "grants": grants[:1]})
    grant_validator = threesixty_grant_validator()
    for index, grant in enumerate(grants[1:], start=1):
        problems += [f"grants/{index}/{problem}".replace("/(root)", "") for problem in errors(grant_validator, grant)]
    seen: set = set()
    for index, grant in enumerate(grants):
        grant_id = grant.get("id") if isinstance(grant, dict) else None
        if grant_id in seen:
            problems.append(f"grants/{index}/id: {grant_id!r} is used by another grant")
        seen.add(grant_id)
    return problems


OPEN_REFERRAL_SCHEMAS = {
    "service",
    "service_list",
    "organization",
    "organization_list",
    "service_at_location_list",
    "taxonomy",
    "taxonomy_term",
}
# Where openapi.json says the UK profile's schemas live: ``taxonomy.json`` refers to ``taxonomy_term.json`` by a
# relative address, resolved against this one to the local copy.
OPEN_REFERRAL_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"

# Fields HSDS 3.0 defines that the UK profile's compiled schemas leave out, and that the portal publishes because
# the profile has nowhere else for them (see :mod:`portal.opendata.openreferral_contacts`). ``*`` is any index.
HSDS_FIELDS = (
    "/eligibility_description",
    "/application_process",
    "/contacts/*/email",
    "/contacts/*/phones",
    "/languages/*/name",
    "/languages/*/code",
)


def is_hsds_field(path: str) -> bool:
    """Whether an undeclared field's path (as :func:`undeclared_fields` gives it) is one of :data:`HSDS_FIELDS`,
    at the top of a record or nested in a list or page of them."""
    pattern = "|".join(re.escape(field).replace(r"\*", "[0-9]+") for field in HSDS_FIELDS)
    return re.fullmatch(rf"(/contents/[0-9]+|/services/[0-9]+|/service)?({pattern})", path) is not None


@cache
def open_referral_schema(name: str) -> dict:
    """The UK profile's schemas: the compiled ``service``, ``service_list``, ``organization``,
    ``organization_list`` and ``service_at_location_list``, and ``taxonomy`` and ``taxonomy_term``."""
    if name not in OPEN_REFERRAL_SCHEMAS:
        raise KeyError(name)
    return _load(OPEN_REFERRAL / f"{name}.json")


@cache
def open_referral_registry() -> Registry:
    """The schemas by the addresses openapi.json gives them, so that relative references resolve locally."""
    return Registry().with_resources(
        (OPEN_REFERRAL_BASE + f"{name}.json", DRAFT202012.create_resource(open_referral_schema(name)))
        for name in ("taxonomy", "taxonomy_term")
    )


def open_referral_ref(name: str) -> dict:
    """A schema that refers to ``name`` by its address, for validating with :func:`open_referral_registry`."""
    return {"$ref": OPEN_REFERRAL_BASE + f"{name}.json"}


@cache
def open_referral_page_schema() -> dict:
    """The pagination envelope every list response shares (``#/components/schemas/Page`` in openapi.json)."""
    page: dict[str, Any] = _load(OPEN_REFERRAL / "openapi.json")["components"]["schemas"]["Page"]
    return page


@cache
def open_referral_validator(name: str) -> Draft202012Validator:
    return (
        Draft202012Validator(open_referral_ref(name), registry=open_referral_registry(), format_checker=FORMAT_CHECKER)
        if name in ("taxonomy", "taxonomy_term")
        else Draft202012Validator(open_referral_schema(name), format_checker=FORMAT_CHECKER)
    )


def open_referral_page_validator(item_schema: str) -> Draft202012Validator:
    """A list response: the Page envelope with ``contents`` as an array of ``item_schema`` (as openapi.json)."""
    schema: dict[str, Any] = {
        "allOf": [open_referral_page_schema()],
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"],
        "properties": {"contents": {"type": "array", "items": open_referral_schema(item_schema)}},
    }
    if item_schema in ("taxonomy", "taxonomy_term"):
        schema["properties"]["contents"]["items"] = open_referral_ref(item_schema)
    return Draft202012Validator(schema, registry=open_referral_registry(), format_checker=FORMAT_CHECKER)


def errors(validator: Draft202012Validator, instance: object) -> list[str]:
    """Every validation error, as ``path: message``."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def undeclared_fields(
    instance: object, schema: dict[str, Any], registry: Registry | None = None, base_uri: str = ""
) -> list[str]:
    """Fields in ``instance`` that the schema does not declare. The schemas allow extra fields, so this is how a
    test makes sure every field published is one the standard defines (no typos, nothing invented)."""
    registry = registry or Registry()
    resource = DRAFT202012.create_resource(schema)
    registry = registry.with_resource(base_uri or schema.get("$id", "urn:portal:schema"), resource)
    resolver = registry.resolver(base_uri=base_uri or schema.get("$id", "urn:portal:schema"))
    found: list[str] = []

    def walk(value: object, subschema: dict[str, Any], resolver: Any, path: str) -> None:
        while "$ref" in subschema:
            resolved = resolver.lookup(subschema["$ref"])
            subschema, resolver = resolved.contents, resolved.resolver
        if isinstance(value, dict):
            declared = subschema.get("properties", {})
            for key, item in value.items():
                if key not in declared:
                    found.append(f"{path}/{key}")
                else:
                    walk(item, declared[key], resolver, f"{path}/{key}")
        elif isinstance(value, list) and isinstance(subschema.get("items"), dict):
            for index, item in enumerate(value):
                walk(item, subschema["items"], resolver, f"{path}/{index}")

    walk(instance, schema, resolver, "")
    return found
