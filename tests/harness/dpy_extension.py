"""An extension with a Cog, loaded by the discord.py, nextcord and disnake harness tests.

It serves the three libraries: ``setup`` takes the library from the bot's class, and the
Cog is built from that library's ``commands`` module. It deletes every message containing
"spam" (``Message.delete`` takes no reason in any of them).
"""

from __future__ import annotations

__all__ = ("setup",)

import importlib
import typing


def setup(bot: typing.Any) -> typing.Any:
    """Add the anti-spam Cog to ``bot``.

    Synchronous, as nextcord and disnake expect; discord.py awaits ``setup(bot)``, and so
    the coroutine of its ``add_cog`` that this returns.
    """
    library = type(bot).__module__.split(".")[0]
    commands = importlib.import_module(f"{library}.ext.commands")

    class AntiSpam(commands.Cog):  # type: ignore[misc,name-defined]
        """Deletes messages containing "spam"."""

        def __init__(self) -> None:
            self.seen: list[typing.Any] = []

        @commands.Cog.listener("on_message")
        async def delete_spam(self, message: typing.Any) -> None:
            self.seen.append(message)
            if "spam" in message.content:
                await message.delete()

    return bot.add_cog(AntiSpam())
