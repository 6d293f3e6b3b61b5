"""Test data: one factory_boy factory per document, built the way the app builds it.

- Users go through Flask-Security's datastore, as registration does (``roles`` are role
  names; none gives the default role). Traits: ``admin``, ``unconfirmed``, ``inactive``.
  ``UserFactory.build(password=None)`` makes an unsaved user without hashing a password,
  for inserting many at once.
- Albums go through ``app.library.albums.create_album``.
- Songs store their audio in GridFS (``store_stream``), then the document is saved with
  whatever status and facts the test gives. The app's own way in, ``create_song``, queues
  the song for a worker, which arranging a listing or a permission check must not do.
- Notifications go through ``app.notifications.services.add_notification``.

Factories build inside the app of the running test: the ``app`` fixture hands it to
:func:`use_app`; inside an app context, that context's app is used.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import factory
from flask import Flask, current_app, has_app_context
from flask_security import hash_password

from app.accounts.models import ADMIN_ROLE, User
from app.accounts.services import role_named
from app.library import counters
from app.library.albums import create_album
from app.library.models import Album, Song
from app.notifications.models import Notification
from app.notifications.services import add_notification
from app.storage import store_stream
from tests.fixtures import audio_file

#: The password every factory-made user has.
TEST_PASSWORD = "correct horse battery staple"
#: A password the registration and change-password rules accept.
STRONG_PASSWORD = "blue-velvet-harmonica-42"
MP3 = audio_file("tone-440hz-5s.mp3")


class _Bound:
    app: Flask | None = None


def use_app(app: Flask | None) -> None:
    """Build in ``app`` from now on (None: in no app)."""
    _Bound.app = app


@contextmanager
def _in_app() -> Iterator[None]:
    if has_app_context():
        yield
        return
    if _Bound.app is None:
        raise RuntimeError("factories need an app: request the `app` fixture")
    with _Bound.app.app_context():
        yield


class UserFactory(factory.Factory):
    """A confirmed, active member with TEST_PASSWORD."""

    class Meta:
        model = User

    class Params:
        admin = factory.Trait(roles=[ADMIN_ROLE])
        unconfirmed = factory.Trait(confirmed_at=None)
        inactive = factory.Trait(active=False)

    username = factory.Sequence(lambda number: f"member{number}")
    email = factory.Sequence(lambda number: f"member{number}@example.org")
    first_name = "Member"
    last_name = factory.Sequence(str)
    password = TEST_PASSWORD
    roles = factory.LazyFunction(list)
    confirmed_at = factory.LazyFunction(lambda: datetime.now(UTC))
    active = True

    @classmethod
    def _build(cls, model_class, *, password, roles, **fields):
        with _in_app():
            return model_class(
                password=password and hash_password(password),
                roles=[role_named(name) for name in roles or [_default_role()]],
                fs_uniquifier=uuid.uuid4().hex,
                **fields,
            )

    @classmethod
    def _create(cls, model_class, *, password, roles, **fields):
        with _in_app():
            datastore = current_app.extensions["security"].datastore
            user = datastore.create_user(
                password=hash_password(password),
                roles=[role_named(name) for name in roles],
                **fields,
            )
            datastore.commit()
        return user


def _default_role() -> str:
    return current_app.config["DEFAULT_USER_ROLE"]


class AlbumFactory(factory.Factory):
    class Meta:
        model = Album

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda number: f"Album {number}")
    artist = ""
    year = None

    @classmethod
    def _create(cls, model_class, *, owner, **fields):
        with _in_app():
            return create_album(owner, **fields)


class SongFactory(factory.Factory):
    """A song whose audio is in GridFS (the five-second MP3 unless ``content`` is given),
    ``queued`` unless ``status`` says otherwise; no worker is asked to process it."""

    class Meta:
        model = Song

    owner = factory.SubFactory(UserFactory)
    title = "Song"
    content = factory.LazyFunction(MP3.read_bytes)
    original_filename = "song.mp3"

    @classmethod
    def _create(cls, model_class, *, content, original_filename, **fields):
        with _in_app():
            stored = store_stream(
                [content],
                original_filename=original_filename,
                content_type="audio/mpeg",
                max_bytes=len(content) + 1,
            )
            song = model_class(
                file_id=stored.file_id,
                storage_name=stored.storage_name,
                original_filename=stored.original_filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                **fields,
            )
            counters.give_positions(song)  # as the pipeline does for a new song
            song.save()
            counters.count_added(song)
            return song


class NotificationFactory(factory.Factory):
    """An unread notification, pushed to the user's open pages as the app pushes any."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda number: f"Notification {number}")
    link = ""
    kind = "info"

    @classmethod
    def _create(cls, model_class, *, user, **fields):
        with _in_app():
            return add_notification(str(user.id), **fields)
