"""Search words and prefix ranges: the range of a prefix holds exactly the strings that
start with it, in the code point order MongoDB and SecantusDB compare strings in."""

from __future__ import annotations

import pytest

from app.accounts.search_words import words_of
from app.paging import prefix_range

TOP = "\U0010ffff"


def in_range(value: str, bounds: dict) -> bool:
    return value >= bounds["$gte"] and ("$lt" not in bounds or value < bounds["$lt"])


@pytest.mark.parametrize(
    "prefix", ["mia", "a", "é", "z" + TOP, TOP, "ab" + TOP + TOP, "\ud7ff", "o'b", "x@e"]
)
def test_a_prefix_range_holds_exactly_what_starts_with_the_prefix(prefix):
    bounds = prefix_range(prefix)
    tails = ["", "a", "zz", "\uffff", TOP, TOP + "a", "😀"]
    starting = [prefix + tail for tail in tails]
    others = [prefix[:-1], prefix[:-1] + chr(ord(prefix[-1]) - 1) + TOP, "", "~" * 3, TOP * 4]

    assert all(in_range(value, bounds) for value in starting)
    assert [v for v in others if in_range(v, bounds) and not v.startswith(prefix)] == []


def test_the_words_are_the_four_fields_lower_cased_without_repeats_or_empties():
    account = {
        "email": "anna.k@example.org",
        "username": "anna",
        "first_name": "Anna",
        "last_name": "",
    }

    assert words_of(account) == ["anna", "anna.k@example.org"]
