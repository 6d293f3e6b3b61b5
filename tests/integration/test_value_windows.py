"""Value pages on a collection shaped like a large library: walking every page by title
or by duration, the windowed shape gives MongoDB's natural pages, asks a handful of
windows per page and reads a few pages' worth of documents for each, never the rest."""

from __future__ import annotations

import random

import pytest

from app import paging, value_windows
from app.database import get_database

SIZE = 1500
PAGE = 25


@pytest.fixture
def tracks(app):
    """1,500 documents: most titles share a long numbered prefix, a few sit far from it
    on either side ("00 intro", "ünder"), some titles and durations tie, a tenth have no
    duration, and every seventh document was deleted."""
    rng = random.Random(3)
    with app.app_context():
        collection = get_database()["value_tracks"]
        collection.create_index([("owner", 1), ("title", 1), ("_id", 1)])
        collection.create_index([("owner", 1), ("duration", 1), ("_id", 1)])
        collection.create_index([("owner", 1), ("position", 1)])
        docs = []
        for position in range(1, SIZE + 1):
            title = f"track {rng.randrange(10**6):06d} take"
            if position % 97 == 0:
                title = rng.choice(("00 intro", "ünder", "untitled", "untitled"))
            duration = None if position % 10 == 0 else round(rng.uniform(30, 900), 1)
            docs.append({"owner": "a", "position": position, "title": title, "duration": duration})
        collection.insert_many(docs)
        collection.delete_many({"position": {"$in": list(range(7, SIZE + 1, 7))}})
        yield collection


class Counting:
    """The collection, counting the finds sent and the documents they return."""

    def __init__(self, collection):
        self.collection, self.finds, self.documents = collection, 0, 0

    def find(self, *args, **kwargs):
        found = list(self.collection.find(*args, **kwargs))
        self.finds += 1
        self.documents += len(found)
        return found


def walk(collection, field, axis, *, descending, windows):
    """Every page in turn: (ids of each page, finds of each page, documents of each)."""
    sample = paging.position_sample(
        collection, {"owner": "a"}, "position", last=SIZE, size=24, projection=[field]
    )
    pages, start = [], None
    while True:
        counting = Counting(collection)
        found = value_windows.value_page(
            counting,
            {"owner": "a"},
            field,
            axis,
            descending=descending,
            start=start,
            limit=PAGE + 1,
            count=SIZE,
            sample=lambda: [doc.get(field) for doc in sample],
            nullable=field == "duration",
            windows=windows,
        )
        pages.append(([doc["_id"] for doc in found[:PAGE]], counting.finds, counting.documents))
        if len(found) <= PAGE:
            return pages
        start = (found[PAGE - 1].get(field), found[PAGE - 1]["_id"])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    ("field", "axis"),
    [("title", value_windows.STRINGS), ("duration", value_windows.NUMBERS)],
    ids=["title", "duration"],
)
def test_every_page_reads_about_a_page(tracks, field, axis, descending):
    windowed = walk(tracks, field, axis, descending=descending, windows=True)
    natural = walk(tracks, field, axis, descending=descending, windows=False)

    assert [ids for ids, _, _ in windowed] == [ids for ids, _, _ in natural]
    order = sorted(
        tracks.find({"owner": "a"}),
        key=lambda doc: value_windows.order_key(doc, field),
        reverse=descending,
    )
    assert [i for ids, _, _ in windowed for i in ids] == [doc["_id"] for doc in order]
    # Documents without a duration tie: their pages read all of them (a stated limit).
    values = {doc["_id"]: doc.get(field) for doc in order}
    valued = [page for page in windowed if all(values[i] is not None for i in page[0])]
    assert len(valued) > len(windowed) * 3 // 4
    finds = [finds for _, finds, _ in valued]
    documents = [documents for _, _, documents in valued]
    assert max(finds) <= value_windows.MAX_WINDOWS + 1
    assert sum(finds) <= 4 * len(valued)
    # About a page on average (decimal numbers fill 10 of a title's 44 symbols, so a
    # window sized by rank holds a few times what was aimed at), never the rest.
    assert sum(documents) <= 6 * (PAGE + 1) * len(valued)
    assert max(documents) <= SIZE // 4
