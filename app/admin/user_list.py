"""The admin's list of users: searched, filtered by role, activation and confirmation,
sorted newest first, by username or by email, fifty to a page with page numbers.

SecantusDB decodes every document a filter matches before it sorts and limits (see
app/paging.py), so each shape of the list asks only for what an index selects and what
the page needs:

- everyone, or filtered by activation and confirmation only, in any order: one range of
  dense ranks (app/accounts/ranks.py). The accounts a filter leaves out are the few that
  are inactive or unconfirmed (one index-served equality each, their ranks only); with
  them, page N's range of ranks is exact. Cost: a page plus the accounts left out. When
  the filter keeps fewer accounts than it leaves out (``active=no``), those it keeps are
  read instead.
- filtered by role (or by a filter keeping fewer accounts than it leaves out): the
  accounts of the most selective filter, read through its index, checked against the
  others, sorted and cut into pages here. Cost: the accounts that filter matches.
- searched: the accounts holding one searched word (the longest) among their search words
  (app/accounts/search_words.py), an index range; the other words and the filters are
  checked here. Cost: the accounts matching that word.

Search must not use a case-insensitive regex on an indexed field: SecantusDB silently
matches nothing for it. Only until the hourly repair has given every account its search
words (the ``worded`` count of the accounts' counter is short) does a search read every
account with the anchored ``$regex`` strings of :func:`text_filter`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from app import paging
from app.accounts.datastore import USERS
from app.accounts.models import Role, User
from app.accounts.search_words import matches, words_of
from app.errors import ValidationFailed

USER_PAGE_SIZE = 50
#: sort name -> order_by fields (each ends in the id, so equal values keep one order)
USER_SORTS = {
    "username": ("username", "id"),
    "email": ("email", "id"),
    "created": ("-seq", "-id"),
}
#: sort name -> (rank field, newest first)
RANKED_SORTS = {
    "created": ("rank_created", True),
    "username": ("rank_username", False),
    "email": ("rank_email", False),
}
#: sort name -> (key of a stored account, newest first): USER_SORTS, for sorting here
SORT_KEYS: dict[str, tuple[Callable[[dict], tuple], bool]] = {
    "username": (lambda doc: (doc["username"], doc["_id"]), False),
    "email": (lambda doc: (doc["email"], doc["_id"]), False),
    "created": (lambda doc: (doc.get("seq") or 0, doc["_id"]), True),
}
MAX_SEARCH_WORDS = 5
#: Before any confirmation: ``confirmed_at`` at or after it means confirmed (a range an
#: index serves, where ``$ne: None`` is not).
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class UserSearch:
    """What the users page asks for; ``None`` filters match everyone."""

    text: str = ""
    role: Role | None = None
    active: bool | None = None
    confirmed: bool | None = None
    sort: str = "created"
    page: int = 1


@dataclass(frozen=True)
class UserPage:
    """One page of the list: the users, how many match in all, the page number (past
    the end: the last page) and how many pages there are."""

    items: list[User]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Clause:
    """One filter: the index-served query of the accounts it keeps, and of those it
    leaves out when there is one; the test of a stored account; the counts of both from
    the accounts' counter (None: not counted)."""

    keeps: dict
    leaves: dict | None
    test: Callable[[dict], bool]
    kept: int | None
    left: int | None


def find_users(search: UserSearch) -> UserPage:
    """One page (USER_PAGE_SIZE users) of the users matching ``search``, read as the
    module's docstring says."""
    if search.sort not in USER_SORTS:
        raise ValidationFailed(
            {"sort": _("must be one of %(choices)s", choices=", ".join(USER_SORTS))}
        )
    if search.page < 1:
        raise ValidationFailed({"page": _("must be 1 or more")})
    counter = paging.read_counters(USERS)[USERS]
    clauses = filter_clauses(search, counter)
    words = search_words(search.text)
    if not words:
        return _filtered(search, clauses, counter.get("users", 0))
    if counter.get("worded", 0) < counter.get("users", 0):
        docs = _read(text_filter(search.text))  # accounts without words yet: all of them
    else:
        docs = _read(prefix_range_query(max(words, key=len)))
    found = [
        doc
        for doc in docs
        if all(matches(words_of(doc), word) for word in words)
        and all(clause.test(doc) for clause in clauses)
    ]
    return _sorted_page(found, search.sort, search.page)


def _filtered(search: UserSearch, clauses: list[Clause], total: int) -> UserPage:
    """A page of the accounts every clause keeps, out of ``total`` accounts: by ranks
    when the clauses leave out fewer accounts than the most selective one keeps, else
    the accounts that one keeps."""
    if not clauses:
        ranked = ranked_users(search.sort, search.page, last=total)
        return ranked or _sorted_page(_read({}), search.sort, search.page)
    driver = min(clauses, key=lambda clause: _or(clause.kept, total))
    left_out = sum(_or(clause.left, total) for clause in clauses)
    if all(clause.leaves is not None for clause in clauses) and left_out <= _or(driver.kept, total):
        ranked = ranked_users(search.sort, search.page, clauses, last=total)
        if ranked is not None:
            return ranked
    found = [doc for doc in _read(driver.keeps) if all(clause.test(doc) for clause in clauses)]
    return _sorted_page(found, search.sort, search.page)


def _or(count: int | None, total: int) -> int:
    return total if count is None else count


def search_words(text: str) -> list[str]:
    """The words searched for (MAX_SEARCH_WORDS at most), lower-case."""
    return text.lower().split()[:MAX_SEARCH_WORDS]


def prefix_range_query(word: str) -> dict:
    """The accounts with a search word starting with ``word``: one index range."""
    return {"search_words": paging.prefix_range(word)}


