"""Position pages: the windowed shape SecantusDB needs gives exactly what MongoDB's
natural shape gives, on the same data, with the gaps deletions leave."""

from __future__ import annotations

import random

import pytest

from app import paging
from app.database import get_database


@pytest.fixture
def items(app):
    """500 documents in two scopes, positions 1..n per owner, a third of them deleted
    (runs of gaps included), every one with a colour for a narrower scope."""
    rng = random.Random(7)
    with app.app_context():
        collection = get_database()["paging_items"]
        collection.create_index([("owner", 1), ("position", 1)])
        collection.create_index([("owner", 1), ("colour", 1), ("position", 1)])
        docs = []
        for owner in ("a", "b"):
            for position in range(1, 251):
                colour = "red" if rng.random() < 0.1 else "blue"
                docs.append({"owner": owner, "position": position, "colour": colour})
        collection.insert_many(docs)
        doomed = [doc["_id"] for doc in docs if rng.random() < 0.3]
        doomed += [
            doc["_id"] for doc in docs if doc["owner"] == "a" and 100 < doc["position"] < 180
        ]
        collection.delete_many({"_id": {"$in": doomed}})
        yield collection


def positions(docs: list[dict]) -> list[int]:
    return [doc["position"] for doc in docs]


@pytest.mark.parametrize("scope", [{"owner": "a"}, {"owner": "b"}, {"owner": "a", "colour": "red"}])
@pytest.mark.parametrize("limit", [1, 5, 26, 300])
@pytest.mark.parametrize("bound", [None, 1, 60, 150, 240, 251])
def test_windowed_pages_equal_natural_pages(items, scope, limit, bound):
    newest = dict(before=bound or 251)
    oldest = dict(after=bound or 0)
    compared = []
    for direction in (newest, oldest):
        natural = paging.natural_page(items, scope, "position", limit=limit, **direction)
        windowed = paging.windowed_page(
            items, scope, "position", last=250, limit=limit, **direction
        )
        assert positions(windowed) == positions(natural)
        compared += positions(natural)
    assert compared  # the data gives each case something to compare


def test_a_first_page_over_a_long_gap_takes_few_windows(items, monkeypatch):
    asked = []
    find = type(items).find
    monkeypatch.setattr(
        type(items), "find", lambda self, *a, **k: asked.append(a) or find(self, *a, **k)
    )

    page = paging.windowed_page(items, {"owner": "a"}, "position", before=181, last=250, limit=25)

    assert len(page) == 25
    assert max(positions(page)) < 101  # 101-179 are all deleted
    assert len(asked) <= 4


def test_walking_every_page_visits_each_document_once(items):
    seen, before = [], 251
    while True:
        page = paging.windowed_page(
            items, {"owner": "a"}, "position", before=before, last=250, limit=7
        )
        if not page:
            break
        seen += positions(page)
        before = page[-1]["position"]
    assert seen == sorted({doc["position"] for doc in items.find({"owner": "a"})}, reverse=True)


def test_positions_are_handed_out_once_each(app):
    with app.app_context():
        handed = [paging.next_position("test:scope") for _ in range(5)]
        other = paging.next_position("test:other")

    assert handed == [1, 2, 3, 4, 5]
    assert other == 1


def test_the_embedded_server_is_recognised(app):
    with app.app_context():
        collection = get_database()["paging_items"]
        info = collection.database.client.admin.command("buildInfo")

        assert paging.needs_windows(collection) == ("secantusVersion" in info)
