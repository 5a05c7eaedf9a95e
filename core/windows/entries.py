"""One message's contribution to a window, as a value.

Windows store their entries column by column (see :mod:`spamguard.core.windows.sums`);
:class:`Entry` is what goes in (``window.add(Entry(...))``) and what comes out
(``window.entries``, a violation's entries): a small immutable tuple, built on demand.
"""

from __future__ import annotations

__all__ = ("Entry",)

import typing


class Entry(typing.NamedTuple):
    """One message's contribution to a window: a value, equal to another with the same
    fields; changing a window never changes an entry read from it before."""

    ts: float
    """POSIX seconds of the message's ``created_at``."""
    message_id: int
    channel_id: int
    author_id: int
    amount: int = 1
    """What the message adds to the check's total (1 for max_messages)."""
    text: str = ""
    """Normalised text, for duplicate windows only."""

    def to_list(self) -> list[typing.Any]:
        """Plain data for snapshots."""
        return [self.ts, self.message_id, self.channel_id, self.author_id, self.amount, self.text]

    @classmethod
    def from_list(cls, data: typing.Sequence[typing.Any]) -> Entry:
        """Rebuild from :meth:`to_list`."""
        ts, message_id, channel_id, author_id, amount, text = data
        return cls(
            float(ts), int(message_id), int(channel_id), int(author_id), int(amount), str(text)
        )