def filter_clauses(search: UserSearch, counter: dict) -> list[Clause]:
    """The role, activation and confirmation filters of ``search``, role first."""
    total = counter.get("users")
    clauses = []
    if search.role is not None:
        role_id = search.role.id
        holders = counter.get("roles", {}).get(str(role_id))
        clauses.append(
            Clause(
                {"roles": role_id},
                None,
                lambda doc, role_id=role_id: role_id in doc.get("roles", []),
                holders,
                None,
            )
        )
    if search.active is not None:
        wanted = search.active
        active = counter.get("active")
        inactive = None if active is None or total is None else total - active
        clauses.append(
            Clause(
                {"active": wanted},
                {"active": not wanted},
                lambda doc, wanted=wanted: bool(doc.get("active")) == wanted,
                active if wanted else inactive,
                inactive if wanted else active,
            )
        )
    if search.confirmed is not None:
        confirmed_query, unconfirmed_query = (
            {"confirmed_at": {"$gte": EARLIEST}},
            {"confirmed_at": None},
        )
        unconfirmed = counter.get("unconfirmed")
        confirmed = None if unconfirmed is None or total is None else total - unconfirmed
        wanted = search.confirmed
        clauses.append(
            Clause(
                confirmed_query if wanted else unconfirmed_query,
                unconfirmed_query if wanted else confirmed_query,
                lambda doc, wanted=wanted: (doc.get("confirmed_at") is not None) == wanted,
                confirmed if wanted else unconfirmed,
                unconfirmed if wanted else confirmed,
            )
        )
    return clauses


def ranked_users(
    sort: str, page: int, clauses: Sequence[Clause] = (), *, last: int | None = None
) -> UserPage | None:
    """Page ``page`` (past the end: the last page), in a ranked order, of the accounts
    every clause keeps; each clause must say which accounts it leaves out. Reads the
    ranks of those left out, then one range of ranks: the page and the left-out accounts
    within it. None when the ranks do not cover the page (accounts made before ranks
    existed, until the hourly repair ranks them): the caller then reads it another way.
    ``last`` is how many accounts there are (None: read from their counter)."""
    field, newest_first = RANKED_SORTS[sort]
    users = User._get_collection()
    if last is None:
        last = paging.read_counters(USERS)[USERS].get("users", 0)
    left_out = set()
    for clause in clauses:
        for doc in users.find(clause.leaves, {field: 1}):
            if not 1 <= (doc.get(field) or 0) <= last:  # not ranked, or counted wrong
                return None
            left_out.add(last + 1 - doc[field] if newest_first else doc[field])
    skipped_places = sorted(left_out)  # places in the list's order, 1 to ``last``
    total = last - len(skipped_places)
    pages = max(1, math.ceil(total / USER_PAGE_SIZE))
    page = min(page, pages)
    skipped = (page - 1) * USER_PAGE_SIZE
    wanted = min(USER_PAGE_SIZE, total - skipped)
    if wanted <= 0:
        return UserPage([], max(total, 0), page, pages)
    first = _place_of(skipped + 1, skipped_places)
    final = _place_of(skipped + wanted, skipped_places)
    low, high = (last + 1 - final, last + 1 - first) if newest_first else (first, final)
    docs = list(
        users.find(
            {field: {"$gte": low, "$lt": high + 1}}, sort=[(field, -1 if newest_first else 1)]
        )
    )
    kept = [doc for doc in docs if all(clause.test(doc) for clause in clauses)]
    if len(docs) != high + 1 - low or len(kept) != wanted:
        return None
    return UserPage(with_roles([User._from_son(doc) for doc in kept]), total, page, pages)


def _place_of(nth: int, skipped_places: list[int]) -> int:
    """The place in the list of the ``nth`` account kept, given the places (sorted) of
    the accounts left out."""
    place = nth
    for skipped in skipped_places:
        if skipped > place:
            break
        place += 1
    return place


def _read(query: dict) -> list[dict]:
    return list(User._get_collection().find(query))


def _sorted_page(docs: list[dict], sort: str, page: int) -> UserPage:
    """Page ``page`` (past the end: the last page) of ``docs`` in the order ``sort``."""
    key, newest_first = SORT_KEYS[sort]
    docs = sorted(docs, key=key, reverse=newest_first)
    pages = max(1, math.ceil(len(docs) / USER_PAGE_SIZE))
    page = min(page, pages)
    shown = docs[(page - 1) * USER_PAGE_SIZE : page * USER_PAGE_SIZE]
    return UserPage(with_roles([User._from_son(doc) for doc in shown]), len(docs), page, pages)


def text_filter(text: str) -> dict:
    """Users whose email, username, first or last name starts with each word of
    ``text``, in any case, as anchored ``$regex`` strings: email and username are stored
    lower-case, first and last names keep the ``i`` option. Reads every account: only
    for accounts without search words yet."""
    clauses = []
    for word in search_words(text):
        prefix = "^" + re.escape(word)
        clauses.append(
            {
                "$or": [
                    {"email": {"$regex": prefix}},
                    {"username": {"$regex": prefix}},
                    {"first_name": {"$regex": prefix, "$options": "i"}},
                    {"last_name": {"$regex": prefix, "$options": "i"}},
                ]
            }
        )
    return {"$and": clauses} if clauses else {}


def with_roles(users: list[User]) -> list[User]:
    """Put each listed user's roles in place from one query of the (few) roles, instead
    of one query per user when the page reads ``user.roles``."""
    roles = {role.id: role for role in Role.objects}
    for user in users:
        ids = [getattr(ref, "id", ref) for ref in user._data.get("roles") or []]
        user._data["roles"] = [roles[role_id] for role_id in ids if role_id in roles]
    return users
