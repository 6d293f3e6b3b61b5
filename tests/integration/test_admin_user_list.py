"""The admin's user list at 120 accounts (pages of ten): every search, filter and sort
gives what a plain reading of all accounts gives (same users, order, totals, pages), and
reads about a page of accounts, or what the most selective filter or searched word
matches, through an index (``explain``)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

import pytest

from app.accounts.models import User
from app.accounts.services import repair_user_counts, role_named
from app.admin import user_list
from app.admin.user_list import UserSearch, find_users
from app.database import get_database
from app.paging import counters
from tests.explained import RECORDER, explain
from tests.factories import UserFactory

FIRST_NAMES = ["Anna", "Ann", "Bob", "Éva", "Zoë", "Mia", "Max", "Lena"]
LAST_NAMES = ["Smith", "Smithers", "Karenina", "Lee", "Li", "O'Brien", "Müller"]
ACCOUNTS = 120
INACTIVE, UNCONFIRMED, ADMINS = 6, 10, 3
#: Pages of ten accounts here, so that 120 accounts make twelve pages.
USER_PAGE_SIZE = 10


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(user_list, "USER_PAGE_SIZE", USER_PAGE_SIZE)


@pytest.fixture
def crowd(app) -> list[dict]:
    """ACCOUNTS accounts inserted at once (validated: a save's search words), then numbered,
    ranked and counted by the hourly repair; every 20th inactive, every 13th
    unconfirmed, every 40th an admin. Returns them as stored."""
    rng = random.Random(11)
    numbers = rng.sample(range(10_000, 99_999), ACCOUNTS)
    with app.app_context():
        users = []
        for index, number in enumerate(numbers):
            user = UserFactory.build(
                username=f"{rng.choice('abmxz')}{number}",
                email=f"{rng.choice(['mia', 'bo', 'x'])}{number}@{rng.choice(['ex.org', 'm.net'])}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password=None,
                active=index % 20 != 0,
                confirmed_at=None if index % 13 == 0 else datetime(2026, 1, 1, tzinfo=UTC),
                roles=["Admin"] if index % 40 == 0 else ["Public"],
            )
            user.validate()
            users.append(user)
        User.objects.insert(users)
        repair_user_counts()
        return list(User._get_collection().find())


def reference(docs: list[dict], search: UserSearch) -> tuple[list, int, int, int]:
    """The page ``search`` asks for, read the plain way from every account: ids shown,
    total, page number, pages."""
    words = search.text.lower().split()[:5]

    def found(doc: dict) -> bool:
        values = [doc[field].lower() for field in ("email", "username", "first_name", "last_name")]
        return (
            all(any(value.startswith(word) for value in values) for word in words)
            and (search.role is None or search.role.id in doc["roles"])
            and (search.active is None or doc["active"] == search.active)
            and (
                search.confirmed is None
                or (doc.get("confirmed_at") is not None) == search.confirmed
            )
        )

    chosen = [doc for doc in docs if found(doc)]
    if search.sort == "created":
        chosen.sort(key=lambda doc: (doc["seq"], doc["_id"]), reverse=True)
    else:
        chosen.sort(key=lambda doc: (doc[search.sort], doc["_id"]))
    pages = max(1, math.ceil(len(chosen) / USER_PAGE_SIZE))
    page = min(search.page, pages)
    shown = chosen[(page - 1) * USER_PAGE_SIZE : page * USER_PAGE_SIZE]
    return [doc["_id"] for doc in shown], len(chosen), page, pages


def listed(app, search: UserSearch) -> tuple[tuple[list, int, int, int], list]:
    """What ``find_users`` shows for ``search``, and its reads of accounts explained."""
    with app.app_context():
        with RECORDER.recording() as finds:
            page = find_users(search)
        examined = [find for find in explain(get_database(), finds) if find.collection == "users"]
    return ([user.id for user in page.items], page.total, page.page, page.pages), examined


FILTERS = [  # (filter, accounts left out, or matched by the filter read: read twice at most)
    ({}, 0),
    ({"active": True}, INACTIVE),
    ({"active": False}, INACTIVE),
    ({"confirmed": True}, UNCONFIRMED),
    ({"confirmed": False}, UNCONFIRMED),
    ({"active": True, "confirmed": True}, INACTIVE + UNCONFIRMED),
    ({"active": True, "confirmed": False}, UNCONFIRMED),
    ({"role": "Admin"}, ADMINS),
    ({"role": "Admin", "active": True}, ADMINS),
    ({"role": "Public", "active": False}, INACTIVE),
]


@pytest.mark.parametrize("sort", ["created", "username", "email"])
def test_filters_show_the_plain_reading_and_read_a_page_and_those_left_out(app, crowd, sort):
    for filters, besides in FILTERS:
        for number in (1, 2, 5, 9):
            with app.app_context():
                role = role_named(filters["role"]) if "role" in filters else None
            search = UserSearch(**{**filters, "role": role}, sort=sort, page=number)

            shown, examined = listed(app, search)

            assert shown == reference(crowd, search), (filters, number)
            assert [find.filter for find in examined if find.scans] == [], filters
            read = sum(find.documents for find in examined)
            assert read <= USER_PAGE_SIZE + 2 * besides, (filters, number, read)


def test_a_filter_keeping_most_accounts_is_read_by_ranks(app, crowd):
    _, examined = listed(app, UserSearch(active=True, sort="email", page=4))

    first, window = (find.filter for find in examined)
    assert first == {"active": False}  # the ranks of those left out
    assert list(window) == ["rank_email"]


def test_a_role_filter_keeping_most_accounts_reads_what_it_matches(app, crowd):
    with app.app_context():
        public = role_named("Public")
    search = UserSearch(role=public, page=2)

    shown, examined = listed(app, search)

    assert shown == reference(crowd, search)
    assert [find.filter for find in examined] == [{"roles": public.id}]
    assert [find.scans for find in examined] == [False]


SEARCHES = [
    "mia",
    "MIA SM",
    "ann",
    "anna k",
    "b1",
    "bo1 ex.org",  # a prefix of the address only, never of its domain
    "x2 zoë",
    "ÉVA MÜ",
    "o'brien",
    "smith",
    "li",
    "m.net",
    "nobody",
    "a b c d e f",  # five words at most
]


@pytest.mark.parametrize("sort", ["created", "username", "email"])
def test_searches_show_the_plain_reading_and_read_the_longest_word(app, crowd, sort):
    for text in SEARCHES:
        for filters in ({}, {"active": True}, {"confirmed": False}):
            search = UserSearch(text=text, sort=sort, **filters)

            shown, examined = listed(app, search)

            assert shown == reference(crowd, search), (text, filters)
            longest = max(text.lower().split()[:5], key=len)
            holding = reference(crowd, UserSearch(text=longest, page=1))[1]
            assert [find.scans for find in examined] == [False], text
            assert list(examined[0].filter) == ["search_words"]
            assert examined[0].documents <= holding, (text, examined[0].documents, holding)


def test_searches_page_like_the_plain_reading(app, crowd):
    for number in (1, 2, 3, 8):
        search = UserSearch(text="x", sort="email", page=number)
        assert listed(app, search)[0] == reference(crowd, search)


def test_a_search_before_the_repair_worded_every_account_reads_the_old_way(app, crowd):
    with app.app_context():
        counters().update_one({"_id": "users"}, {"$inc": {"worded": -1}})
    search = UserSearch(text="mia sm", sort="username")

    shown, examined = listed(app, search)

    assert shown == reference(crowd, search)
    assert [find.scans for find in examined] == [True]  # reads every account
    with app.app_context():
        assert repair_user_counts() == 1  # the count of worded accounts


def test_a_filter_over_accounts_not_ranked_yet_reads_what_it_keeps(app, crowd):
    sleeper = next(doc for doc in crowd if not doc["active"])
    with app.app_context():
        User.objects(id=sleeper["_id"]).update(unset__rank_email=True)
    search = UserSearch(active=True, sort="email", page=3)

    shown, examined = listed(app, search)

    assert shown == reference(crowd, search)
    assert [find.filter for find in examined][-1] == {"active": True}  # read the slow way
    with app.app_context():
        assert repair_user_counts() == 1
    assert listed(app, search)[0] == shown
