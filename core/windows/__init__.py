"""Sliding windows: what a check counts over the last ``interval`` seconds.

- :mod:`~spamguard.core.windows.sums`: :class:`SumWindow`, a running total (messages,
  mentions, links, ...) and the column storage every window shares;
- :mod:`~spamguard.core.windows.duplicates`: :class:`DuplicateWindow`, the normalised texts
  of recent messages and who duplicates whom;
- :mod:`~spamguard.core.windows.similarity`: the index that keeps a duplicate look-up from
  comparing every text;
- :mod:`~spamguard.core.windows.entries`: :class:`Entry`, one message's contribution, the
  value windows take and give back.
"""

from __future__ import annotations

__all__ = ("FLOOD_MATCHES", "MAX_ENTRIES", "DuplicateWindow", "Entry", "SumWindow")

from spamguard.core.windows.duplicates import FLOOD_MATCHES, DuplicateWindow
from spamguard.core.windows.entries import Entry
from spamguard.core.windows.sums import MAX_ENTRIES, SumWindow
