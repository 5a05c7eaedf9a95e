"""A join raid through the shared runtime: the lockdown and the punishments reach the
executor, the raid's start and end reach the outcome hook without a request."""

from __future__ import annotations

import datetime

from support.executors import RecordingExecutor

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.contrib.join_raid import JoinRaid, JoinRaidReport
from spamguard.core import Guard, Policy, hookimpl
from spamguard.core.actions import SetIncidentActions, Timeout
from spamguard.core.events import MemberJoin
from spamguard.core.outcomes import ActionOutcome

T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
GUILD = 1


class _Outcomes:
    def __init__(self) -> None:
        self.seen: list[ActionOutcome] = []

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        self.seen.append(outcome)


def _join(user: int, seconds: float) -> MemberJoin:
    return MemberJoin(
        guild_id=GUILD, user_id=user, joined_at=T0 + datetime.timedelta(seconds=seconds)
    )


async def test_a_raid_sends_one_lockdown_and_reports_its_start_and_end_without_a_request() -> None:
    policy = Policy.from_dict(
        {
            "spam": {"levels": {0: {}}},
            "extensions": {
                "join_raid": {
                    "joins": 4,
                    "interval": 5,
                    "quiet": 30,
                    "lockdown": {"duration": 600},
                    "raid_joiners": "TIMEOUT",
                }
            },
        }
    )
    outcomes = _Outcomes()
    guard = Guard(policy, plugins=[JoinRaid(), outcomes])
    executor = RecordingExecutor()
    runtime = Runtime(guard, executor, store=MemoryStore(), clock=lambda: T0)
    await runtime.start()
    try:
        for index in range(6):
            await runtime.handle_member(_join(100 + index, index * 0.5))
        await runtime.handle_member(_join(200, 100))
    finally:
        await runtime.stop()

    # The lockdown, the raid joiners' timeouts, and the lift at the end seen at the late
    # join (the runtime's clock stood still: the raid's timer never fell due).
    assert [type(action) for action in executor.sent] == [SetIncidentActions] + [Timeout] * 6 + [
        SetIncidentActions
    ]
    assert not any(isinstance(action, JoinRaidReport) for action in executor.sent)
    reports = [o for o in outcomes.seen if isinstance(o.action, JoinRaidReport)]
    assert [(o.ok, o.action.started, o.dry_run) for o in reports] == [
        (True, True, False),
        (True, False, False),
    ]
    assert all(o.ok for o in outcomes.seen)
