"""The MongoDB connection: plain ``mongoengine.connect``, one per process.

flask-mongoengine is not used: it does not import on Flask >= 2.3 and is unmaintained.
"""

from __future__ import annotations

import mongoengine
from flask import Flask
from pymongo.database import Database

ALIAS = mongoengine.DEFAULT_CONNECTION_NAME


def connect_mongodb(app: Flask, *, connect_now: bool = True) -> None:
    """Connect the default MongoEngine alias to ``MONGODB_URI``.

    ``connect_now=False`` defers the first socket until first use, which is what a
    Celery parent process needs so its forked children do not share a client.
    """
    mongoengine.disconnect(ALIAS)
    mongoengine.connect(
        host=app.config["MONGODB_URI"],
        alias=ALIAS,
        uuidRepresentation="standard",
        tz_aware=True,
        connect=connect_now,
        serverSelectionTimeoutMS=5000,
    )


def get_database() -> Database:
    """The pymongo database behind MongoEngine's default alias."""
    return mongoengine.get_db(ALIAS)
