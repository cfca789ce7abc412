"""Characters that Python calls digits but cannot turn into a number (superscripts, circled digits) are refused
like any other text, never passed to int(), which would answer a 500."""

import pytest

from portal.boroughs.forms import _whole as borough_whole
from portal.drawdowns.forms import _whole as drawdown_whole

NOT_NUMBERS = ["¹", "²³", "①", "1²"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_superscript_and_circled_digits_are_not_whole_numbers(text):
    assert text.isdigit()  # what the old check let through
    assert (borough_whole(text), drawdown_whole(text)) == (None, None)


def test_plain_and_other_scripts_decimal_digits_still_count():
    assert (borough_whole("42"), drawdown_whole("١٢٣")) == (42, 123)


@pytest.mark.parametrize("text", ["2147483648", "99999999999999999999999999999999"])
def test_a_choice_beyond_any_id_is_no_choice(text):
    assert (borough_whole(text), drawdown_whole(text)) == (None, None)
    assert borough_whole("2147483647") == 2147483647
