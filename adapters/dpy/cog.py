"""spamguard's Cog for the discord.py family, and adding it to a bot.

:func:`cog_class` builds the ``SpamGuard`` Cog class of a library (its listeners hand
every event to the :class:`~spamguard.adapters.dpy.binding.ProtectionBinding`);
:func:`finish_now` completes a library call that may be a coroutine (discord.py's
``add_cog``) where ``attach`` cannot await.
"""

from __future__ import annotations

__all__ = ("COG_NAME", "SuspendedCogError", "cog_class", "finish_now")

import inspect
import typing

from spamguard.core.errors import SpamguardError

if typing.TYPE_CHECKING:
    from spamguard.adapters.dpy.binding import ProtectionBinding
    from spamguard.adapters.dpy.flavour import Flavour

COG_NAME = "SpamGuard"
"""The Cog's name: ``bot.get_cog("SpamGuard").protection`` reaches the running protection."""


class SuspendedCogError(SpamguardError, RuntimeError):
    """The library's ``add_cog`` waited for something, so ``attach`` (synchronous) could
    not add the Cog at once; ``await bot.load_extension(...)`` can."""


def finish_now(result: object, what: str) -> None:
    """Complete ``result`` of a library call at once: nothing to do for a plain value;
    a coroutine (discord.py's ``add_cog``) is run to its end without an event loop.

    discord.py's ``add_cog`` awaits nothing but the Cog's ``cog_load``, which spamguard's
    Cog leaves as Cog's own (a coroutine that returns at once), so the coroutine ends at
    its first step: the Cog is in place when ``attach`` returns, in a running loop or
    before ``bot.run()`` alike. Its exceptions (a Cog of that name already there) are
    raised as they are.

    Raises:
        SuspendedCogError: the coroutine waited for something (a bot whose ``add_cog``
            does I/O); it is closed, so nothing of it goes on in the background.
    """
    if not inspect.iscoroutine(result):
        return
    try:
        result.send(None)
    except StopIteration:
        return
    result.close()
    msg = (
        f"{what} did not finish at once, so spamguard's synchronous attach cannot add its "
        "Cog; use `await bot.load_extension(...)` instead"
    )
    raise SuspendedCogError(msg)


_COG_CLASSES: dict[str, type[typing.Any]] = {}


def cog_class(flavour: Flavour) -> type[typing.Any]:
    """The Cog class of ``flavour``'s library (built once per library)."""
    cached = _COG_CLASSES.get(flavour.name)
    if cached is not None:
        return cached
    commands = flavour.commands

    class SpamGuardCog(commands.Cog, name=COG_NAME):  # type: ignore[misc,name-defined,call-arg]
        """spamguard's anti-spam listeners; ``self.protection`` is the running protection."""

        def __init__(self, binding: ProtectionBinding) -> None:
            self.binding = binding
            self.protection = binding.protection

        @commands.Cog.listener("on_ready")  # type: ignore[untyped-decorator]
        async def spamguard_on_ready(self) -> None:
            await self.binding.on_ready()

        @commands.Cog.listener("on_shard_disconnect")  # type: ignore[untyped-decorator]
        async def spamguard_on_shard_disconnect(self, shard_id: int) -> None:
            await self.binding.on_shard_disconnect(shard_id)

        @commands.Cog.listener("on_disconnect")  # type: ignore[untyped-decorator]
        async def spamguard_on_disconnect(self) -> None:
            await self.binding.on_disconnect()

        @commands.Cog.listener("on_message")  # type: ignore[untyped-decorator]
        async def spamguard_on_message(self, message: typing.Any) -> None:
            await self.binding.on_message(message)

        @commands.Cog.listener("on_raw_message_edit")  # type: ignore[untyped-decorator]
        async def spamguard_on_raw_message_edit(self, event: typing.Any) -> None:
            await self.binding.on_raw_message_edit(event)

        @commands.Cog.listener(flavour.automod_event)  # type: ignore[untyped-decorator]
        async def spamguard_on_automod_execution(self, execution: typing.Any) -> None:
            await self.binding.on_automod_execution(execution)

        @commands.Cog.listener("on_member_join")  # type: ignore[untyped-decorator]
        async def spamguard_on_member_join(self, member: typing.Any) -> None:
            await self.binding.on_member_join(member)

        @commands.Cog.listener("on_raw_member_remove")  # type: ignore[untyped-decorator]
        async def spamguard_on_raw_member_remove(self, event: typing.Any) -> None:
            await self.binding.on_raw_member_remove(event)

        @commands.Cog.listener("on_guild_available")  # type: ignore[untyped-decorator]
        async def spamguard_on_guild_available(self, guild: typing.Any) -> None:
            await self.binding.sync_automod(guild.id)

        @commands.Cog.listener("on_guild_join")  # type: ignore[untyped-decorator]
        async def spamguard_on_guild_join(self, guild: typing.Any) -> None:
            await self.binding.sync_automod(guild.id)

        def cog_unload(self) -> None:
            self.binding.unload()

    SpamGuardCog.__qualname__ = SpamGuardCog.__name__ = f"SpamGuardCog[{flavour.name}]"
    # The libraries remove an extension's Cogs by their class's module on
    # unload_extension: the Cog belongs to the adapter module that is the extension.
    SpamGuardCog.__module__ = f"spamguard.adapters.{flavour.adapter}"
    _COG_CLASSES[flavour.name] = SpamGuardCog
    return SpamGuardCog
