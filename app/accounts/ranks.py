"""Dense ranks of the accounts in the admin's two unfiltered orders, so that page N of
the user list is one range of ranks, whatever N and however many accounts there are.

``rank_created`` is 1 for the oldest account, n for the newest; ``rank_username`` is 1
for the first username in byte order, the order MongoDB sorts strings in. A new account
is ranked when it is made, shifting the usernames after its own; a deleted one shifts
the ranks after its own back. These shifts read and write the accounts after the one
made or deleted, once per registration or deletion, so that listing reads a page; the
hourly repair (:func:`rerank_accounts`) puts back ranks a race left wrong.
"""

from __future__ import annotations

from pymongo.collection import Collection

#: rank field -> the order it follows, as a pymongo sort
RANK_ORDERS = {
    "rank_created": [("seq", 1), ("_id", 1)],
    "rank_username": [("username", 1), ("_id", 1)],
}


def _after(username: str) -> dict:
    """Usernames sorting after ``username`` ($gte its smallest successor: ranges on
    indexed fields use $gte/$lt only, see app/paging.py)."""
    return {"username": {"$gte": username + "\x00"}}


def rank_new_account(users: Collection, account_id, username: str, created_rank: int) -> None:
    """Rank an account just made: last by creation (``created_rank``, the count of
    accounts including it), and among the usernames where its own falls."""
    users.update_many(_after(username), {"$inc": {"rank_username": 1}})
    before = users.count_documents({"username": {"$lt": username}})
    users.update_one(
        {"_id": account_id},
        {"$set": {"rank_created": created_rank, "rank_username": before + 1}},
    )


def unrank_deleted_account(users: Collection, deleted: dict) -> None:
    """Close the gaps a deleted account (its stored document) leaves in both ranks."""
    if deleted.get("rank_created") is not None:
        later = {"rank_created": {"$gte": deleted["rank_created"] + 1}}
        users.update_many(later, {"$inc": {"rank_created": -1}})
    users.update_many(_after(deleted["username"]), {"$inc": {"rank_username": -1}})


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
