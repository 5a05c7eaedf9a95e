"""Checks in front of the discord.py family's gateway parsers (``ConnectionState.parsers``,
the dict the gateway looks every DISPATCH up in: discord.py, nextcord and disnake).

The libraries' parsers raise on some payloads Discord may send (a member event without a
user object, a forward whose snapshot lacks a field they index): the exception leaves the
gateway's read loop and the bot's connection ends. :class:`PayloadChecks` puts one
:data:`Check` per event name in front of the library's parser: the check may repair the
payload in place, reports each part it dropped or each payload it refused (counted as
malformed by the binding), and only a payload it keeps reaches the library.
"""

from __future__ import annotations

__all__ = ("Check", "PayloadChecks")

import typing

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

Check = typing.Callable[[typing.Any, typing.Callable[[str], None]], bool]
"""``check(payload, report) -> keep``: ``report(problem)`` once for each thing dropped
(the payload itself when it returns False, else a part of it it removed)."""

_Parser = typing.Callable[[typing.Any], None]


class PayloadChecks:
    """The :data:`Check` of each event name, in front of the library's parsers.

    Args:
        bot: the library's bot.
        malformed: called with the event's name and the problem, for each report.
        checks: event name (``"MESSAGE_CREATE"``) to its check.
    """

    def __init__(
        self,
        bot: typing.Any,
        malformed: Callable[[str, str], None],
        checks: Mapping[str, Check],
    ) -> None:
        self.bot = bot
        self._malformed = malformed
        self._checks = dict(checks)
        self._originals: dict[str, _Parser] = {}
        self._installed: dict[str, _Parser] = {}

    def install(self) -> None:
        """Put the checks in front of the library's parsers (once)."""
        parsers = self._parsers()
        if parsers is None or self._installed:
            return
        for name, check in self._checks.items():
            original = parsers.get(name)
            if original is None:
                continue
            checked = self._checked(name, check, original)
            self._originals[name] = original
            self._installed[name] = checked
            parsers[name] = checked

    def uninstall(self) -> None:
        """Give the library its own parsers back (those nobody replaced since)."""
        parsers = self._parsers()
        for name, checked in self._installed.items():
            if parsers is not None and parsers.get(name) is checked:
                parsers[name] = self._originals[name]
        self._installed.clear()
        self._originals.clear()

    def _parsers(self) -> dict[str, _Parser] | None:
        parsers = getattr(getattr(self.bot, "_connection", None), "parsers", None)
        return parsers if isinstance(parsers, dict) else None

    def _checked(self, name: str, check: Check, original: _Parser) -> _Parser:
        def report(problem: str) -> None:
            self._malformed(name, problem)

        def parse(data: typing.Any) -> None:
            if check(data, report):
                original(data)

        return parse
