"""hikari-specific wording of what the adapter hears: a message from a guild hikari has
not cached is not checked, and the warning, said once per guild, names it (the shared
event behaviour is in tests/adapter_contract/test_events.py)."""

from __future__ import annotations

import logging
import typing

from support import payloads

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from spamguard.core import Policy

    from .conftest import GuardedFactory


async def test_nothing_is_done_in_a_guild_hikari_has_not_cached(
    guarded: GuardedFactory,
    policy_factory: Callable[..., Policy],
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = payloads.build_world(
        guild_name="Elsewhere too", created_at=payloads.snowflake_time(3 << 59)
    )
    async with guarded(policy_factory(punishment="KICK", clean=True, exempt_admins=True)) as g:
        assert g.harness.bot.cache.get_guild(stranger.guild_id) is None
        with caplog.at_level(logging.WARNING, logger="spamguard.adapters.hikari"):
            # Its administrator: without the guild, the exemption cannot be seen.
            for i in range(4):
                await g.harness.dispatch(
                    "MESSAGE_CREATE", stranger.message(author=stranger.admin, content=f"hi {i}")
                )

        assert g.api.requests == ()
        assert g.protection.stats["runtime"]["messages"] == 0
        warnings = [r for r in caplog.records if "not checked" in r.getMessage()]
        assert len(warnings) == 1
        assert str(stranger.guild_id) in warnings[0].getMessage()
