"""A nextcord bot protected by spamguard, loaded as an extension.

Run it::

    pip install 'spamguard[nextcord]'
    DISCORD_TOKEN=... python examples/nextcord_bot.py [policy.yaml]

Without a policy file the bundled default policy applies (a 5-minute timeout and a clean
for 8 messages in 5 seconds, among others); ``$SPAMGUARD_POLICY`` may name one too. In
the Developer Portal, turn on the Message Content and Server Members intents.

The one line that matters is ``bot.load_extension("spamguard.adapters.nextcord")``;
code-first set-up is ``spamguard.adapters.attach(bot, policy=...)`` (see
``disnake_bot.py``).
"""

from __future__ import annotations

import logging
import os
import sys

import nextcord
from nextcord.ext import commands


def build_bot(policy_file: str | None = None) -> commands.Bot:
    """A bot with the intents spamguard needs, protected by spamguard."""
    intents = nextcord.Intents.default()
    intents.message_content = True  # content checks (duplicates, links, invites...)
    intents.members = True  # a full member cache: fewer look-ups before a punishment
    bot = commands.Bot(intents=intents)

    @bot.event
    async def on_ready() -> None:
        logging.getLogger("example").info("logged in as %s", bot.user)

    # nextcord hands load_extension's extras to the extension's setup().
    extras = {"policy": policy_file} if policy_file else None
    bot.load_extension("spamguard.adapters.nextcord", extras=extras)
    return bot


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    bot = build_bot(sys.argv[1] if len(sys.argv) > 1 else None)
    # bot.get_cog("SpamGuard").protection.stats has what spamguard saw and did.
    bot.run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
