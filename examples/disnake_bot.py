"""A disnake bot protected by spamguard, set up in code.

Run it::

    pip install 'spamguard[disnake]'
    DISCORD_TOKEN=... python examples/disnake_bot.py [policy.yaml]

Without a policy file the bundled default policy applies. In the Developer Portal, turn
on the Message Content and Server Members intents.

The one line that matters is ``spamguard.adapters.attach(bot, ...)``; the extension way
is ``bot.load_extension("spamguard.adapters.disnake")`` with the policy file named by
``$SPAMGUARD_POLICY`` (see ``nextcord_bot.py``).
"""

from __future__ import annotations

import logging
import os
import sys

import disnake
from disnake.ext import commands

import spamguard.adapters
from spamguard.core import ActionOutcome, Policy, hookimpl

_LOG = logging.getLogger("example")


class ModLog:
    """A spamguard plugin: logs every action carried out, and every one that failed."""

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        if outcome.ok:
            _LOG.info("spamguard did %s in guild %s", outcome.action.kind, outcome.guild_id)
        else:
            _LOG.warning(
                "spamguard could not %s (%s): %s",
                outcome.action.kind,
                outcome.failure,
                outcome.detail,
            )


def build_bot(policy_file: str | None = None) -> commands.InteractionBot:
    """A bot with the intents spamguard needs, protected by spamguard."""
    intents = disnake.Intents.default()
    intents.message_content = True  # content checks (duplicates, links, invites...)
    intents.members = True  # a full member cache: fewer look-ups before a punishment
    bot = commands.InteractionBot(intents=intents)
    policy = Policy.from_file(policy_file) if policy_file else Policy.default()
    protection = spamguard.adapters.attach(bot, policy=policy, plugins=[ModLog()])

    @bot.slash_command(description="What spamguard saw and did")
    async def spamguard_stats(inter: disnake.ApplicationCommandInteraction) -> None:
        runtime = protection.stats["runtime"]
        await inter.response.send_message(
            f"{runtime['messages']} messages checked, actions: {runtime['actions_ok']}, "
            f"failed: {runtime['actions_failed']}",
            ephemeral=True,
        )

    return bot


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    bot = build_bot(sys.argv[1] if len(sys.argv) > 1 else None)
    bot.run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
