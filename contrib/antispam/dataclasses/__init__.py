"""discord-anti-spam 1.9.1's ``antispam.dataclasses``: ``Options``, ``CorePayload`` and the
cache records ``Guild``, ``Member``, ``Message``."""

from __future__ import annotations

__all__ = ("CorePayload", "Guild", "Member", "Message", "Options")

from spamguard.contrib.antispam.dataclasses.core import CorePayload
from spamguard.contrib.antispam.dataclasses.guild import Guild, Member, Message
from spamguard.contrib.antispam.dataclasses.options import Options
