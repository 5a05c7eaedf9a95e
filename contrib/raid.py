"""Raids: the same (or nearly the same) message from many members within an interval.

Configured under ``extensions.raid``::

    extensions:
      raid:
        members: 5            # distinct members posting similar messages...
        interval: 30          # ...within this many seconds
        scope: channel        # channel: in one channel; guild: anywhere in the guild
        accuracy: 90          # similarity 0-100 (rapidfuzz ratio on normalised text)
        min_length: 8         # shorter texts ("hi", "gm") never count
        punishment: TIMEOUT   # NONE, WARN, TIMEOUT, KICK or BAN
        punish_participants: true  # also punish members who posted before the raid was seen
        delete: true          # delete every raid message
        enabled: true

How it decides: each message's normalised text goes into a window shared by everyone in the
channel (or guild). When the texts similar to this one come from at least ``members``
distinct members, the message is a ``raid`` violation: its author gets ``punishment``
through the core (the rule's ``punishment_duration`` applies, escalation too). The plan is
then amended: every raid message is deleted (once), and with ``punish_participants`` the
members who posted before the raid was seen get the same punishment, once (the "handled"
marks live in the guard-owned window, so they are snapshotted like everything else).
"""

from __future__ import annotations

__all__ = ("Raid", "RaidSettings", "plugin")

import dataclasses
import typing

from spamguard.contrib.plans import Findings, delete_entries, fired
from spamguard.contrib.settings import SettingsCache, SettingsReader
from spamguard.contrib.text_windows import record_text
from spamguard.core import actions as act
from spamguard.core import templates
from spamguard.core.hookspecs import hookimpl
from spamguard.core.messages import Message
from spamguard.core.plan import Violation
from spamguard.core.policy import Punishment, Scope
from spamguard.core.policy.punishments import punishment_actions
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow, Entry

if typing.TYPE_CHECKING:
    from spamguard.core.context import CheckContext
    from spamguard.core.errors import PolicyIssue
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan
    from spamguard.core.policy import GuildPolicy

NAME = "raid"

