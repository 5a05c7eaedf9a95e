"""A discord.py bot protected by spamguard, attached in code.

Run it::

    pip install 'spamguard[discordpy]'
    DISCORD_TOKEN=... python examples/discordpy_bot.py [policy.yaml]

Without a policy file the bundled default policy applies (a 5-minute timeout and a clean
for 8 messages in 5 seconds, among others); ``$SPAMGUARD_POLICY`` may name one too. In
the Developer Portal, turn on the Message Content and Server Members intents.

The one line that matters is ``spamguard.adapters.attach(bot, policy=...)``, before
``bot.run`` or in a running bot. As an extension it is
``await bot.load_extension("spamguard.adapters.discordpy")`` (in ``setup_hook``); the
policy file is then the one ``$SPAMGUARD_POLICY`` names, as discord.py passes an
extension no options.
"""

from __future__ import annotations

import logging
import os
import sys

import discord
from discord.ext import commands

import spamguard.adapters


def build_bot(policy_file: str | None = None) -> commands.Bot:
    """A bot with the intents spamguard needs, protected by spamguard."""
    intents = discord.Intents.default()
    intents.message_content = True  # content checks (duplicates, links, invites...)
    intents.members = True  # a full member cache: fewer look-ups before a punishment
    bot = commands.Bot(command_prefix="!", intents=intents)

    @bot.event
    async def on_ready() -> None:
        logging.getLogger("example").info("logged in as %s", bot.user)

    spamguard.adapters.attach(bot, policy=policy_file)
    return bot


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    bot = build_bot(sys.argv[1] if len(sys.argv) > 1 else None)
    # bot.get_cog("SpamGuard").protection.stats has what spamguard saw and did.
    bot.run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
