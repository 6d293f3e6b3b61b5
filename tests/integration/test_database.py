"""The MongoDB connection: flask-mongoengine bound once per app, the newest app's settings
in use, and a client of its own for a forked worker process."""

from __future__ import annotations

import mongoengine

from app.accounts.models import Role
from app.database import get_database, reconnect_mongodb
from tests.servers import with_database


def test_an_app_connects_with_its_own_settings_not_the_previous_apps(app, make_app, settings):
    with app.app_context():
        first = get_database().name

    other = make_app(MONGODB_URI=with_database(settings["MONGODB_URI"], f"{first}_other"))

    with other.app_context():
        assert get_database().name == f"{first}_other"
    assert other.config["MONGODB_SETTINGS"][0]["host"].endswith(f"/{first}_other")


def test_a_forked_process_gets_a_client_of_its_own(app):
    inherited = mongoengine.get_connection()

    reconnect_mongodb(app)

    own = mongoengine.get_connection()
    assert own is not inherited
    assert [state["conn"]["default"] for state in app.extensions["mongoengine"].values()] == [own]
    with app.app_context():
        assert Role.objects(name="Public").count() == 1
