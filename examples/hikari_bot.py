"""A hikari bot protected by spamguard: one line.

Run it with a bot token (and optionally a policy file)::

    pip install 'spamguard[hikari]'
    DISCORD_TOKEN=... SPAMGUARD_POLICY=policy.yaml python examples/hikari_bot.py

Without ``SPAMGUARD_POLICY`` the bundled default policy applies: eight messages in five
seconds earn a five-minute timeout and the spam is deleted. Give the bot the Manage
Messages, Moderate Members (timeouts), Kick Members, Ban Members and Manage Roles
permissions, with its role above the members it should moderate.
"""

from __future__ import annotations

import logging
import os

import hikari

import spamguard.adapters
from spamguard.adapters.runtime import Protection
from spamguard.core import ActionOutcome, hookimpl

INTENTS = (
    hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.MESSAGE_CONTENT | hikari.Intents.GUILD_MEMBERS
)
"""Message content to read messages, members for a full member cache (hierarchy and
exemptions are computed from it); the unprivileged set includes AutoMod executions."""

log = logging.getLogger("example")


class LogFailures:
    """A spamguard plugin: log every action Discord refused (a missing permission...)."""

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        if not outcome.ok:
            log.warning(
                "could not %s: %s (%s)", outcome.action.kind, outcome.failure, outcome.detail
            )


def protect(bot: hikari.GatewayBot) -> Protection:
    """The one line (plus a plugin), and a stats report when the bot stops."""
    protection = spamguard.adapters.attach(bot, plugins=[LogFailures()])

    async def report(_: hikari.StoppingEvent) -> None:
        log.info("spamguard stats: %s", protection.stats)

    bot.subscribe(hikari.StoppingEvent, report)
    return protection


def main() -> None:
    """Build the bot, protect it, run it."""
    logging.basicConfig(level=logging.INFO)
    bot = hikari.GatewayBot(os.environ["DISCORD_TOKEN"], intents=INTENTS)
    protect(bot)
    bot.run()


if __name__ == "__main__":
    main()
