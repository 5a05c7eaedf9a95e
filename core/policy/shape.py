"""How big and how deep a policy document may be, checked before anything recurses into it.

A YAML alias can make a small file expand to a huge document, or even contain itself;
:func:`shape_problem` walks a document with an explicit stack and refuses one that nests
deeper than :data:`MAX_DEPTH` or holds more than :data:`MAX_VALUES` values. Every later
step (key normalisation, merging, validation) then recurses at most ``MAX_DEPTH`` deep and
copies a bounded amount.
"""

from __future__ import annotations

__all__ = ("MAX_DEPTH", "MAX_VALUES", "normalise_keys", "shape_problem")

import typing

from spamguard.core.errors import PolicyIssue
from spamguard.core.policy.issues import join, key_text

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

MAX_DEPTH = 64
"""How deeply a policy document may nest; the deepest real field is under ten levels."""
MAX_VALUES = 1_000_000
"""How many values (mappings, lists and scalars) a policy document may hold."""


def shape_problem(document: object) -> PolicyIssue | None:
    """Whether ``document`` nests deeper than :data:`MAX_DEPTH` or holds more than
    :data:`MAX_VALUES` values (counting each use of a YAML alias), as an issue.

    Walked with an explicit stack, so no shape of document can exhaust the interpreter's
    recursion limit.
    """
    stack: list[tuple[object, int, str]] = [(document, 0, "")]
    seen = 0
    while stack:
        value, depth, path = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            message = f"holds more than {MAX_VALUES} values; a policy holds far fewer"
            return PolicyIssue(path="", message=message)
        if isinstance(value, dict):
            children: Iterable[tuple[object, object]] = value.items()
        elif isinstance(value, list | tuple):
            children = enumerate(value)
        else:
            continue
        if depth == MAX_DEPTH:
            message = f"nested more than {MAX_DEPTH} levels deep; a policy is far shallower"
            return PolicyIssue(path=path, message=message)
        stack.extend((child, depth + 1, join(path, key_text(key))) for key, child in children)
    return None


def normalise_keys(value: typing.Any) -> typing.Any:
    """YAML gives ``0:`` as int and JSON as ``"0"``; compare keys as strings when merging."""
    if isinstance(value, dict):
        return {key_text(k): normalise_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_keys(v) for v in value]
    return value
