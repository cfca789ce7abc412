"""Checks and normal forms for UK identifiers that people type: postcodes, charity and company numbers."""

import re

# The shape of a UK postcode: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_CHARITY_ENGLAND_WALES = re.compile(r"^[1-9][0-9]{5,7}$")
_CHARITY_SCOTLAND = re.compile(r"^SC[0-9]{6}$")
_CHARITY_NORTHERN_IRELAND = re.compile(r"^NIC[0-9]{6}$")
# A linked charity is registered under its main charity's number with a suffix: 1123456-1.
_CHARITY_SUBSIDIARY = re.compile(r"^\s*([0-9]{6,8})\s*-\s*[0-9]{1,3}\s*$")
# Eight characters: all digits (England and Wales) or a two-letter prefix and six digits.
_COMPANY = re.compile(r"^([0-9]{8}|(SC|NI|OC|SO|NC|R0|IP|SP|LP|SL|NL|CE|CS|GE|FC|SE|SR)[0-9]{6})$")


def normalise_postcode(value: str) -> str | None:
    """``'se15 4qq'`` → ``'SE15 4QQ'``; ``None`` if it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str) -> str:
    return postcode.split(" ")[0]


def normalise_charity_number(value: str) -> str | None:
    """A charity number as the registers print it, or ``None`` if it is not one.

    England and Wales numbers are six to eight digits (a ``-1`` subsidiary suffix is dropped); Scottish numbers
    start ``SC`` and Northern Irish ones ``NIC``.
    """
    subsidiary = _CHARITY_SUBSIDIARY.match(value or "")
    if subsidiary:
        value = subsidiary.group(1)
    compact = re.sub(r"[\s-]", "", value or "").upper()
    for pattern in (_CHARITY_ENGLAND_WALES, _CHARITY_SCOTLAND, _CHARITY_NORTHERN_IRELAND):
        if pattern.match(compact):
            return compact
    return None


def normalise_company_number(value: str) -> str | None:
    """A Companies House number, padded to eight characters (``'4325234'`` → ``'04325234'``)."""
    compact = re.sub(r"\s", "", value or "").upper()
    if compact.isdecimal() and 1 <= len(compact) < 8:
        compact = compact.zfill(8)
    return compact if _COMPANY.match(compact) else None


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()