# Punishments given to earlier participants must need no scheduled undo: only the plan's
# own punishment has its undo in ``plan.scheduled``.
_PUNISHMENTS = (
    Punishment.NONE,
    Punishment.WARN,
    Punishment.TIMEOUT,
    Punishment.KICK,
    Punishment.BAN,
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RaidSettings:
    """The guild's ``extensions.raid`` settings."""

    members: int = 5
    """Distinct members whose similar messages make a raid."""
    interval: float = 30.0
    """The window, seconds."""
    scope: Scope = Scope.CHANNEL
    """``channel`` or ``guild``: where the messages must have been posted."""
    accuracy: int = 90
    """Similarity (0-100) from which two texts are the same message."""
    min_length: int = 8
    """Normalised texts shorter than this never count."""
    punishment: Punishment = Punishment.TIMEOUT
    """What each raider gets."""
    punish_participants: bool = True
    """Punish the members who posted before the raid was detected, too."""
    delete: bool = True
    """Delete every message of the raid."""

    @classmethod
    def parse(cls, data: object) -> RaidSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.raid.<field>``.
        """
        fields = (
            "members",
            "interval",
            "scope",
            "accuracy",
            "min_length",
            "punishment",
            "punish_participants",
            "delete",
            "enabled",
        )
        reader = SettingsReader(NAME, data, fields)
        defaults = cls()
        settings = cls(
            members=reader.integer("members", defaults.members, minimum=2),
            interval=reader.seconds("interval", defaults.interval),
            scope=Scope(reader.choice("scope", defaults.scope.value, ("channel", "guild"))),
            accuracy=reader.integer("accuracy", defaults.accuracy, minimum=0, maximum=100),
            min_length=reader.integer("min_length", defaults.min_length, minimum=0),
            punishment=reader.punishment("punishment", defaults.punishment, _PUNISHMENTS),
            punish_participants=reader.boolean("punish_participants", defaults.punish_participants),
            delete=reader.boolean("delete", defaults.delete),
        )
        enabled = reader.boolean("enabled", True)
        reader.finish()
        return settings if enabled else None


class _Finding(typing.NamedTuple):
    """What the check found, for the after-invoke step of the same message."""

    to_delete: tuple[Entry, ...]
    """The raid's messages not deleted yet (this one included)."""
    to_punish: tuple[Entry, ...]
    """One entry (their latest raid message) per earlier participant not punished yet."""
    violation: Violation


class Raid:
    """The ``raid`` extension (a pluggy plugin, registered by entry point)."""

    name: typing.ClassVar[str] = NAME

    def __init__(self) -> None:
        self.settings = SettingsCache(NAME, RaidSettings.parse)
        self._pending: Findings[_Finding] = Findings()

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        return self.settings.issues(policy)

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation] | None:
        settings = self.settings.get(context.policy)
        if settings is None:
            return None
        text = normalise(message.content)
        if len(text) < settings.min_length:
            return None
        window = context.window(NAME, interval=settings.interval, scope=settings.scope, text=True)
        assert isinstance(window, DuplicateWindow)
        record_text(window, message, text)
        cutoff = context.now.timestamp() - settings.interval
        similar = window.similar_texts(text, settings.accuracy)
        # Fewer similar messages than members needed: no raid, whoever wrote them.
        if window.count_in(similar, cutoff) < settings.members:
            return None
        entries = window.entries_in(similar, cutoff)
        authors = {entry.author_id for entry in entries}
        if len(authors) < settings.members:
            return None
        violation = Violation(
            check=NAME,
            count=len(authors),
            limit=settings.members,
            interval=settings.interval,
            message_ids=tuple(entry.message_id for entry in entries),
            scope=str(settings.scope),
            punishment=str(settings.punishment),
        )
        # Each raid message is deleted, and its author punished, once: handled entries are
        # marked in the window itself (amount 0; a text window counts entries, not amounts),
        # so the marks cost nothing to look up and are snapshotted with the window.
        fresh = [entry for entry in entries if entry.amount]
        for entry in fresh:
            window.replace(entry.message_id, 0)
        to_delete = tuple(fresh) if settings.delete else ()
        to_punish: tuple[Entry, ...] = ()
        if settings.punish_participants and settings.punishment is not Punishment.NONE:
            latest = {e.author_id: e for e in fresh if e.author_id != message.author_id}
            to_punish = tuple(latest.values())
        self._pending.put(message, _Finding(to_delete, to_punish, violation))
        return [violation]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        finding = self._pending.take(message)
        if finding is None or fired(plan, NAME) is None:
            return None
        added: list[act.Action] = list(
            delete_entries(
                finding.to_delete, plan=plan, message=message, reason="spamguard: raid cleaned"
            )
        )
        settings = self.settings.get(policy)
        if settings is not None:
            rules = policy.rules_for(message.author_role_ids)
            # The core gives plugin punishments the first applicable rule's duration.
            duration = rules[0].punishment_duration if rules else 300
            for entry in finding.to_punish:
                added.extend(self._punish(entry, message, policy, settings, finding, duration))
        if not added:
            return None
        return dataclasses.replace(plan, actions=(*plan.actions, *added))

    @staticmethod
    def _punish(
        entry: Entry,
        message: MessageLike,
        policy: GuildPolicy,
        settings: RaidSettings,
        finding: _Finding,
        duration: int,
    ) -> tuple[act.Action, ...]:
        guild_id = typing.cast("int", message.guild_id)
        # The guild and the bot are the message's; of the participant only ids are known.
        participant = Message(
            id=entry.message_id,
            guild_id=guild_id,
            channel_id=entry.channel_id,
            author_id=entry.author_id,
            content="",
            created_at=message.created_at,
            guild_name=getattr(message, "guild_name", ""),
            guild_icon_url=getattr(message, "guild_icon_url", ""),
            bot_id=getattr(message, "bot_id", None),
            bot_name=getattr(message, "bot_name", ""),
            bot_avatar_url=getattr(message, "bot_avatar_url", ""),
        )
        violation = finding.violation
        values = templates.variables(
            participant,
            now=message.created_at,
            warn_count=0,
            kick_count=0,
            violation=NAME,
            count=violation.count,
            limit=violation.limit,
            punishment=str(settings.punishment),
        )
        carried = punishment_actions(
            settings.punishment,
            policy=policy,
            message=participant,
            now=message.created_at,
            duration=duration,
            reason=f"spamguard: raid ({violation.count} members in {violation.interval:g}s)",
            values=values,
            dms=False,
        )
        return carried.actions


plugin = Raid()
"""The instance the ``raid`` entry point registers."""
