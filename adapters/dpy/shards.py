"""The shards a discord.py, nextcord or disnake bot runs, read from the library.

An ``AutoShardedClient`` (``AutoShardedBot``) runs ``shard_ids`` (None: every shard) out
of ``shard_count`` and says which shard disconnected (``on_shard_disconnect``); a plain
``Client`` runs one shard, ``shard_id`` of ``shard_count`` when both are given, else the
whole bot (every guild), and only says ``on_disconnect``.
"""

from __future__ import annotations

__all__ = ("is_auto_sharded", "ownership")

import typing

from spamguard.adapters.runtime.shards import ShardOwnership

if typing.TYPE_CHECKING:
    from spamguard.adapters.dpy.flavour import Flavour


def is_auto_sharded(flavour: Flavour, bot: typing.Any) -> bool:
    """Whether ``bot`` is the library's ``AutoShardedClient`` (it names the shard that
    disconnects with ``on_shard_disconnect``)."""
    return isinstance(bot, flavour.module.AutoShardedClient)


def ownership(flavour: Flavour, bot: typing.Any) -> ShardOwnership:
    """The shards ``bot`` runs in this process, as its library knows them now."""
    if is_auto_sharded(flavour, bot):
        return ShardOwnership.of(bot.shard_ids, bot.shard_count)
    shard_id = getattr(bot, "shard_id", None)
    return ShardOwnership.of(None if shard_id is None else (shard_id,), bot.shard_count)
