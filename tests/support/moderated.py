"""A protection as ``attach`` builds it for the moderation tests (tests/moderation)."""

from __future__ import annotations

import contextlib
import dataclasses
import typing

if typing.TYPE_CHECKING:
    import pathlib

    from spamguard.adapters.runtime import Runtime
    from spamguard.core import Message, Plan
    from spamguard.moderation import Moderation
    from support.executors import RecordingExecutor
    from support.messages import Messages

POLICY = """\
version: 1
incident_window: 10
spam:
  levels:
    0:
      punishment: TIMEOUT
      punishment_duration: 600
      clean: true
      max_messages: {count: 3, interval: 10}
      max_duplicates: {count: 5, interval: 30}
"""
"""Three messages in 10 s: a 10-minute timeout and the spam cleaned."""


@dataclasses.dataclass(slots=True)
class Moderated:
    """A started protection, its moderation and what its executor was asked to do."""

    moderation: Moderation
    runtime: Runtime
    executor: RecordingExecutor
    policy_path: pathlib.Path
    messages: Messages

    async def send(self, content: str = "hello", *, t: float = 0.0, **fields: typing.Any) -> Plan:
        """Decide a message ``t`` seconds after the messages' T0; its plan."""
        plan = await self.runtime.handle(self.messages(content, t=t, **fields))
        assert plan is not None
        return plan

    def message(self, content: str = "hello", *, t: float = 0.0, **fields: typing.Any) -> Message:
        return self.messages(content, t=t, **fields)


ModeratedFactory = typing.Callable[..., contextlib.AbstractAsyncContextManager[Moderated]]
