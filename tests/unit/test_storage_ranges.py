"""What a GET or HEAD for a stored file is answered: 200, 206, 304 or 416 (RFC 9110)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from app.storage.ranges import RangeDecision, decide_range

SIZE = 10_000
ETAG = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def decide(method: str = "GET", size: int = SIZE, **headers: str) -> RangeDecision:
    named = Headers([(name.replace("_", "-"), value) for name, value in headers.items()])
    return decide_range(named, size=size, etag=ETAG, method=method)


def test_no_range_is_the_whole_file():
    decision = decide()

    assert (decision.status, decision.start, decision.end) == (200, 0, SIZE - 1)
    assert decision.length == SIZE
    assert decision.content_range is None


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=0-0", 0, 0),
        ("bytes=100-", 100, SIZE - 1),  # open range
        ("bytes=-500", SIZE - 500, SIZE - 1),  # suffix range
        (f"bytes=-{SIZE}", 0, SIZE - 1),
        (f"bytes=-{SIZE * 3}", 0, SIZE - 1),  # suffix longer than the file: all of it
        (f"bytes=9000-{SIZE * 5}", 9000, SIZE - 1),  # end past the file: clamped
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE - 1),
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE - 1),
        ("BYTES=10-19", 10, 19),  # the unit is case-insensitive
        ("bytes= 10 - 19", 10, 19),  # Werkzeug tolerates spaces
    ],
)
def test_one_satisfiable_range_is_206(header, start, end):
    decision = decide(Range=header)

    assert (decision.status, decision.start, decision.end) == (206, start, end)
    assert decision.length == end - start + 1
    assert decision.content_range == f"bytes {start}-{end}/{SIZE}"


@pytest.mark.parametrize(
    "header", [f"bytes={SIZE}-", f"bytes={SIZE}-{SIZE + 10}", "bytes=99999999999999999999-"]
)
def test_first_byte_past_the_end_is_416(header):
    decision = decide(Range=header)

    assert decision.status == 416
    assert decision.content_range == f"bytes */{SIZE}"
    assert decision.length == 0


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",  # malformed
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=--5",
        "bytes=5",
        "bytes=0-1,",
        "bytes=500-100",  # reversed: invalid syntax (RFC 9110 §14.1.1), ignored
        "bytes=-0",  # rejected by Werkzeug's parser: ignored
        "items=0-5",  # another unit
        "bytes=0-1,5-6",  # several ranges: the whole file instead of multipart/byteranges
        "bytes=0-0,-1",
        f"bytes={SIZE}-,{SIZE + 1}-",  # even when none of them is satisfiable
    ],
)
def test_ranges_we_ignore_get_the_whole_file(header):
    decision = decide(Range=header)

    assert (decision.status, decision.start, decision.end) == (200, 0, SIZE - 1)
    assert decision.content_range is None


def test_head_ignores_range_because_range_is_defined_for_get_only():
    decision = decide("HEAD", Range="bytes=0-9")

    assert (decision.status, decision.length) == (200, SIZE)


def test_an_empty_file_ignores_range():
    decision = decide(size=0, Range="bytes=0-9")

    assert (decision.status, decision.length) == (200, 0)


@pytest.mark.parametrize(
    "value",
    [
        f'"{ETAG}"',
        f'W/"{ETAG}"',  # weak comparison: a weak tag matches
        f'"other", "{ETAG}"',
        "*",
        ETAG,  # unquoted: invalid syntax, but Werkzeug reads it as this tag
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_that_matches_is_304(value, method):
    decision = decide(method, If_None_Match=value)

    assert decision.status == 304
    assert decision.length == 0
    assert decision.content_range is None


def test_if_none_match_wins_over_range():
    decision = decide(If_None_Match=f'"{ETAG}"', Range="bytes=0-9")

    assert decision.status == 304


@pytest.mark.parametrize("value", ['"other"', 'W/"other"', f'"{ETAG[:-1]}"', "garbage", ""])
def test_if_none_match_that_does_not_match_is_served(value):
    assert decide(If_None_Match=value).status == 200
    assert decide(If_None_Match=value, Range="bytes=0-9").status == 206


def test_if_range_with_our_etag_serves_the_range():
    decision = decide(Range="bytes=0-9", If_Range=f'"{ETAG}"')

    assert (decision.status, decision.start, decision.end) == (206, 0, 9)


@pytest.mark.parametrize(
    "value",
    [
        '"other"',
        f'W/"{ETAG}"',  # If-Range uses strong comparison: a weak tag never matches
        ETAG,  # not a quoted entity tag
        "Wed, 21 Oct 2015 07:28:00 GMT",  # a date: we send no Last-Modified to compare
    ],
)
def test_if_range_that_does_not_hold_sends_the_whole_file(value):
    decision = decide(Range="bytes=0-9", If_Range=value)

    assert (decision.status, decision.length) == (200, SIZE)


def test_if_range_that_does_not_hold_wins_over_416():
    decision = decide(Range=f"bytes={SIZE}-", If_Range='"other"')

    assert decision.status == 200


def test_if_range_without_range_is_ignored():
    assert decide(If_Range='"other"').status == 200


def test_a_plain_mapping_of_headers_works_too():
    decision = decide_range({"Range": "bytes=5-"}, size=SIZE, etag=ETAG)

    assert (decision.status, decision.start) == (206, 5)
