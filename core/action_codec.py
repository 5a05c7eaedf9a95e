"""The action registry and its codec: actions to plain data and back.

Every action class is registered under its ``kind`` (:func:`register_action`: the built-in
ones in :mod:`spamguard.core.actions`, extensions' their own), so a plan written to a log,
a snapshot or Redis reads back as the same values (:func:`action_to_dict`,
:func:`action_from_dict`).
"""

from __future__ import annotations

__all__ = ("action_from_dict", "action_to_dict", "is_action", "register_action")

import dataclasses
import datetime
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

_REGISTRY: dict[str, type[typing.Any]] = {}


def register_action(cls: type[typing.Any]) -> type[typing.Any]:
    """Make an action class known to :func:`action_from_dict` under its ``kind``.

    The built-in actions are registered; extensions (AutoMod) register theirs the same way.
    """
    _REGISTRY[cls.kind] = cls
    return cls


def is_action(value: object) -> bool:
    """Whether ``value`` is an action of a registered class (see :func:`register_action`)."""
    kind = getattr(type(value), "kind", None)
    return isinstance(kind, str) and _REGISTRY.get(kind) is type(value)


def _encode(value: typing.Any) -> typing.Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


_TIME_TYPES: typing.Final = ("datetime.datetime", "datetime.datetime | None")
"""Field annotations (strings: ``from __future__ import annotations``) read back as times."""


def action_to_dict(action: typing.Any) -> dict[str, typing.Any]:
    """A JSON-serialisable dict for ``action``, with its ``kind``."""
    data: dict[str, typing.Any] = {"kind": action.kind}
    for field in dataclasses.fields(action):
        data[field.name] = _encode(getattr(action, field.name))
    return data


def action_from_dict(data: Mapping[str, typing.Any]) -> typing.Any:
    """Rebuild an action from :func:`action_to_dict`'s output.

    Raises:
        ValueError: unknown ``kind`` or fields that do not fit it.
    """
    kind = data.get("kind")
    cls = _REGISTRY.get(str(kind))
    if cls is None:
        msg = f"unknown action kind {kind!r}; known: {', '.join(sorted(_REGISTRY))}"
        raise ValueError(msg)
    kwargs: dict[str, typing.Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        value = data[field.name]
        if field.type in _TIME_TYPES and isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[field.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        msg = f"bad fields for action {kind!r}: {exc}"
        raise ValueError(msg) from exc
