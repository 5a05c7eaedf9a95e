"""The handler's option sets: handler-wide, per guild, and the guilds it has seen."""

from __future__ import annotations

__all__ = ("GuildOptions",)

import copy
import typing

from spamguard.contrib.antispam.exceptions import BaseASHException
from spamguard.contrib.antispam.ignores import ignore_list, item_id
from spamguard.contrib.antispam.options import guild_policy, validate_options
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class GuildOptions:
    """discord-anti-spam's options of every guild, and the spamguard policy they make.

    Args:
        options: the handler-wide options (validated); kept, not copied, and edited in
            place by :meth:`set_ignored`.
    """

    def __init__(self, options: dict[str, typing.Any]) -> None:
        self.options = options
        """The handler-wide options, for every guild without options of its own."""
        self._custom: dict[int, dict[str, typing.Any]] = {}
        self._guilds: set[int] = set()

    def for_guild(self, guild_id: int | None) -> dict[str, typing.Any]:
        """The options in force in a guild (the handler-wide ones outside guilds)."""
        if guild_id is None:
            return self.options
        return self._custom.get(guild_id, self.options)

    def seen(self, guild_id: int) -> None:
        """Remember a guild a message came from."""
        self._guilds.add(guild_id)

    def set_custom(self, guild_id: int, **options: typing.Any) -> None:
        """Give a guild its own complete option set (the others at their defaults).

        Raises:
            TypeError, ValueError, BaseASHException: as :func:`validate_options`.
        """
        self._custom[guild_id] = validate_options(**options)
        self._guilds.add(guild_id)

    def get(self, guild_id: int) -> tuple[dict[str, typing.Any], bool]:
        """``(a copy of the guild's options, has_custom_options)``.

        Raises:
            BaseASHException: the guild does not exist (no message or options seen for it).
        """
        if guild_id not in self._guilds:
            msg = "This guild does not exist"
            raise BaseASHException(msg)
        return copy.deepcopy(self.for_guild(guild_id)), guild_id in self._custom

    def remove_custom(self, guild_id: int) -> bool:
        """Return a guild to the handler-wide options; whether it had options of its own."""
        return self._custom.pop(guild_id, None) is not None

    def set_ignored(self, item: object, ignore_type: object, *, ignored: bool) -> bool:
        """Add ``item`` to (``ignored``) or remove it from the handler-wide ignore list of
        ``ignore_type`` (an IgnoreType or 0.x's name); whether the list changed.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` has a wrong type.
            BaseASHException: an unknown ``ignore_type`` name.
        """
        items = self.options[ignore_list(ignore_type)]
        value = item_id(item)
        if (value in items) == ignored:
            return False
        if ignored:
            items.append(value)
        else:
            items.remove(value)
        return True

    def policy(self, extensions: Mapping[str, typing.Any]) -> Policy:
        """The spamguard policy of these options, with ``extensions``' settings."""
        base = guild_policy(self.options, extensions)
        guilds = {gid: guild_policy(opts, extensions) for gid, opts in self._custom.items()}
        return Policy(base=base, guilds=guilds, source={"antispam_options": self.options})

    def to_data(self) -> list[dict[str, typing.Any]]:
        """Every known guild as ``save_to_dict``'s ``guilds`` entries."""
        return [
            {
                "id": guild_id,
                "has_custom_options": guild_id in self._custom,
                "options": copy.deepcopy(self._custom.get(guild_id)),
            }
            for guild_id in sorted(self._guilds)
        ]

    def load_data(self, guilds: Iterable[Mapping[str, typing.Any]]) -> None:
        """Add the guilds of :meth:`to_data`'s output.

        Raises:
            KeyError, TypeError, ValueError, BaseASHException: bad data.
        """
        for guild in guilds:
            guild_id = int(guild["id"])
            self._guilds.add(guild_id)
            if guild["has_custom_options"]:
                self.set_custom(guild_id, **guild["options"])
