"""A moderator's pardon (``MemberPardon``) reaches the member's stored state in every store,
under the member's lock: the escalation ladder starts again."""

from __future__ import annotations

import datetime
import typing

import pytest
from support.executors import RecordingExecutor

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.adapters.store_redis import ConsistentRedisStore, RedisStore
from spamguard.core import Guard, Message, Policy
from spamguard.core.events import MemberPardon

if typing.TYPE_CHECKING:
    from spamguard.adapters.stores.base import Store

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD, USER, CHANNEL = 900, 5, 50

LADDER = Policy.from_dict(
    {
        "version": 1,
        "incident_window": 1,
        "escalation": {"kick_threshold": 1, "ban_threshold": 9},
        "spam": {"levels": {0: {"punishment": "NONE", "max_links": {"count": 2, "interval": 5}}}},
    }
)
"""Two links in a message: a violation; the first is a warning, the second a kick."""


def _links(message_id: int, seconds: float) -> Message:
    return Message(
        id=message_id,
        guild_id=GUILD,
        channel_id=CHANNEL,
        author_id=USER,
        content="https://a.example https://b.example",
        created_at=T0 + datetime.timedelta(seconds=seconds),
    )


async def _punishments_around_a_pardon(store: Store) -> list[str]:
    runtime = Runtime(Guard(LADDER), RecordingExecutor(), store=store, clock=lambda: T0)
    await runtime.start()
    try:
        first = await runtime.handle(_links(1, 0))
        plan = await runtime.handle_member(
            MemberPardon(guild_id=GUILD, user_id=USER, at=T0 + datetime.timedelta(seconds=10))
        )
        assert plan is not None and not plan.actions
        second = await runtime.handle(_links(2, 20))
        assert runtime.stats.errors == 0
        assert first is not None and second is not None
        return [first.punishment, second.punishment]
    finally:
        await runtime.stop()


async def test_without_a_pardon_the_second_violation_climbs_the_ladder() -> None:
    runtime = Runtime(Guard(LADDER), RecordingExecutor(), clock=lambda: T0)
    await runtime.start()
    plans = [await runtime.handle(_links(1, 0)), await runtime.handle(_links(2, 20))]
    await runtime.stop()
    assert [p.punishment for p in plans if p is not None] == ["WARN", "KICK"]


async def test_the_memory_store_forgets_the_ladder() -> None:
    assert await _punishments_around_a_pardon(MemoryStore()) == ["WARN", "WARN"]


@pytest.mark.parametrize("store_class", [RedisStore, ConsistentRedisStore])
async def test_a_redis_store_forgets_the_ladder(
    redis_url: str, store_class: type[RedisStore | ConsistentRedisStore]
) -> None:
    assert await _punishments_around_a_pardon(store_class(redis_url)) == ["WARN", "WARN"]
