"""The problems found while a document is walked, and how paths and values are written.

Every validator of a policy document (the parser, the ``automod:`` section, Rowboat's
shapes, and the extensions' settings readers) reports into one :class:`Issues`, at a
dotted path (``spam.levels.0.max_messages.count``), describing the value it got with
:func:`show`.
"""

from __future__ import annotations

__all__ = ("LONGEST_INT_BITS", "Issues", "join", "key_text", "show")

from spamguard.core.errors import PolicyIssue

LONGEST_INT_BITS = 14_000
"""Integers longer than this (about 4,200 digits) are not turned into text: Python refuses
``str()`` past 4,300 digits."""


class Issues:
    """Collects problems while a document is walked."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[PolicyIssue] = []
        """The problems, in the order they were found."""

    def add(self, path: str, message: str) -> None:
        """Record a problem with the value at ``path`` (``""``: the whole document)."""
        self.items.append(PolicyIssue(path=path, message=message))


def join(path: str, key: object) -> str:
    """``path`` one level down, at ``key``."""
    return f"{path}.{key}" if path else str(key)


def key_text(key: object) -> str:
    """A mapping key as text; an integer too long for ``str()`` (over 4,300 digits) is
    shown by its size, so it is reported like any other bad key instead of raising."""
    if isinstance(key, int) and not isinstance(key, bool) and key.bit_length() > LONGEST_INT_BITS:
        return f"<an integer of {key.bit_length()} bits>"
    return str(key)


def show(value: object) -> str:
    """``value`` as an error message names what it got: a mapping, a list, or its repr."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool):
        return key_text(value)
    return repr(value)
