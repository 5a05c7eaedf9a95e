"""``AntiSpamTracker``: discord-anti-spam's plugin for bots that punish by themselves.

Each "punishment-worthy" message (``should_be_punished_this_message`` in the handler's
result, i.e. a plan with violations) is remembered with its time; entries expire after
``valid_timestamp_interval`` milliseconds; :meth:`AntiSpamTracker.is_spamming` says when a
member has at least ``spam_amount_to_punish`` of them. Register it with
``handler.register_plugin(tracker)`` (it then runs after every ``propagate``) or feed it
yourself with :meth:`AntiSpamTracker.update_cache`.

Time is the messages' own ``created_at``, never the clock, as everywhere in spamguard:
an entry is stamped with its message's time and expiry is measured against the message
being looked at (or an explicit ``now=``).
"""

from __future__ import annotations

__all__ = ("AntiSpamTracker",)

import datetime
import logging
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.antispam.dataclasses import CorePayload
from spamguard.contrib.antispam.exceptions import MemberNotFound
from spamguard.contrib.antispam.handler import AntiSpamHandler
from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan

_LOGGER = logging.getLogger(__name__)


class AntiSpamTracker(BasePlugin):
    """Counts each member's punishment-worthy messages within an interval.

    Args:
        anti_spam_handler: the :class:`~spamguard.contrib.antispam.AntiSpamHandler`.
        spam_amount_to_punish: how many tracked messages make :meth:`is_spamming` true.
        valid_timestamp_interval: how long an entry counts, in milliseconds; defaults to
            the handler's ``message_interval``.

    Raises:
        TypeError: ``anti_spam_handler`` is not an AntiSpamHandler, or the interval has a
            wrong type.
        ValueError: ``spam_amount_to_punish`` (or a string interval) is not a number.
    """

    name: typing.ClassVar[str] = "antispamtracker"

    def __init__(
        self,
        anti_spam_handler: AntiSpamHandler,
        spam_amount_to_punish: typing.Any,
        valid_timestamp_interval: typing.Any = None,
    ) -> None:
        super().__init__(is_pre_invoke=False)
        try:
            self.punish_min_amount = int(spam_amount_to_punish)
        except (TypeError, ValueError):
            msg = "Expected `spam_amount_to_punish` of type int or int convertable"
            raise ValueError(msg) from None
        if not isinstance(anti_spam_handler, AntiSpamHandler):
            msg = "Expected anti_spam_handler of type AntiSpamHandler"
            raise TypeError(msg)
        if not anti_spam_handler.options.no_punish:
            _LOGGER.warning("`no_punish` is not enabled! This will likely lead to issues")
        if valid_timestamp_interval is not None:
            if isinstance(valid_timestamp_interval, str | float):
                try:
                    valid_timestamp_interval = int(valid_timestamp_interval)
                except (TypeError, ValueError):
                    msg = "Expected valid_timestamp_interval of type int"
                    raise ValueError(msg) from None
            elif isinstance(valid_timestamp_interval, bool) or not isinstance(
                valid_timestamp_interval, int
            ):
                msg = "Expected valid_timestamp_interval of type int"
                raise TypeError(msg)
        self.anti_spam_handler = anti_spam_handler
        self.valid_global_interval = int(
            valid_timestamp_interval or anti_spam_handler.options.message_interval
        )
        """Milliseconds an entry counts, unless the guild has its own interval."""
        self.member_tracking: dict[int, dict[int, list[datetime.datetime]]] = {}
        """guild id -> member id -> times of their punishment-worthy messages."""
        self._guild_intervals: dict[int, int] = {}
        self._latest: dict[int, datetime.datetime] = {}

    def __repr__(self) -> str:
        return (
            f"AntiSpamTracker(AntiSpamHandler Instance, {self.punish_min_amount}, "
            f"{self.valid_global_interval})"
        )

    # -- feeding -----------------------------------------------------------------------------

    async def propagate(
        self, message: typing.Any, data: CorePayload | None = None
    ) -> dict[str, str]:
        """As an after-invoke extension: :meth:`update_cache` with the handler's result."""
        await self.update_cache(message, data)
        return {"status": "Cache updated"}

    async def update_cache(self, message: typing.Any, data: typing.Any) -> None:
        """Remember ``message`` if ``data`` (the handler's result) says it deserves
        punishment.

        Raises:
            TypeError: ``data`` is neither a CorePayload nor 0.x's result dict.
        """
        if isinstance(data, CorePayload):
            worthy = data.member_should_be_punished_this_message
        elif isinstance(data, dict):
            worthy = bool(data.get("should_be_punished_this_message"))
        else:
            msg = "Expected data of type: CorePayload"
            raise TypeError(msg)
        core_message = self.anti_spam_handler.to_message(message)
        if core_message is None or core_message.guild_id is None or not worthy:
            return
        self._record(core_message)

    def _record(self, message: MessageLike) -> None:
        guild_id = typing.cast("int", message.guild_id)
        guild = self.member_tracking.setdefault(guild_id, {})
        guild.setdefault(message.author_id, []).append(message.created_at)
        latest = self._latest.get(guild_id)
        if latest is None or message.created_at > latest:
            self._latest[guild_id] = message.created_at

    @hookimpl
    def spamguard_after_invoke(self, message: MessageLike, plan: Plan) -> None:
        """Used on a plain :class:`~spamguard.core.engine.guard.Guard`: track every plan with
        violations."""
        if plan.violations and message.guild_id is not None:
            self._record(message)

    # -- reading -----------------------------------------------------------------------------

    async def get_member_count(
        self, message: typing.Any, *, now: datetime.datetime | None = None
    ) -> int:
        """How many of the member's punishment-worthy messages are still valid at ``now``
        (default: the message's ``created_at``).

        Raises:
            MemberNotFound: a DM, or a member never tracked in this guild.
        """
        core_message = self.anti_spam_handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            msg = "Can't find member's from dm's"
            raise MemberNotFound(msg)
        guild = self.member_tracking.get(core_message.guild_id)
        if guild is None or core_message.author_id not in guild:
            raise MemberNotFound
        data = guild[core_message.author_id]
        await self.remove_outdated_timestamps(
            data,
            member_id=core_message.author_id,
            guild_id=core_message.guild_id,
            now=now or core_message.created_at,
        )
        return len(guild[core_message.author_id])

    get_user_count = get_member_count
    """discord-anti-spam 0.x's name for :meth:`get_member_count`."""

    async def remove_outdated_timestamps(
        self,
        data: list[datetime.datetime],
        member_id: int,
        guild_id: int,
        *,
        now: datetime.datetime | None = None,
    ) -> None:
        """Keep only the entries of ``data`` younger than the guild's interval at ``now``
        (default: the newest message time the tracker has seen in that guild), and store
        them as the member's entries."""
        current = now or self._latest.get(guild_id)
        interval = datetime.timedelta(milliseconds=self._interval(guild_id))
        kept = [stamp for stamp in data if current is None or current - stamp < interval]
        self.member_tracking.setdefault(guild_id, {})[member_id] = kept

    async def is_spamming(self, message: typing.Any) -> bool:
        """Whether the member has at least ``spam_amount_to_punish`` valid entries."""
        core_message = self.anti_spam_handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            return False
        try:
            return await self.get_member_count(message) >= self.punish_min_amount
        except MemberNotFound:
            return False

    async def do_punishment(
        self, message: typing.Any, *args: typing.Any, **kwargs: typing.Any
    ) -> None:
        """Override in a subclass to punish; does nothing here."""

    async def remove_punishments(self, message: typing.Any) -> None:
        """Reset the member's entries (call it after punishing them): their count is 0
        afterwards. As in discord-anti-spam, a member never tracked is created, so
        :meth:`get_member_count` answers 0 rather than raising ``MemberNotFound``."""
        core_message = self.anti_spam_handler.to_message(message)
        if core_message is None or core_message.guild_id is None:
            return
        self.member_tracking.setdefault(core_message.guild_id, {})[core_message.author_id] = []

    # -- per guild intervals, as discord-anti-spam 0.x ------------------------------------------

    def _interval(self, guild_id: int) -> int:
        return self._guild_intervals.get(guild_id, self.valid_global_interval)

    def add_custom_guild_options(self, guild_id: int, **kwargs: typing.Any) -> None:
        """Set a guild's options on the handler; its ``message_interval`` also becomes the
        guild's tracking interval."""
        self.anti_spam_handler.add_custom_guild_options(guild_id, **kwargs)
        if kwargs.get("message_interval"):
            self._guild_intervals[guild_id] = int(kwargs["message_interval"])

    def remove_custom_guild_options(self, guild_id: int) -> None:
        """Reset a guild's options on the handler, and its tracking interval."""
        self.anti_spam_handler.remove_custom_guild_options(guild_id)
        self._guild_intervals.pop(guild_id, None)

    # -- state -------------------------------------------------------------------------------

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """The tracker's state as JSON-serialisable data."""
        return {
            "spam_amount_to_punish": self.punish_min_amount,
            "valid_timestamp_interval": self.valid_global_interval,
            "guild_intervals": {str(g): ms for g, ms in self._guild_intervals.items()},
            "member_tracking": {
                str(guild_id): {
                    str(member_id): [stamp.isoformat() for stamp in stamps]
                    for member_id, stamps in members.items()
                }
                for guild_id, members in self.member_tracking.items()
            },
        }

    @classmethod
    async def load_from_dict(
        cls, anti_spam_handler: AntiSpamHandler, data: dict[str, typing.Any]
    ) -> AntiSpamTracker:
        """Rebuild a tracker from :meth:`save_to_dict`'s output."""
        tracker = cls(
            anti_spam_handler, data["spam_amount_to_punish"], data["valid_timestamp_interval"]
        )
        tracker._guild_intervals = {int(g): int(ms) for g, ms in data["guild_intervals"].items()}
        for guild_id, members in data["member_tracking"].items():
            for member_id, stamps in members.items():
                # A member reset by remove_punishments has no entries and is kept.
                kept = tracker.member_tracking.setdefault(int(guild_id), {}).setdefault(
                    int(member_id), []
                )
                for stamp in stamps:
                    when = datetime.datetime.fromisoformat(stamp)
                    kept.append(when)
                    latest = tracker._latest.get(int(guild_id))
                    if latest is None or when > latest:
                        tracker._latest[int(guild_id)] = when
        return tracker
