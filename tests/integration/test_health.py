"""/healthz names what is down."""

from __future__ import annotations

import pytest

from app import create_app
from app.embedded import start_redis
from app.processes import free_port


@pytest.mark.usefixtures("worker")
def test_healthz_is_ok_when_everything_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "mongodb",
        "redis",
        "worker",
    }


@pytest.fixture
def lonely_redis(tmp_path):
    """A Redis that no worker listens on."""
    server = start_redis(tmp_path / "redis", log_path=tmp_path / "redis.log")
    yield server.url
    server.stop()


def test_healthz_is_503_naming_the_worker_when_none_answers(settings, lonely_redis):
    app = create_app({**settings, "REDIS_URL": lonely_redis, "HEALTH_TIMEOUT_SECONDS": 0.5})

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["worker"]
    assert "no worker answered" in body["checks"]["worker"]["detail"]


def test_healthz_is_503_naming_mongodb_and_redis_when_they_are_down(settings):
    nothing = free_port()
    app = create_app(
        {
            **settings,
            "MONGODB_URI": f"mongodb://127.0.0.1:{nothing}/encore",
            "REDIS_URL": f"redis://127.0.0.1:{nothing}/0",
            "HEALTH_TIMEOUT_SECONDS": 0.5,
        }
    )

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "down"
    assert body["down"] == ["mongodb", "redis", "worker"]
    assert body["checks"]["worker"]["detail"] == "unreachable: redis is down"
