"""Optional extensions, written as pluggy plugins like any third party's.

Each is registered through the ``spamguard`` entry-point group and switched on per guild
by its settings under ``policy.extensions`` (``stats`` needs none):

- :mod:`spamguard.contrib.mass_mention` (``mass_mention``): users and roles pinged per
  message and within a window;
- :mod:`spamguard.contrib.message_length` (``message_length``): one message too long;
- :mod:`spamguard.contrib.link_filter` (``link_filter``): allowed and denied domains,
  Discord invites;
- :mod:`spamguard.contrib.raid` (``raid``): the same message from many members;
- :mod:`spamguard.contrib.stats` (``stats``): per-guild counts of checks and actions;
- :mod:`spamguard.contrib.antispam`: a drop-in ``AntiSpamHandler`` and
  ``AntiSpamTracker`` for discord-anti-spam users.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()
