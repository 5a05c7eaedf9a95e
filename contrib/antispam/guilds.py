"""The handler's options per guild, the guilds it knows and their log channels."""

from __future__ import annotations

__all__ = ("GuildOptions",)

import copy
import typing

from spamguard.contrib.antispam.dataclasses.options import Options, options_to_data
from spamguard.contrib.antispam.exceptions import GuildNotFound
from spamguard.contrib.antispam.ignores import ignore_list, item_id
from spamguard.contrib.antispam.options import guild_policy, options_from_any
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class GuildOptions:
    """discord-anti-spam's options of every guild, and the spamguard policy they make.

    Args:
        options: the handler-wide options; kept, not copied (the handler's ``options``).
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        """The handler-wide options, for every guild without options of its own."""
        self._custom: dict[int, Options] = {}
        self._guilds: set[int] = set()
        self._log_channels: dict[int, int] = {}
        self._policy_of = copy.deepcopy(options)

    def for_guild(self, guild_id: int | None) -> Options:
        """The options in force in a guild (the handler-wide ones outside guilds)."""
        if guild_id is None:
            return self.options
        return self._custom.get(guild_id, self.options)

    def seen(self, guild_id: int) -> None:
        """Remember a guild a message came from."""
        self._guilds.add(guild_id)

    def knows(self, guild_id: int) -> bool:
        """Whether a message, options or a log channel were seen for the guild."""
        return guild_id in self._guilds

    def changed(self) -> bool:
        """Whether the handler-wide options changed since the last :meth:`policy` (code may
        edit ``handler.options`` in place, as 1.9.1 allowed)."""
        return self.options != self._policy_of

    def set_custom(self, guild_id: int, options: Options) -> None:
        """Give a guild its own options (a copy of ``options``)."""
        self._custom[guild_id] = copy.deepcopy(options)
        self._guilds.add(guild_id)

    def get(self, guild_id: int) -> Options:
        """A copy of the options in force in a guild the handler knows.

        Raises:
            GuildNotFound: no message, options or log channel seen for the guild.
        """
        if guild_id not in self._guilds:
            raise GuildNotFound
        return copy.deepcopy(self.for_guild(guild_id))

    def is_custom(self, guild_id: int) -> bool:
        """Whether the guild has options of its own."""
        return guild_id in self._custom

    def remove_custom(self, guild_id: int) -> bool:
        """Return a guild to the handler-wide options; whether it had options of its own."""
        return self._custom.pop(guild_id, None) is not None

    def log_channel(self, guild_id: int) -> int | None:
        """The guild's log channel, if one was registered."""
        return self._log_channels.get(guild_id)

    def set_log_channel(self, guild_id: int, channel_id: int | None) -> None:
        """Register (or with None, remove) a guild's log channel."""
        if channel_id is None:
            self._log_channels.pop(guild_id, None)
            return
        self._log_channels[guild_id] = channel_id
        self._guilds.add(guild_id)

    def set_ignored(self, item: object, ignore_type: object, *, ignored: bool) -> bool:
        """Add ``item`` to (``ignored``) or remove it from the handler-wide ignore list of
        ``ignore_type``; whether the list changed.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` is not an IgnoreType
                (nor one of 0.x's names).
        """
        items: set[typing.Any] = getattr(self.options, ignore_list(ignore_type))
        value = item_id(item)
        if (value in items) == ignored:
            return False
        if ignored:
            items.add(value)
        else:
            items.discard(value)
        return True

    def policy(self, extensions: Mapping[str, typing.Any]) -> Policy:
        """The spamguard policy of these options, with ``extensions``' settings.

        Raises:
            UnsupportedOption: an option value spamguard cannot honour.
        """
        base = guild_policy(self.options, extensions)
        guilds = {gid: guild_policy(opts, extensions) for gid, opts in self._custom.items()}
        self._policy_of = copy.deepcopy(self.options)
        source = {"antispam_options": options_to_data(self.options)}
        return Policy(base=base, guilds=guilds, source=source)

    def to_data(self) -> list[dict[str, typing.Any]]:
        """Every known guild as ``save_to_dict``'s ``guilds`` entries."""
        return [
            {
                "id": guild_id,
                "log_channel_id": self._log_channels.get(guild_id),
                "options": (
                    options_to_data(self._custom[guild_id]) if guild_id in self._custom else None
                ),
            }
            for guild_id in sorted(self._guilds)
        ]

    def load_data(self, guilds: Iterable[Mapping[str, typing.Any]]) -> None:
        """Add the guilds of :meth:`to_data`'s output.

        Raises:
            KeyError, TypeError, ValueError: bad data.
        """
        for guild in guilds:
            guild_id = int(guild["id"])
            self._guilds.add(guild_id)
            if guild.get("options") is not None and guild.get("has_custom_options", True):
                self._custom[guild_id] = options_from_any(guild["options"])
            if guild.get("log_channel_id") is not None:
                self._log_channels[guild_id] = int(guild["log_channel_id"])
