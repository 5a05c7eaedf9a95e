"""A hikari-lightbulb 3 bot protected by spamguard, loaded as an extension.

::

    pip install 'spamguard[lightbulb]'
    DISCORD_TOKEN=... python examples/lightbulb_bot.py [policy.yaml]

The policy reaches the extension through lightbulb's dependency injection; so does the
protection, which the ``/spamstats`` command asks for.
"""

from __future__ import annotations

import os
import sys

import hikari
import lightbulb

from spamguard.adapters.runtime import Protection
from spamguard.core import Policy

INTENTS = (
    hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.MESSAGE_CONTENT | hikari.Intents.GUILD_MEMBERS
)


class SpamStats(lightbulb.SlashCommand, name="spamstats", description="What spamguard did so far"):
    """Show spamguard's counters (the protection comes from lightbulb's DI)."""

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, protection: Protection = lightbulb.di.INJECTED
    ) -> None:
        """Reply with the runtime's counters."""
        runtime = protection.stats["runtime"]
        await ctx.respond(
            f"messages: {runtime['messages']}, actions: {runtime['actions_ok']}, "
            f"failures: {runtime['actions_failed']}",
            flags=hikari.MessageFlag.EPHEMERAL,
        )


async def setup(client: lightbulb.Client, policy: Policy | None = None) -> None:
    """Give spamguard its policy (optional) and load its extension: the one line."""
    if policy is not None:
        client.di.registry_for(lightbulb.di.Contexts.DEFAULT).register_value(Policy, policy)
    client.register(SpamStats)
    await client.load_extensions("spamguard.adapters.lightbulb")


def main() -> None:
    """Build the bot and its lightbulb client; set spamguard up before they start."""
    bot = hikari.GatewayBot(os.environ["DISCORD_TOKEN"], intents=INTENTS)
    client = lightbulb.client_from_app(bot)
    policy = Policy.from_file(sys.argv[1]) if len(sys.argv) > 1 else None

    @bot.listen(hikari.StartingEvent)
    async def on_starting(_: hikari.StartingEvent) -> None:
        await setup(client, policy)
        await client.start()

    bot.run()


if __name__ == "__main__":
    main()
