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

from app import paging
from app.accounts.permissions import DEFAULT_PERMISSIONS

NORMALISED_FIELDS = ("email", "username")
#: The counter of accounts: how many there are, and the last position handed out.
USERS = "users"


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
        kwargs["seq"] = paging.next_position(USERS)  # the admin's list is cut by it
        user = super().create_user(**kwargs)
        paging.add_counts(USERS, {"users": 1})
        return user

    def delete_user(self, user) -> None:
        super().delete_user(user)
        paging.add_counts(USERS, {"users": -1})
