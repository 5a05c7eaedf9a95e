"""Type-checked by mypy in ``tox -e type``, never run: what a user's type checker sees.

Each ``# type: ignore[...]`` marks a line that must be an error; mypy --strict reports an
ignore that is not needed, so a line that stops being an error fails the env.
"""

from __future__ import annotations

import spamguard.adapters
from spamguard.adapters.runtime import Protection
from spamguard.contrib.antispam import AntiSpamHandler


def a_misspelt_attach_option_is_an_error(bot: object) -> None:
    spamguard.adapters.attach(bot, polcy="policy.yaml")  # type: ignore[call-arg]


def an_attach_option_of_the_wrong_type_is_an_error(bot: object) -> None:
    spamguard.adapters.attach(bot, action_timeout="10")  # type: ignore[arg-type]


def the_options_are_the_same_for_every_library(bot: object) -> Protection:
    return spamguard.adapters.attach(
        bot, policy="policy.yaml", load_entrypoints=False, poll_interval=0.5
    )


def protection_stats_are_typed(protection: Protection) -> int:
    stats = protection.stats
    _ = stats["runtime"]["no_such_counter"]  # type: ignore[typeddict-item]
    return stats["runtime"]["messages"] + stats["guard"]["messages"]


async def propagate_results_are_typed(handler: AntiSpamHandler, message: object) -> bool:
    result = await handler.propagate(message)
    _ = result.no_such_field  # type: ignore[attr-defined]
    return result.member_was_banned
