"""discord-anti-spam 1.9.1's ``antispam.plugins``."""

from __future__ import annotations

__all__ = ("AntiSpamTracker",)

from spamguard.contrib.antispam.plugins.anti_spam_tracker import AntiSpamTracker
