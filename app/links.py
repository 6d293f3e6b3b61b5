"""Links a page builds to itself (next page, first page) carry only the query arguments
the page knows.

Whatever else a visitor adds stays out: handed to ``url_for`` it would collide with its
own parameters (``_method``, ``_scheme``, ``_external``, ``_anchor``, ``endpoint``) and
turn the page into a 500, or ride along into every link the page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def carried_args(args: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The values of ``args`` named in ``names``, in the order they came."""
    known = set(names)
    return {name: value for name, value in args.items() if name in known}
