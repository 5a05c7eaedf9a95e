"""The moderators' side of spamguard: operations to look at and steer a protection.

:class:`~spamguard.moderation.operations.Moderation` wraps what ``attach(bot)`` returns and
answers each operation with an :class:`~spamguard.moderation.answers.Answer`: whether it
worked, a text a command can send as it is (at most 2000 characters, no mention in it can
ping) and the same facts as data. The per-library slash command extensions call these
operations and send ``answer.text``; a bot can wire them to commands of its own.

This package may import the core, the adapters and reporting (never a Discord library at
import time: each command extension imports its own).
"""

from __future__ import annotations

from spamguard.moderation.answers import MAX_TEXT, Answer
from spamguard.moderation.operations import Moderation
from spamguard.moderation.references import MessageRefError, parse_message_ref

__all__ = ("MAX_TEXT", "Answer", "MessageRefError", "Moderation", "parse_message_ref")
