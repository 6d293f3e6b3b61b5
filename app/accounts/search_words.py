"""The words an account is found by in the admin's user search, stored on the account
(``User.search_words``, a multikey index) so that a search reads the accounts matching one
word instead of every account.

A searched word matches an account when it is a prefix of its email address (the whole
address: ``anna.k@ex`` finds anna.k@example.org, ``example.org`` does not), its username,
or its first or last name, in any case. The stored words are those four values,
lower-cased; :func:`app.paging.prefix_range` is the index range of the words starting with
a prefix.
"""

from __future__ import annotations

#: The account fields whose values are its words.
WORD_FIELDS = ("email", "username", "first_name", "last_name")


def words_of(account) -> list[str]:
    """The stored words of ``account`` (a User or its stored document): its distinct,
    non-empty WORD_FIELDS, lower-cased, sorted."""
    get = account.get if isinstance(account, dict) else lambda name: getattr(account, name)
    return sorted({(get(field) or "").lower() for field in WORD_FIELDS} - {""})


def matches(words: list[str], prefix: str) -> bool:
    """Whether one of ``words`` starts with ``prefix`` (lower-case)."""
    return any(word.startswith(prefix) for word in words)
