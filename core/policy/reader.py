"""The one reader of field values: each kind of value checked once, for every document.

The policy parser (:mod:`.parse`) reads every plain key through :func:`read_field`, which
dispatches on the key's :class:`~.fields.Kind`; the extensions' settings readers
(:class:`spamguard.contrib.settings.SettingsReader`) call the same functions, so a value
is judged and a problem worded the same way wherever it is written. Each function reports
into :class:`~.issues.Issues` at ``path`` and returns the value read, or the default (or
``None``) when the value is refused.
"""

from __future__ import annotations

__all__ = (
    "as_snowflake",
    "is_number",
    "read_boolean",
    "read_choice",
    "read_enum",
    "read_field",
    "read_fields",
    "read_ids",
    "read_integer",
    "read_mapping",
    "read_names",
    "read_seconds",
    "read_snowflake",
    "read_template",
    "read_url",
)

import difflib
import enum
import math
import typing

from spamguard.core.policy.fields import (
    LONGEST_ID_TEXT,
    LONGEST_NUMBER_TEXT,
    LONGEST_SECONDS,
    Field,
    Kind,
)
from spamguard.core.policy.issues import join, show

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from spamguard.core.policy.issues import Issues

_E = typing.TypeVar("_E", bound=enum.StrEnum)


def read_mapping(
    issues: Issues, path: str, value: object, allowed: Iterable[str], *, what: str = "a mapping"
) -> dict[str, typing.Any]:
    """``value`` as a dict with string keys; unknown keys reported, with a close match."""
    if not isinstance(value, dict):
        issues.add(path, f"must be {what}, got {show(value)}")
        return {}
    allowed = tuple(allowed)
    result: dict[str, typing.Any] = {}
    for key, item in value.items():
        name = str(key)
        if name not in allowed:
            hint = difflib.get_close_matches(name, allowed, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            issues.add(join(path, name), f"unknown key{suggestion}; allowed: {', '.join(allowed)}")
            continue
        result[name] = item
    return result


def is_number(text: str) -> bool:
    """Whether ``text`` is a whole number ``int()`` takes: ASCII digits (``isdigit()`` alone
    also accepts superscripts like ``²``), short enough to convert."""
    return text.isascii() and text.isdigit() and len(text) <= LONGEST_NUMBER_TEXT


def as_snowflake(value: object) -> int | None:
    """``value`` as a Discord id: a positive integer below 2**64, or one written in at most
    :data:`LONGEST_ID_TEXT` ASCII digits; ``None`` when it is not one."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) <= LONGEST_ID_TEXT else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
        return None
    return value


def read_boolean(issues: Issues, path: str, value: object, default: bool) -> bool:
    """``true`` or ``false``."""
    if value is None:
        return default
    if not isinstance(value, bool):
        issues.add(path, f"must be true or false, got {show(value)}")
        return default
    return value


def read_integer(
    issues: Issues,
    path: str,
    value: object,
    default: int,
    *,
    minimum: int = 1,
    maximum: int | None = None,
) -> int:
    """An integer within ``minimum..maximum``."""
    if value is None:
        return default
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if maximum is not None:
        kind = f"an integer from {minimum} to {maximum}"
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        issues.add(path, f"must be {kind}, got {show(value)}")
        return default
    return value


def read_seconds(
    issues: Issues,
    path: str,
    value: object,
    default: float,
    *,
    allow_zero: bool = False,
    maximum: float | None = None,
) -> float:
    """A finite, positive number of seconds (or zero, with ``allow_zero``), at most
    ``maximum`` when given."""
    if value is None:
        return default
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < LONGEST_SECONDS
        and math.isfinite(value)
        and (maximum is None or value <= maximum)
    )
    if ok and (value > 0 or (allow_zero and value == 0)):  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    kind = "a number of seconds >= 0" if allow_zero else "a positive number of seconds"
    if maximum is not None:
        kind += f" up to {maximum:g}"
    issues.add(path, f"must be {kind}, got {show(value)}")
    return default


def read_snowflake(issues: Issues, path: str, value: object) -> int | None:
    """A Discord id (see :func:`as_snowflake`)."""
    snowflake = as_snowflake(value)
    if snowflake is None:
        issues.add(path, f"must be a Discord id (a positive integer), got {show(value)}")
    return snowflake


def read_ids(issues: Issues, path: str, value: object) -> frozenset[int]:
    """A list of Discord ids; each bad one reported at its index."""
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple | set | frozenset):
        issues.add(path, f"must be a list of Discord ids, got {show(value)}")
        return frozenset()
    result = set()
    for index, item in enumerate(value):
        snowflake = read_snowflake(issues, join(path, index), item)
        if snowflake is not None:
            result.add(snowflake)
    return frozenset(result)


def read_choice(issues: Issues, path: str, value: object, choices: Iterable[str]) -> str | None:
    """One of ``choices``, written in any case; returns the choice's own spelling."""
    if value is None:
        return None
    choices = tuple(choices)
    if isinstance(value, str):
        for choice in choices:
            if choice.lower() == value.lower():
                return choice
    issues.add(path, f"must be one of {', '.join(choices)}, got {show(value)}")
    return None


def read_enum(issues: Issues, path: str, value: object, enum_type: type[_E]) -> _E | None:
    """A member of ``enum_type``, by its value written in any case."""
    choice = read_choice(issues, path, value, (member.value for member in enum_type))
    return None if choice is None else enum_type(choice)


def read_template(issues: Issues, path: str, value: object, default: object) -> typing.Any:
    """A notice: a text, an embed mapping, or ``None``."""
    if value is None:
        return None
    if isinstance(value, str | dict):
        return value
    issues.add(path, f"must be a text or an embed mapping, or null, got {show(value)}")
    return default


def read_names(issues: Issues, path: str, value: object) -> frozenset[str]:
    """A list of names (of extensions)."""
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        issues.add(path, f"must be a list of extension names, got {show(value)}")
        return frozenset()
    return frozenset(value)


def read_url(issues: Issues, path: str, url: object) -> str | None:
    """A connection URL (``scheme://...``)."""
    if not isinstance(url, str) or "://" not in url:
        issues.add(path, f"must be a connection URL like redis://localhost:6379/0, got {show(url)}")
        return None
    return url


def read_field(issues: Issues, path: str, value: object, field: Field) -> typing.Any:
    """``value`` validated as ``field`` describes it (its kind, limits and default)."""
    kind = field.kind
    if value is None:
        if field.null is not None:
            return None
        if kind in (Kind.IDS, Kind.NAMES) and field.default is not None:
            return frozenset(field.default)
        return field.default
    if kind is Kind.INTEGER:
        minimum = 1 if field.minimum is None else int(field.minimum)
        maximum = None if field.maximum is None else int(field.maximum)
        return read_integer(issues, path, value, field.default, minimum=minimum, maximum=maximum)
    if kind is Kind.SECONDS:
        return read_seconds(
            issues,
            path,
            value,
            field.default,
            allow_zero=field.minimum == 0,
            maximum=field.maximum,
        )
    if kind is Kind.BOOLEAN:
        return read_boolean(issues, path, value, field.default)
    if kind is Kind.CHOICE:
        assert field.choices is not None
        return read_enum(issues, path, value, field.choices) or field.default
    if kind is Kind.SNOWFLAKE:
        return read_snowflake(issues, path, value)
    if kind is Kind.IDS:
        return read_ids(issues, path, value)
    if kind is Kind.TEMPLATE:
        return read_template(issues, path, value, field.default)
    if kind is Kind.NAMES:
        return read_names(issues, path, value)
    if kind is Kind.URL:
        return read_url(issues, path, value)
    return value


def read_fields(
    issues: Issues, path: str, data: Mapping[str, typing.Any], fields: Iterable[Field]
) -> dict[str, typing.Any]:
    """Every field of ``fields`` validated from ``data`` (absent ones at their default)."""
    return {
        field.name: read_field(issues, join(path, field.name), data.get(field.name), field)
        for field in fields
    }
