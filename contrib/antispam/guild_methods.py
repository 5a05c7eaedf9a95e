"""The handler's methods for options, ignore lists, log channels and counters, per guild
(1.9.1's, with 0.x's as aliases where they differ)."""

from __future__ import annotations

__all__ = ("GuildMethods",)

import copy
import typing

from spamguard.contrib.antispam.counters import counter_names
from spamguard.contrib.antispam.dataclasses import Options
from spamguard.contrib.antispam.enums import IgnoreType, ResetType
from spamguard.contrib.antispam.options import from_legacy, validate_options

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.guilds import GuildOptions
    from spamguard.core.engine import Guard


class GuildMethods:
    """Mixed into :class:`~spamguard.contrib.antispam.AntiSpamHandler`."""

    if typing.TYPE_CHECKING:
        options: Options
        needs_init: bool
        guard: Guard
        _guild_options: GuildOptions

        def _rebuild(self) -> None: ...

        async def init(self) -> None: ...

    async def _ensure_init(self) -> None:
        if self.needs_init:
            await self.init()

    # -- ignore lists ----------------------------------------------------------------------

    def add_ignored_item(self, item: int, ignore_type: IgnoreType) -> None:
        """Ignore a member, channel, guild or role (the handler-wide options); adding an
        item already ignored does nothing.

        Raises:
            ValueError: ``item`` is not int-convertible, or ``ignore_type`` is not an
                IgnoreType (0.x's names ``"member"``, ``"channel"``... are accepted).
        """
        if self._guild_options.set_ignored(item, ignore_type, ignored=True):
            self._rebuild()

    def remove_ignored_item(self, item: int, ignore_type: IgnoreType) -> None:
        """Stop ignoring an item; removing one that is not ignored does nothing.

        Raises:
            ValueError: as :meth:`add_ignored_item`.
        """
        if self._guild_options.set_ignored(item, ignore_type, ignored=False):
            self._rebuild()

    # -- options ---------------------------------------------------------------------------

    async def add_guild_options(self, guild_id: int, options: Options) -> None:
        """Give a guild its own options (a copy of ``options``), replacing any it had.

        Raises:
            ValueError: ``options`` is not an Options.
            UnsupportedOption: a value spamguard cannot honour.
        """
        await self._ensure_init()
        if not isinstance(options, Options):
            msg = "Expected options of type Options"
            raise ValueError(msg)
        self._guild_options.set_custom(int(guild_id), options)
        self._rebuild()

    async def get_guild_options(self, guild_id: int) -> Options:
        """A copy of the options in force in a guild.

        Raises:
            GuildNotFound: the handler knows nothing of the guild (no message, options or
                log channel).
        """
        await self._ensure_init()
        return self._guild_options.get(guild_id)

    async def get_options(self) -> Options:
        """A copy of the handler-wide options, safe to modify."""
        return copy.deepcopy(self.options)

    async def remove_guild_options(self, guild_id: int) -> None:
        """Return a guild to the handler-wide options (silently ignores unknown guilds)."""
        await self._ensure_init()
        if self._guild_options.remove_custom(guild_id):
            self._rebuild()

    def add_custom_guild_options(self, guild_id: int, **kwargs: typing.Any) -> None:
        """0.x: give a guild its own complete option set from 0.x's keyword options
        (unspecified ones at 0.x's defaults).

        Raises:
            TypeError, ValueError, BaseASHException: as 0.x's constructor.
        """
        self._guild_options.set_custom(int(guild_id), from_legacy(validate_options(**kwargs)))
        self._rebuild()

    def remove_custom_guild_options(self, guild_id: int) -> None:
        """0.x's :meth:`remove_guild_options`, synchronous."""
        if self._guild_options.remove_custom(guild_id):
            self._rebuild()

    # -- log channels ----------------------------------------------------------------------

    async def add_guild_log_channel(self, log_channel: int, guild_id: int) -> None:
        """Post the guild's ``guild_log_*`` notices in ``log_channel`` (without one they
        are not sent).

        Raises:
            ValueError: ``log_channel`` is not an int.
        """
        await self._ensure_init()
        if isinstance(log_channel, bool) or not isinstance(log_channel, int):
            msg = "Expected log_channel with correct type"
            raise ValueError(msg)
        self._guild_options.set_log_channel(int(guild_id), log_channel)

    async def remove_guild_log_channel(self, guild_id: int) -> None:
        """Forget a guild's log channel (silently ignores guilds without one)."""
        await self._ensure_init()
        self._guild_options.set_log_channel(guild_id, None)

    # -- counters --------------------------------------------------------------------------

    async def reset_member_count(
        self, member_id: int, guild_id: int, reset_type: ResetType
    ) -> None:
        """Reset a member's warn counter or kick counter (which holds bans too); unknown
        members are ignored.

        Raises:
            ValueError: ``reset_type`` is not a ResetType.
        """
        await self._ensure_init()
        if not isinstance(reset_type, ResetType):
            msg = "Expected reset_type of type ResetType"
            raise ValueError(msg)
        self.guard.reset_member(guild_id, member_id, counters=counter_names(reset_type))

    def reset_user_count(self, user_id: int, guild_id: int, counter: ResetType | str) -> None:
        """0.x's :meth:`reset_member_count`: synchronous, and takes 0.x's names
        ``"warn_counter"`` / ``"kick_counter"`` too.

        Raises:
            LogicError: an unknown counter name.
            ValueError: ``counter`` is neither a string nor a ResetType.
        """
        self.guard.reset_member(guild_id, user_id, counters=counter_names(counter))
