"""What a key of a policy document can hold: :class:`Kind`, :class:`Field` and the limits.

The tables of :mod:`.rule_keys` and :mod:`.keys` list every key as a :class:`Field`; the one value reader
(:mod:`.reader`), the JSON Schema and the reference page read a field's kind, default and
limits from it.
"""

from __future__ import annotations

__all__ = (
    "LONGEST_ID_TEXT",
    "LONGEST_NUMBER_TEXT",
    "LONGEST_SECONDS",
    "MAX_DURATION",
    "Field",
    "Kind",
    "default_of",
    "example_of",
)

import dataclasses
import enum
import typing

MAX_DURATION = 315_360_000
"""Ten years, in seconds: the longest punishment a policy may ask for. A scheduled undo
further away is a typo, and a date past the year 9999 cannot even be represented."""
LONGEST_ID_TEXT = 20
"""Digits a Discord id written as text may have (2**64 has 20)."""
LONGEST_NUMBER_TEXT = 40
"""Digits a number written as text may have (a Discord id has at most 20)."""
LONGEST_SECONDS = 1e15
"""A number of seconds past this (30 million years) is refused before any arithmetic."""


class Kind(enum.Enum):
    """What a key holds, which decides how it is validated and described."""

    INTEGER = "integer"
    SECONDS = "number of seconds"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    SNOWFLAKE = "Discord id"
    IDS = "list of Discord ids"
    TEMPLATE = "text or embed"
    NAMES = "list of names"
    URL = "URL"
    SETTINGS = "mapping"
    ANY = "anything"
    SPECIAL = "section"
    """A section with its own parser and its own description in the generators."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One key of a policy document."""

    name: str
    """The key as written in the document."""
    kind: Kind
    """What it holds."""
    doc: str
    """What it does, one or two sentences (Markdown)."""
    default: typing.Any = None
    """The value when the key is absent (``None``: none)."""
    minimum: float | None = None
    """Smallest value allowed (numbers); for :attr:`Kind.SECONDS`, 0 allows zero and
    ``None`` asks for a positive number."""
    maximum: float | None = None
    """Largest value allowed (numbers)."""
    choices: type[enum.StrEnum] | None = None
    """The allowed values of a :attr:`Kind.CHOICE` (written in any case)."""
    null: str | None = None
    """What ``null`` means when it is not "the default" (a notice: none is sent)."""
    required: bool = False
    """Whether the key must be given (in a partial per-guild override it never must)."""
    example: typing.Any = None
    """An example value; the default, or one made from the kind, when ``None``."""


def default_of(cls: type, name: str) -> typing.Any:
    """The default of a policy dataclass's field: the validator's and the value's agree."""
    return cls.__dataclass_fields__[name].default  # type: ignore[attr-defined]


_KIND_EXAMPLES: typing.Mapping[Kind, typing.Any] = {
    Kind.INTEGER: 1,
    Kind.SECONDS: 30,
    Kind.BOOLEAN: True,
    Kind.SNOWFLAKE: 123456789012345678,
    Kind.IDS: [123456789012345678],
    Kind.TEMPLATE: "Hey $MENTIONMEMBER, please stop spamming.",
    Kind.NAMES: ["stats"],
    Kind.URL: "redis://localhost:6379/0",
    Kind.SETTINGS: {},
    Kind.ANY: None,
}


def example_of(field: Field) -> typing.Any:
    """An example value of ``field``: its own, else its default, else one of its kind."""
    if field.example is not None:
        return field.example
    if field.kind is Kind.CHOICE:
        return str(field.default) if field.default is not None else None
    if field.default not in (None, ()):
        return field.default
    return _KIND_EXAMPLES.get(field.kind)
