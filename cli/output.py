"""Terminal output of the command line: tables, a progress bar, user-facing errors."""

from __future__ import annotations

__all__ = ("CliError", "Progress", "quote", "table", "where", "who")

import json
import typing

from spamguard.core import SpamguardError

if typing.TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from spamguard.core import MessageLike


class CliError(SpamguardError):
    """A user error the command line reports in one line (no traceback), exit status 1."""


def table(header: Sequence[str], rows: Sequence[Sequence[object]], *, indent: str = "") -> str:
    """A plain-text table; columns holding only numbers are right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    all_rows = [list(header), *cells]
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(header))]
    numeric = [
        bool(cells) and all(isinstance(row[i], int | float) for row in rows)
        for i in range(len(header))
    ]
    lines = []
    for row in all_rows:
        parts = [
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(row, widths, numeric, strict=True)
        ]
        lines.append(indent + "  ".join(parts).rstrip())
    return "\n".join(lines)


class Progress:
    """A one-line progress bar on a terminal stream, redrawn only when the percentage moves.

    It draws nothing unless ``enabled``; :meth:`clear` erases it before other output
    goes to the same terminal.
    """

    WIDTH = 30

    def __init__(self, stream: typing.TextIO, total: int, *, enabled: bool) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.enabled = enabled
        self._shown = -1
        self._visible = False

    def update(self, done: int, messages: int) -> None:
        """Show ``done`` of ``total`` (bytes read) and how many messages were decided."""
        if not self.enabled:
            return
        percent = min(100, done * 100 // self.total)
        if percent == self._shown and self._visible:
            return
        self._shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}%  {messages} messages")
        self.stream.flush()
        self._visible = True

    def clear(self) -> None:
        """Erase the bar (it is redrawn by the next :meth:`update`)."""
        if self._visible:
            self.stream.write("\r" + " " * (self.WIDTH + 30) + "\r")
            self.stream.flush()
            self._visible = False


def who(message: MessageLike, names: Mapping[int, str] | None = None) -> str:
    """``alice (1002)``: the author's name (the message's, else from ``names``) and id."""
    name = message.author_name or (names or {}).get(message.author_id)
    return f"{name} ({message.author_id})" if name else f"user {message.author_id}"


def where(message: MessageLike, names: Mapping[int, str] | None = None) -> str:
    """``#general`` (the message's channel name, else from ``names``), ``channel 10`` or
    ``a DM``."""
    if message.guild_id is None:
        return "a DM"
    if message.channel_name:
        return f"#{message.channel_name}"
    return (names or {}).get(message.channel_id) or f"channel {message.channel_id}"


def quote(text: str, limit: int = 70) -> str:
    """Text on one line, shortened to ``limit`` characters, in JSON quotes."""
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= limit else flat[: limit - 3] + "...", ensure_ascii=False)
