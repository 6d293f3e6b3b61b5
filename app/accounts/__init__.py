"""Accounts: users, roles and Flask-Security-Too."""

from __future__ import annotations

from flask import Flask

from app.accounts.datastore import UserDatastore
from app.accounts.models import Role, User
from app.extensions import security


def init_accounts(app: Flask) -> None:
    """Bind Flask-Security to our MongoEngine models."""
    import mongoengine

    datastore = UserDatastore(mongoengine, User, Role)
    security.init_app(app, datastore)
