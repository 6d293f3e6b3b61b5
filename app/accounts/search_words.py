"""The words an account is found by in the admin's user search, stored on the account
(``User.search_words``, a multikey index) so that a search reads the accounts matching one
word instead of every account.

A searched word matches an account when it is a prefix of its email address (the whole
address: ``anna.k@ex`` finds anna.k@example.org, ``example.org`` does not), its username,
or its first or last name, in any case. The stored words are those four values,
lower-cased; :func:`prefix_range` is the index range of the words starting with a prefix.
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


def prefix_range(prefix: str) -> dict:
    """``$gte``/``$lt`` bounds holding exactly the strings that start with ``prefix`` (not
    empty): MongoDB and SecantusDB compare strings by UTF-8 bytes, which is code point
    order, so the end is ``prefix`` with its last character's successor."""
    head, last = prefix[:-1], ord(prefix[-1])
    while last == 0x10FFFF:  # no successor: the range ends after the shorter prefix
        if not head:
            return {"$gte": prefix}
        head, last = head[:-1], ord(head[-1])
    following = last + 1 if last + 1 != 0xD800 else 0xE000  # surrogates are not text
    return {"$gte": prefix, "$lt": head + chr(following)}
