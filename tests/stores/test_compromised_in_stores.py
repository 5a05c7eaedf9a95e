"""A compromised account's spray decided by two processes sharing Redis (``mode:
consistent``): the member's texts ``CheckContext.texts`` reads are one of the policy's
windows, kept in Redis, so the copies one process saw count for the other."""

from __future__ import annotations

import datetime

from support.executors import RecordingExecutor

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_redis import ConsistentRedisStore
from spamguard.contrib.compromised import Compromised
from spamguard.core import DeleteMessages, Guard, Message, Policy

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD, USER = 900, 5
CHANNELS = (51, 52, 53)
SCAM = "free nitro for everyone, claim it here before it runs out"
POLICY = {
    "version": 1,
    "spam": {"levels": {0: {"punishment": "NONE", "max_messages": {"count": 50, "interval": 5}}}},
    "extensions": {"compromised": {}},
}


def _copy(message_id: int, channel_id: int, seconds: float) -> Message:
    return Message(
        id=message_id,
        guild_id=GUILD,
        channel_id=channel_id,
        author_id=USER,
        content=SCAM,
        created_at=T0 + datetime.timedelta(seconds=seconds),
    )


async def test_two_processes_see_one_spray(redis_url: str) -> None:
    runtimes = [
        Runtime(
            Guard(Policy.from_dict(POLICY), plugins=[Compromised()]),
            RecordingExecutor(),
            store=ConsistentRedisStore(redis_url),
            clock=lambda: T0,
        )
        for _process in range(2)
    ]
    for runtime in runtimes:
        await runtime.start()
    try:
        first = await runtimes[0].handle(_copy(1, CHANNELS[0], 0))
        second = await runtimes[1].handle(_copy(2, CHANNELS[1], 1))
        third = await runtimes[0].handle(_copy(3, CHANNELS[2], 2))
    finally:
        for runtime in runtimes:
            await runtime.stop()
    assert first is not None and second is not None and third is not None
    assert not first.violations and not second.violations
    assert [v.check for v in third.violations] == ["compromised"]
    assert third.punishment == "TIMEOUT"
    deleted = {
        (action.channel_id, message_id)
        for action in third.actions
        if isinstance(action, DeleteMessages)
        for message_id in action.message_ids
    }
    assert deleted == {(51, 1), (52, 2), (53, 3)}
