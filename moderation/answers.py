"""What every moderation operation returns: an :class:`Answer`."""

from __future__ import annotations

__all__ = ("MAX_TEXT", "Answer")

import dataclasses
import re
import types
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

MAX_TEXT: typing.Final = 2000
"""The most characters a Discord message's content holds: an answer's text never has more."""

_CUT: typing.Final = "\n… (cut to fit one message)"

# An "@" not defused yet (text defused before, a case's excerpt, is not defused twice).
_BARE_AT: typing.Final = re.compile("@(?!\u200b)")


def _fit(text: str) -> str:
    """``text`` made safe to send: every ``@`` defused with a zero-width space after it, as
    :func:`spamguard.core.templates.defuse` does (no mention can ping, whatever the allowed
    mentions), cut to :data:`MAX_TEXT` characters with a note where it was cut."""
    safe = _BARE_AT.sub("@\u200b", text)
    if len(safe) <= MAX_TEXT:
        return safe
    return safe[: MAX_TEXT - len(_CUT)].rstrip() + _CUT


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The result of one moderation operation.

    ``text`` is what a command sends as it is; it is made safe on construction (defused,
    cut to fit), so an ``Answer`` can never hold more than Discord takes or a ping.
    """

    ok: bool
    """Whether the operation did what it was asked (False: refused, nothing found, failed)."""
    text: str
    """The answer for a moderator: at most :data:`MAX_TEXT` characters, mention-safe."""
    data: Mapping[str, typing.Any] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({})
    )
    """The same facts as plain data (read-only): what a bot of its own renders, what tests
    read. Each operation documents its keys."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _fit(self.text))
        object.__setattr__(self, "data", types.MappingProxyType(dict(self.data)))
