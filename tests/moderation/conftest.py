"""A protection as ``attach`` builds it (real runtime, memory store, a policy file), with an
executor that records the actions instead of a Discord library: what the moderators'
operations act on in these tests. The per-library tests are in tests/adapter_contract."""

from __future__ import annotations

import contextlib
import typing

import pytest
from support.executors import RecordingExecutor
from support.messages import Messages
from support.moderated import POLICY, Moderated, ModeratedFactory

from spamguard.adapters.runtime import Protection, build_runtime
from spamguard.moderation import Moderation

if typing.TYPE_CHECKING:
    import pathlib
    from collections.abc import AsyncIterator, Callable

    from spamguard.adapters.stores.base import Store


@pytest.fixture
def moderated(tmp_path: pathlib.Path) -> ModeratedFactory:
    """``async with moderated(policy_text, store=...) as m``: a started protection whose
    policy is read from a file (so ``reload`` reads it again)."""

    @contextlib.asynccontextmanager
    async def start(
        policy: str = POLICY, *, store: Store | None = None
    ) -> AsyncIterator[Moderated]:
        path = tmp_path / "spamguard.yaml"
        path.write_text(policy, encoding="utf-8")
        executor = RecordingExecutor()
        messages = Messages()
        runtime = build_runtime(
            lambda guard, clock, recent: executor,
            policy=path,
            plugins=(),
            self_id=None,
            store=store,
            action_timeout=None,
            options={"load_entrypoints": False, "clock": lambda: messages.T0},
        )
        await runtime.start()

        async def detach() -> None:
            return None

        try:
            yield Moderated(
                Moderation(Protection(runtime, detach)), runtime, executor, path, messages
            )
        finally:
            await runtime.stop()

    return start


@pytest.fixture
def kinds() -> Callable[[list[object]], list[str]]:
    """The kinds of recorded actions, in order."""
    return lambda sent: [typing.cast("typing.Any", action).kind for action in sent]


@pytest.fixture
def executor() -> RecordingExecutor:
    """An executor recording what it is asked to do."""
    return RecordingExecutor()
