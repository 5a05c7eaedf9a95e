"""Discord's embed limits, as the stand-in's create-message route enforces them
(https://discord.com/developers/docs/resources/message#embed-object-embed-limits): a message
breaking one gets Discord's 400 "Invalid Form Body" (code 50035) naming the field."""

from __future__ import annotations

__all__ = ("embed_errors",)

import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

_TOTAL: typing.Final = 6000
_EMBEDS: typing.Final = 10
_FIELDS: typing.Final = 25
# (path inside an embed, limit): the text limits Discord documents.
_TEXTS: typing.Final = (
    (("title",), 256),
    (("description",), 4096),
    (("footer", "text"), 2048),
    (("author", "name"), 256),
)


def _text(embed: Mapping[str, typing.Any], path: tuple[str, ...]) -> str:
    value: typing.Any = embed
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def embed_errors(body: Mapping[str, typing.Any]) -> dict[str, str]:
    """The limits a message body's ``embeds`` break, as ``{field path: problem}`` (empty
    when it is within them)."""
    embeds = body.get("embeds") or []
    errors: dict[str, str] = {}
    if len(embeds) > _EMBEDS:
        errors["embeds"] = f"Must be {_EMBEDS} or fewer in length."
    total = 0
    for index, embed in enumerate(embeds):
        for path, limit in _TEXTS:
            text = _text(embed, path)
            total += len(text)
            if len(text) > limit:
                errors[f"embeds.{index}.{'.'.join(path)}"] = f"Must be {limit} or fewer in length."
        fields = embed.get("fields") or []
        if len(fields) > _FIELDS:
            errors[f"embeds.{index}.fields"] = f"Must be {_FIELDS} or fewer in length."
        for number, field in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = str(field.get(key) or "")
                total += len(text)
                if not text:
                    errors[f"embeds.{index}.fields.{number}.{key}"] = "This field is required"
                elif len(text) > limit:
                    errors[f"embeds.{index}.fields.{number}.{key}"] = (
                        f"Must be {limit} or fewer in length."
                    )
    if total > _TOTAL:
        errors["embeds"] = f"Embed size exceeds maximum size of {_TOTAL}"
    return errors
