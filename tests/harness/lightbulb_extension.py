"""A lightbulb 3 extension loaded by the hikari harness tests.

It deletes every message containing "spam" with an audit-log reason, and registers one
slash command so that client start-up syncs commands against the REST stand-in.
"""

from __future__ import annotations

__all__ = ("loader",)

import hikari
import lightbulb

loader = lightbulb.Loader()


@loader.listener(hikari.GuildMessageCreateEvent)
async def delete_spam(event: hikari.GuildMessageCreateEvent) -> None:
    """Delete messages that contain "spam"."""
    if "spam" in (event.message.content or ""):
        await event.app.rest.delete_message(
            event.channel_id, event.message_id, reason="spam (lightbulb)"
        )


@loader.command
class Ping(lightbulb.SlashCommand, name="ping", description="Answer pong"):
    """A trivial command, present so that start-up has a command to sync."""

    @lightbulb.invoke
    async def invoke(self, ctx: lightbulb.Context) -> None:
        """Reply pong."""
        await ctx.respond("pong")
