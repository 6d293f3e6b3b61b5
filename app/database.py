"""The MongoDB connection and the base of our documents, through flask-mongoengine.

``init_mongodb`` binds one ``MongoEngine`` per app: a shared instance keeps the settings
of the first app it was given, and tests build an app per test. ``Document`` gives every
model flask-mongoengine's queryset helpers (``get_or_404``, ``first_or_404``,
``paginate``), whose 404 is our ``NotFound``, rendered like every other error.
"""

from __future__ import annotations

import math

import mongoengine
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mongoengine import MongoEngine
from flask_mongoengine.connection import create_connections
from flask_mongoengine.documents import BaseQuerySet
from flask_mongoengine.documents import Document as FlaskDocument
from flask_mongoengine.pagination import Pagination
from pymongo.database import Database
from werkzeug.exceptions import NotFound as PageNotFound

from app.errors import NotFound

ALIAS = mongoengine.DEFAULT_CONNECTION_NAME


def init_mongodb(app: Flask, *, connect_now: bool = True) -> MongoEngine:
    """Connect MongoEngine's default alias to ``MONGODB_URI`` (``app.extensions["mongoengine"]``).

    ``connect_now=False`` defers the first socket until first use, which is what a
    Celery parent process needs so its forked children do not share a client. The app
    built last in a process owns the connection.
    """
    # app/config.py derives the settings from MONGODB_URI; when to connect is the
    # process's choice, not a setting.
    app.config["MONGODB_SETTINGS"] = [
        {**connection, "connect": connect_now} for connection in app.config["MONGODB_SETTINGS"]
    ]
    mongoengine.disconnect(ALIAS)
    return MongoEngine(app)


def reconnect_mongodb(app: Flask) -> None:
    """Give a forked process a client of its own instead of its parent's."""
    mongoengine.disconnect(ALIAS)
    for state in app.extensions["mongoengine"].values():
        state["conn"] = create_connections(app.config)


def get_database() -> Database:
    """The pymongo database behind MongoEngine's default alias."""
    return mongoengine.get_db(ALIAS)


#: What a 404 says for each kind of document, in the reader's language.
_NOT_FOUND = {
    "song": _l("No such song."),
    "album": _l("No such album."),
    "notification": _l("No such notification."),
    "user": _l("No such user."),
    "role": _l("No such role."),
}


class QuerySet(BaseQuerySet):
    """flask-mongoengine's queryset, whose ``get_or_404`` and ``first_or_404`` raise our
    NotFound ("No such song." for a Song, unless ``_message_404`` says otherwise). A value
    its field cannot hold, such as an id that is not an ObjectId, matches nothing: a 404
    as well, not a 500."""

    def get_or_404(self, *args, _message_404: str | None = None, **kwargs):
        try:
            return super().get_or_404(*args, _message_404=_message_404, **kwargs)
        except mongoengine.ValidationError:
            self._abort_404(_message_404)

    def first_or_404(self, _message_404: str | None = None):
        try:
            return super().first_or_404(_message_404)
        except mongoengine.ValidationError:
            self._abort_404(_message_404)

    def _abort_404(self, _message_404: str | None) -> None:
        kind = self._document.__name__.lower()
        raise NotFound(_message_404 or str(_NOT_FOUND.get(kind, _("No such %(kind)s.", kind=kind))))


class Document(FlaskDocument):
    """The base of our documents: ``Model.objects`` is a :class:`QuerySet`."""

    meta = {"abstract": True, "queryset_class": QuerySet}


def page_of(query: QuerySet, page: int, per_page: int) -> Pagination:
    """``query.paginate``: one page of ``per_page`` documents, with the total and the
    number of pages. A page past the end (its last rows were just deleted, say) is the
    last page rather than flask-mongoengine's 404."""
    try:
        return query.paginate(page=page, per_page=per_page)
    except PageNotFound:
        if page < 1:
            raise
        last = max(1, math.ceil(query.count() / per_page))
        return query.paginate(page=last, per_page=per_page)
