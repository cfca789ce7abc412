"""The rules a new password must meet, and Argon2id hashing."""

import pytest

from portal.auth.passwords import (
    MAXIMUM_LENGTH,
    MINIMUM_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)
from tests.factories import PASSWORD


def test_a_password_shorter_than_the_minimum_is_refused_saying_how_long_it_must_be():
    assert password_problem("a" * (MINIMUM_LENGTH - 1)) == "Password must be 10 characters or more"


def test_a_password_longer_than_the_maximum_is_refused():
    assert password_problem("plum-tractor-" * 20) == f"Password must be {MAXIMUM_LENGTH} characters or fewer"


@pytest.mark.parametrize("common", ["password123", "Password1234", "qwertyuiop", "1234567890", "iloveyou12"])
def test_a_common_password_is_refused_with_advice(common):
    problem = password_problem(common)
    assert problem is not None
    assert problem.startswith("Choose a stronger password.")
    assert problem.endswith("Three random words together work well")


def test_a_password_made_of_the_service_name_is_refused():
    assert password_problem("londongrant") is not None


def test_a_password_that_is_the_persons_own_email_address_is_refused():
    email = "helen.price@example.org"
    assert password_problem(email, email=email, name="Helen Price") is not None


@pytest.mark.parametrize("fine", [PASSWORD, "correct-horse-battery-staple", "marmalade kettle orbit"])
def test_three_random_words_are_fine(fine):
    assert password_problem(fine, email="helen.price@example.org", name="Helen Price") is None


def test_exactly_the_minimum_length_is_long_enough_to_be_judged_on_strength():
    problem = password_problem("x7#Qp!2vZm")
    assert len("x7#Qp!2vZm") == MINIMUM_LENGTH
    assert problem is None or not problem.startswith("Password must be")


def test_a_hashed_password_verifies_and_a_wrong_one_does_not():
    password_hash = hash_password(PASSWORD)
    assert password_hash.startswith("$argon2id$")
    assert verify_password(password_hash, PASSWORD)
    assert not verify_password(password_hash, PASSWORD + "x")


def test_the_same_password_hashes_differently_each_time():
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


@pytest.mark.parametrize("stored", [None, "", "not-an-argon2-hash"])
def test_an_account_without_a_usable_hash_never_verifies(stored):
    assert not verify_password(stored, PASSWORD)


@pytest.mark.parametrize("breached", ["1q2w3e4r5t", "manchester", "q1w2e3r4t5"])
def test_a_password_from_the_shipped_breach_list_is_refused(breached):
    assert "among the most common in published data breaches" in password_problem(breached)


def test_a_password_containing_the_persons_name_or_organisation_is_refused():
    assert "must not contain" in password_problem("orbit-Kowalski-kettle", name="Daniel Kowalski")
    assert "must not contain" in password_problem("orbit-kettle-peckham9", organisation="Peckham Women's Aid")
    assert "must not contain" in password_problem("helenprice-orbit-kettle", email="helenprice@example.org")
