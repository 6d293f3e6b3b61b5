"""The string axis that value windows are cut on: a string's rank never goes down as the
string goes up, and the bound of a rank splits strings exactly where their ranks do, so
windows of ranks partition strings in their order with nothing lost or repeated."""

from __future__ import annotations

import itertools
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.value_windows import (
    NUMBERS,
    RANK_END,
    RANK_SYMBOLS,
    STRINGS,
    Density,
    string_bound,
    string_rank,
)

#: Characters from every symbol of the axis, and their edges, more often than chance.
EDGES = " !/09:`az{\x7f\x80\u02ff\u0300\x00\x1f\U0010ffff"
texts = st.text(
    alphabet=st.one_of(st.sampled_from(EDGES), st.sampled_from("song 0123"), st.characters()),
    max_size=16,
)
ranks = st.one_of(
    st.integers(min_value=0, max_value=RANK_END + 5),
    texts.map(string_rank),
    texts.map(lambda text: string_rank(text) + 1),
    texts.map(lambda text: string_rank(text) - 1),
)


@given(texts, texts)
@example("!z", "#a")
@example("song 9", "song 10")
def test_rank_keeps_the_order_of_strings(a, b):
    low, high = sorted((a, b))

    assert string_rank(low) <= string_rank(high)
    assert 0 <= string_rank(high) < RANK_END


@settings(max_examples=2000)
@given(texts, ranks)
@example("", 0)
@example("", 1)
@example("z" * 20, RANK_END - 1)
@example("\U0010ffff", RANK_END)
def test_a_bound_splits_strings_where_their_ranks_split(text, rank):
    bound = string_bound(rank)

    if bound is None:
        assert string_rank(text) < rank
    else:
        assert (text >= bound) == (string_rank(text) >= rank)


@given(texts)
def test_the_bound_of_a_strings_rank_is_at_most_the_string(text):
    bound = string_bound(string_rank(text))

    assert bound is not None
    assert bound <= text
    assert string_rank(bound) == string_rank(text)
    above = string_bound(string_rank(text) + 1)
    assert above is None or text < above


def test_long_shared_prefixes_still_rank_apart():
    titles = [f"song {number:06d} of the bench" for number in range(0, 100_000, 7)]

    found = [string_rank(title) for title in titles]

    assert found == sorted(found)
    assert len(set(found)) == len(titles)  # distinct ranks: windows can split them


def test_ranks_read_a_fixed_number_of_characters():
    assert string_rank("a" * RANK_SYMBOLS) == string_rank("a" * RANK_SYMBOLS + "zzz")
    assert string_rank("a" * (RANK_SYMBOLS - 1)) < string_rank("a" * RANK_SYMBOLS)


def test_windows_of_ranks_partition_random_strings():
    rng = random.Random(5)
    alphabet = "abz 09-!éÉ\u4e2d"
    strings = sorted({"".join(rng.choices(alphabet, k=rng.randint(0, 14))) for _ in range(3000)})
    cuts = sorted({rng.randrange(RANK_END) for _ in range(60)} | {string_rank(strings[50])})
    edges = [0, *cuts, RANK_END]

    walked = []
    for low, high in itertools.pairwise(edges):
        low_bound, high_bound = string_bound(low), string_bound(high)
        walked += [
            s
            for s in strings
            if (low_bound is not None and s >= low_bound) and (high_bound is None or s < high_bound)
        ]

    assert walked == strings


def test_density_sizes_a_window_to_the_documents_asked():
    rng = random.Random(3)
    durations = sorted(rng.uniform(60, 400) for _ in range(10_000))
    density = Density(NUMBERS, durations[::400], len(durations))
    edge = durations[5000]

    up = density.width(edge, 50, descending=False)
    down = density.width(edge, 50, descending=True)

    assert 25 <= len([d for d in durations if edge <= d < edge + up]) <= 100
    assert 25 <= len([d for d in durations if edge - down <= d < edge]) <= 100


def test_density_of_numbered_titles_is_right_within_a_few_times():
    """Decimal numbers fill 10 of the axis's symbols: between two sampled titles the
    documents are not spread evenly, and the next window corrects from what it saw."""
    titles = [f"song {number:06d}" for number in range(10_000)]
    density = Density(STRINGS, [string_rank(t) for t in titles[::400]], len(titles))
    edge = string_rank(titles[5000])

    width = density.width(edge, 50, descending=False)

    assert 10 <= len([t for t in titles if edge <= string_rank(t) < edge + width]) <= 500
