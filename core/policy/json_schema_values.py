"""The JSON Schema of one value of each kind (:class:`~.fields.Kind`), for :mod:`.json_schema`.

A key's schema is made from its :class:`~.fields.Field`: its kind, limits, default,
example and doc, the same description the validator (:mod:`.reader`) reads.
"""

from __future__ import annotations

__all__ = (
    "DIGITS",
    "ID_TEXT",
    "LEVEL_TEXT",
    "SNOWFLAKE",
    "TEMPLATE",
    "Schema",
    "any_case",
    "describe",
    "nullable",
    "value_schema",
)

import enum
import json
import re
import typing

from spamguard.core.policy.fields import (
    LONGEST_ID_TEXT,
    LONGEST_NUMBER_TEXT,
    LONGEST_SECONDS,
    Field,
    Kind,
    example_of,
)

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

Schema = dict[str, typing.Any]
"""A JSON Schema, or a part of one."""

DIGITS = f"^[0-9]{{1,{LONGEST_NUMBER_TEXT}}}$"
"""A whole number written as text (a level, a role id)."""
ID_TEXT = f"^[0-9]{{1,{LONGEST_ID_TEXT}}}$"
LEVEL_TEXT = f"^-?[0-9]{{1,{LONGEST_NUMBER_TEXT}}}$"
"""A level written as a key: below 0 for new members (see ``new_members``)."""
"""A Discord id written as text (at most 20 digits)."""
SNOWFLAKE: Schema = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "exclusiveMaximum": 2**64},
        {"type": "string", "pattern": ID_TEXT},
    ]
}
TEMPLATE: Schema = {
    "anyOf": [
        {"type": "string"},
        {"type": "object", "description": "A Discord embed; its texts may hold $VARIABLES."},
    ]
}


def any_case(values: Iterable[str]) -> str:
    """A pattern matching ``values`` in any case (JSON Schema patterns take no flags)."""
    letters = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in value)
        for value in values
    )
    return f"^({'|'.join(letters)})$"


def nullable(schema: Schema) -> Schema:
    """``schema``, or ``null``."""
    return {"anyOf": [schema, {"type": "null"}]}


def value_schema(field: Field) -> Schema:
    """The schema of one plain (not :attr:`Kind.SPECIAL`) field's value, null excluded."""
    kind = field.kind
    if kind is Kind.INTEGER:
        schema: Schema = {
            "type": "integer",
            "minimum": 1 if field.minimum is None else field.minimum,
        }
        if field.maximum is not None:
            schema["maximum"] = field.maximum
        return schema
    if kind is Kind.SECONDS:
        bound = "minimum" if field.minimum == 0 else "exclusiveMinimum"
        if field.maximum is not None:
            return {"type": "number", bound: 0, "maximum": field.maximum}
        return {"type": "number", bound: 0, "exclusiveMaximum": LONGEST_SECONDS}
    if kind is Kind.BOOLEAN:
        return {"type": "boolean"}
    if kind is Kind.CHOICE:
        assert field.choices is not None
        values = [member.value for member in field.choices]
        # The enum is what editors offer; the pattern takes any case, as the validator does.
        return {"anyOf": [{"enum": values}, {"type": "string", "pattern": any_case(values)}]}
    if kind is Kind.SNOWFLAKE:
        return SNOWFLAKE
    if kind is Kind.IDS:
        return {"type": "array", "items": SNOWFLAKE}
    if kind is Kind.TEMPLATE:
        return TEMPLATE
    if kind is Kind.NAMES:
        return {"type": "array", "items": {"type": "string"}}
    if kind is Kind.URL:
        return {"type": "string", "pattern": "://"}
    if kind is Kind.SETTINGS:
        return {"type": "object"}
    return {}


def describe(field: Field, schema: Schema) -> Schema:
    """``schema`` with the field's description, default and example."""
    text = field.doc
    if field.null is not None:
        text += f" `null`: {field.null}."
    described: Schema = {"description": text, **schema}
    if field.default not in (None, ()):
        default = field.default
        described["default"] = default.value if isinstance(default, enum.Enum) else default
    example = example_of(field)
    if example is not None:
        described["examples"] = [json.loads(json.dumps(example))]
    return described
