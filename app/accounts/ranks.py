"""Dense ranks of the accounts in the admin's three unfiltered orders, so that page N of
the user list is one range of ranks, whatever N and however many accounts there are.

``rank_created`` is 1 for the oldest account, n for the newest; ``rank_username`` and
``rank_email`` are 1 for the first username (email) in byte order, the order MongoDB
sorts strings in. A new account is ranked when it is made, shifting the usernames and
emails after its own; a deleted one shifts the ranks after its own back; a changed
username or email moves the account, shifting those in between. These shifts read and
write the accounts after (or between) the values concerned, once per registration,
deletion or change, so that listing reads a page; the hourly repair
(:func:`rerank_accounts`) puts back ranks a race left wrong.
"""

from __future__ import annotations

from pymongo.collection import Collection

#: rank field -> the order it follows, as a pymongo sort
RANK_ORDERS = {
    "rank_created": [("seq", 1), ("_id", 1)],
    "rank_username": [("username", 1), ("_id", 1)],
    "rank_email": [("email", 1), ("_id", 1)],
}
#: the ranks that follow a string field of the account: field -> rank field
VALUE_RANKS = {"username": "rank_username", "email": "rank_email"}


def _after(field: str, value: str) -> dict:
    """Values of ``field`` sorting after ``value`` ($gte its smallest successor: ranges
    on indexed fields use $gte/$lt only, see app/paging.py)."""
    return {field: {"$gte": value + "\x00"}}


def rank_new_account(users: Collection, account: dict, created_rank: int) -> None:
    """Rank an account just made (``account``: its ``_id``, ``username`` and ``email``):
    last by creation (``created_rank``, the count of accounts including it), and among
    the usernames and emails where its own fall."""
    ranks = {"rank_created": created_rank}
    for field, rank_field in VALUE_RANKS.items():
        value = account[field]
        users.update_many(_after(field, value), {"$inc": {rank_field: 1}})
        ranks[rank_field] = users.count_documents({field: {"$lt": value}}) + 1
    users.update_one({"_id": account["_id"]}, {"$set": ranks})


def unrank_deleted_account(users: Collection, deleted: dict) -> None:
    """Close the gaps a deleted account (its stored document) leaves in every rank."""
    if deleted.get("rank_created") is not None:
        later = {"rank_created": {"$gte": deleted["rank_created"] + 1}}
        users.update_many(later, {"$inc": {"rank_created": -1}})
    for field, rank_field in VALUE_RANKS.items():
        users.update_many(_after(field, deleted[field]), {"$inc": {rank_field: -1}})


def rerank_changed_value(users: Collection, account_id, field: str, old: str, new: str) -> None:
    """Move an account whose ``field`` (username or email) went from ``old`` to ``new``
    (already stored): the accounts between the two values shift by one towards the
    place it left, and it takes its new rank."""
    rank_field = VALUE_RANKS[field]
    others = {"_id": {"$ne": account_id}}
    if new > old:  # it moves down: those after old, up to new, move up
        between = {field: {"$gte": old + "\x00", "$lt": new}}
        users.update_many({**between, **others}, {"$inc": {rank_field: -1}})
    else:
        between = {field: {"$gte": new, "$lt": old}}
        users.update_many({**between, **others}, {"$inc": {rank_field: 1}})
    rank = users.count_documents({field: {"$lt": new}}) + 1
    users.update_one({"_id": account_id}, {"$set": {rank_field: rank}})


def rerank_accounts(users: Collection) -> int:
    """Set every account's ranks to what they should be; returns how many accounts had a
    wrong one. Reads every account: a background job."""
    wrong = 0
    for field, order in RANK_ORDERS.items():
        docs = users.find({}, {field: 1}, sort=order)
        for rank, doc in enumerate(docs, start=1):
            if doc.get(field) != rank:
                users.update_one({"_id": doc["_id"]}, {"$set": {field: rank}})
                wrong += 1
    return wrong
