"""discord-anti-spam 1.9.1's ``antispam.plugins``: each is a
:class:`~spamguard.contrib.antispam.BasePlugin` to register with
``handler.register_plugin``."""

from __future__ import annotations

__all__ = (
    "AdminLogs",
    "AntiMassMention",
    "AntiSpamTracker",
    "MassMentionPunishment",
    "MaxMessageLimiter",
    "Stats",
)

from spamguard.contrib.antispam.plugins.admin_logs import AdminLogs
from spamguard.contrib.antispam.plugins.anti_mass_mention import (
    AntiMassMention,
    MassMentionPunishment,
)
from spamguard.contrib.antispam.plugins.anti_spam_tracker import AntiSpamTracker
from spamguard.contrib.antispam.plugins.max_message_limiter import MaxMessageLimiter
from spamguard.contrib.antispam.plugins.stats import Stats
