"""The normal forms of what people type (postcodes, charity and company numbers), org-ids and money."""

import pytest

from portal.models import LocalAuthority, Organisation, OrganisationType
from portal.template_helpers import format_pence
from portal.validation import (
    normalise_charity_number,
    normalise_company_number,
    normalise_email,
    normalise_postcode,
    postcode_district,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("se15 4qq", "SE15 4QQ"),
        ("SE154QQ", "SE15 4QQ"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
        ("cr0 2ag", "CR0 2AG"),
        ("N17 8AD", "N17 8AD"),
        ("M1 1AE", "M1 1AE"),
    ],
)
def test_a_postcode_is_upper_cased_and_spaced_before_its_inward_code(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "   ", None, "SE15", "4QQ", "SE15 4Q", "SE15 4QQQ", "12345", "SE15-4QQ", "SEE15 4QQ", "SE15 Q4Q", "ZZZ"],
)
def test_something_not_shaped_like_a_postcode_is_not_a_postcode(typed):
    assert normalise_postcode(typed) is None


def test_the_postcode_district_is_the_outward_code():
    assert postcode_district("SE15 4QQ") == "SE15"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("216250", "216250"),  # six digits: an older England and Wales charity
        ("1123456", "1123456"),  # seven digits
        ("11234567", "11234567"),  # eight digits
        (" 1123456 ", "1123456"),
        ("1123 456", "1123456"),
        ("1123456-1", "1123456"),  # a linked charity: the suffix is dropped, as the docstring promises
        ("SC012345", "SC012345"),
        ("sc 012345", "SC012345"),
        ("NIC123456", "NIC123456"),
        ("nic123456", "NIC123456"),
    ],
)
def test_charity_numbers_from_each_register_are_accepted_in_the_registers_own_form(typed, expected):
    assert normalise_charity_number(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", None, "12345", "123456789", "0123456", "SC12345", "SC0123456", "NI123456", "NIC12345", "CHC1123456", "abc"],
)
def test_anything_else_is_not_a_charity_number(typed):
    assert normalise_charity_number(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4325234", "04325234"),
        ("04325234", "04325234"),
        ("61625", "00061625"),
        ("SC123456", "SC123456"),
        ("sc123456", "SC123456"),
        ("NI 123456", "NI123456"),
        ("OC301234", "OC301234"),
        ("R0123456", "R0123456"),
    ],
)
def test_company_numbers_are_padded_to_eight_characters_and_upper_cased(typed, expected):
    assert normalise_company_number(typed) == expected


@pytest.mark.parametrize("typed", ["", None, "123456789", "SC12345", "SC1234567", "XX123456", "ABCDEFGH", "0432-5234"])
def test_anything_else_is_not_a_company_number(typed):
    assert normalise_company_number(typed) is None


def test_email_addresses_are_trimmed_and_lower_cased():
    assert normalise_email("  Helen.Price@Example.ORG ") == "helen.price@example.org"
    assert normalise_email(None) == ""


def _organisation(organisation_type: OrganisationType, **fields) -> Organisation:
    return Organisation(name="Test", organisation_type=organisation_type, **fields)


@pytest.mark.parametrize(
    ("organisation", "expected"),
    [
        (_organisation(OrganisationType.CHARITY, charity_number="1123456"), "GB-CHC-1123456"),
        (_organisation(OrganisationType.CIO, charity_number="1198765"), "GB-CHC-1198765"),
        (_organisation(OrganisationType.CHARITY, charity_number="SC012345"), "GB-SC-SC012345"),
        (_organisation(OrganisationType.CHARITY, charity_number="NIC123456"), "GB-NIC-123456"),
        (_organisation(OrganisationType.COMPANY, company_number="04325234"), "GB-COH-04325234"),
        (_organisation(OrganisationType.CIC, company_number="SC123456"), "GB-COH-SC123456"),
        # A charitable company is known by its charity number first.
        (
            _organisation(OrganisationType.CHARITY, charity_number="298028", company_number="02158780"),
            "GB-CHC-298028",
        ),
        (_organisation(OrganisationType.COMMUNITY_GROUP), None),
        (_organisation(OrganisationType.STATUTORY_BODY), None),
    ],
    ids=[
        "charity",
        "cio",
        "scottish-charity",
        "northern-irish-charity",
        "company",
        "cic",
        "charitable-company",
        "community-group",
        "statutory-body",
    ],
)
def test_each_kind_of_organisation_has_the_org_id_that_open_data_uses(organisation, expected):
    assert organisation.org_id == expected


def test_a_borough_council_is_known_by_its_local_authority_org_id():
    lewisham = LocalAuthority(name="Lewisham", gss_code="E09000023", org_id="GB-LAE-LEW")
    council = _organisation(OrganisationType.BOROUGH, local_authority=lewisham)
    assert council.org_id == "GB-LAE-LEW"


def test_a_safer_neighbourhood_board_has_no_org_id_of_its_own():
    lewisham = LocalAuthority(name="Lewisham", gss_code="E09000023", org_id="GB-LAE-LEW")
    board = _organisation(OrganisationType.SNB, local_authority=lewisham)
    assert board.org_id is None


@pytest.mark.parametrize(
    ("pence", "expected"),
    [
        (123456, "£1,234.56"),
        (100000, "£1,000"),
        (100, "£1"),
        (150, "£1.50"),
        (5, "£0.05"),
        (0, "£0"),
        (123456789, "£1,234,567.89"),
        (-123456, "-£1,234.56"),
        (-100000, "-£1,000"),
        (-5, "-£0.05"),
        (None, ""),
    ],
)
def test_amounts_in_pence_are_shown_in_pounds_dropping_pence_for_whole_pounds(pence, expected):
    assert format_pence(pence) == expected
