"""Our user datastore: identities are lower-cased and looked up exactly.

The stock MongoEngine datastore looks identities up with ``iexact`` (a case-insensitive
regex). On MongoDB that cannot use the unique index, and on SecantusDB a regex on an
indexed field matches nothing at all. Normalising on every way in and matching exactly is
correct on both, and lets the unique indexes enforce "Bob@X.org is bob@x.org".
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_security import MongoEngineUserDatastore, UsernameUtil
from pymongo import ReturnDocument

from app import paging
from app.accounts.permissions import DEFAULT_PERMISSIONS
from app.accounts.ranks import (
    VALUE_RANKS,
    rank_new_account,
    rerank_changed_value,
    unrank_deleted_account,
)

NORMALISED_FIELDS = ("email", "username")
#: The counter of accounts: how many there are (in all, ``active``, ``unconfirmed``,
#: ``worded``: with search words, app/accounts/search_words.py, and holding each role:
#: ``roles.<role id>``), and the last position (``seq``) handed out. Accounts are also
#: ranked (app/accounts/ranks.py).
USERS = "users"
#: The account fields counted, and when an account counts under each.
COUNTED = {
    "active": lambda doc: bool(doc.get("active")),
    "unconfirmed": lambda doc: doc.get("confirmed_at") is None,
}


def role_count_name(role_id) -> str:
    """The name, in the counter of accounts, of how many accounts hold the role."""
    return f"roles.{role_id}"


def counts_of_account(doc: dict) -> dict[str, int]:
    """What one stored account adds to the counter of accounts."""
    counts = {name: int(test(doc)) for name, test in COUNTED.items()}
    held = {role_count_name(getattr(role, "id", role)): 1 for role in doc.get("roles") or []}
    return {"users": 1, **counts, "worded": int("search_words" in doc), **held}


def normalise_identity(value: str | None) -> str | None:
    """The stored form of an email or username: stripped and lower-case."""
    if value is None:
        return None
    return value.strip().lower()


class LowerCaseUsernameUtil(UsernameUtil):
    """Flask-Security's username rules, giving the stored (lower-case) form: the forms
    that check a username is free (registration, change username) look up what will be
    stored, and what they store is lower-case."""

    def normalize(self, username: str) -> str | None:
        return normalise_identity(super().normalize(username))

    def validate(self, username: str) -> tuple[str | None, str | None]:
        message, normalised = super().validate(username)
        return message, normalise_identity(normalised)


class UserDatastore(MongoEngineUserDatastore):
    def find_user(self, case_insensitive: bool = False, **kwargs: Any):
        for field in NORMALISED_FIELDS:
            if field in kwargs:
                if kwargs[field] is None:
                    return None
                kwargs[field] = normalise_identity(kwargs[field])
        return super().find_user(case_insensitive=False, **kwargs)

    def find_or_create_role(self, name: str, **kwargs: Any):
        """The role named ``name``; a built-in role that is missing is created with its
        default permissions (app/accounts/permissions.py)."""
        kwargs.setdefault("permissions", list(DEFAULT_PERMISSIONS.get(name, ())))
        return super().find_or_create_role(name, **kwargs)

    def create_user(self, **kwargs: Any):
        """Store identities lower-case; a user created without roles (self-registration)
        gets DEFAULT_USER_ROLE."""
        for field in NORMALISED_FIELDS:
            if kwargs.get(field) is not None:
                kwargs[field] = normalise_identity(kwargs[field])
        if not kwargs.get("roles"):
            kwargs["roles"] = [self.find_or_create_role(current_app.config["DEFAULT_USER_ROLE"])]
        kwargs["seq"] = paging.next_position(USERS)
        user = super().create_user(**kwargs)
        counter = paging.counters().find_one_and_update(
            {"_id": USERS},
            {"$inc": counts_of_account(user.to_mongo())},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        account = {"_id": user.pk, "username": user.username, "email": user.email}
        rank_new_account(user._get_collection(), account, counter["users"])
        return user

    def put(self, model):
        """Save; count an account's change of activation or confirmation, and move it in
        the ranks when its username or email changes (every change of these comes through
        here: Flask-Security's change-username and change-email, and ours)."""
        changed = set(getattr(model, "_get_changed_fields", list)()) if model.pk else set()
        counted = {"active", "confirmed_at", "roles"} & changed
        ranked = set(VALUE_RANKS) & changed
        if not counted and not ranked:
            return super().put(model)
        fields = dict.fromkeys(["active", "confirmed_at", "roles", *VALUE_RANKS], 1)
        before = model._get_collection().find_one({"_id": model.pk}, fields)
        saved = super().put(model)
        if before is None:
            return saved
        if counted:
            stored = {"active": model.active, "confirmed_at": model.confirmed_at}
            was, now = (
                counts_of_account(before),
                counts_of_account({**stored, "roles": model.roles}),
            )
            changes = {name: now.get(name, 0) - was.get(name, 0) for name in {*was, *now}}
            paging.add_counts(USERS, changes)
        for field in VALUE_RANKS:
            old, new = before.get(field), getattr(model, field)
            if old is not None and old != new:
                rerank_changed_value(model._get_collection(), model.pk, field, old, new)
        return saved

    def delete_user(self, user) -> None:
        stored = user._get_collection().find_one({"_id": user.pk})
        super().delete_user(user)
        if stored is not None:
            paging.add_counts(USERS, {name: -n for name, n in counts_of_account(stored).items()})
            unrank_deleted_account(user._get_collection(), stored)
