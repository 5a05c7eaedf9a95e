"""A join raid seen by two bot processes sharing one real Redis (two shards' runtimes):
raid mode is one state, so one lockdown, and every raid joiner punished once."""

from __future__ import annotations

import datetime
import typing

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_redis import RedisStore
from spamguard.contrib.join_raid import JoinRaid, JoinRaidReport
from spamguard.core import Guard, MemberJoin, Policy, SetIncidentActions, Timeout

if typing.TYPE_CHECKING:
    from spamguard.core import Action

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
GUILD = 900
SETTINGS = {
    "joins": 5,
    "interval": 10,
    "quiet": 60,
    "lockdown": {"duration": 900},
    "raid_joiners": "TIMEOUT",
}


class Executor:
    """Carries actions out by writing them down (the runtime's side of a library)."""

    def __init__(self) -> None:
        self.done: list[Action] = []

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: typing.Any) -> int | None:
        self.done.append(action)
        return None

    def classify(self, error: BaseException) -> typing.Any:
        raise AssertionError(error)


def _runtime(redis_url: str, executor: Executor) -> Runtime:
    policy = Policy.from_dict({"spam": {"levels": {0: {}}}, "extensions": {"join_raid": SETTINGS}})
    guard = Guard(policy, plugins=[JoinRaid()])
    return Runtime(guard, executor, store=RedisStore(redis_url), poll_interval=3600)


async def test_two_processes_sharing_redis_see_one_raid(redis_url: str) -> None:
    executors = (Executor(), Executor())
    runtimes = [_runtime(redis_url, executor) for executor in executors]
    for runtime in runtimes:
        await runtime.start()
    try:
        for index in range(12):  # the joins alternate between the two processes
            join = MemberJoin(
                guild_id=GUILD,
                user_id=1000 + index,
                joined_at=T0 + datetime.timedelta(seconds=index * 0.5),
            )
            await runtimes[index % 2].handle_member(join)
        # The end, seen by the first process at a join after the quiet minute.
        late = MemberJoin(guild_id=GUILD, user_id=2000, joined_at=T0 + datetime.timedelta(0, 200))
        plan = await runtimes[0].handle_member(late)
    finally:
        for runtime in runtimes:
            await runtime.stop()

    done = [action for executor in executors for action in executor.done]
    lockdowns = [a for a in done if isinstance(a, SetIncidentActions)]
    assert lockdowns == [
        SetIncidentActions(
            guild_id=GUILD,
            invites_disabled_until=T0 + datetime.timedelta(seconds=2 + 900),
            dms_disabled_until=None,
            reason="spamguard: join raid",
        )
    ]
    timed_out = sorted(a.user_id for a in done if isinstance(a, Timeout))
    assert timed_out == list(range(1000, 1012))
    assert plan is not None
    assert [(a.started, a.at) for a in plan.actions if isinstance(a, JoinRaidReport)] == [
        (False, T0 + datetime.timedelta(seconds=5.5 + 60))
    ]
