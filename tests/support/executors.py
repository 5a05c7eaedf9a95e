"""An action executor for runtime tests that need no Discord library: it refuses nothing,
records each action it is asked to carry out and succeeds."""

from __future__ import annotations

__all__ = ("RecordingExecutor",)

from spamguard.core import FailureKind


class RecordingExecutor:
    """Records the requests it would send (`sent`); every action succeeds."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: object) -> int | None:
        self.sent.append(action)
        return None

    def classify(self, error: BaseException) -> FailureKind:
        return FailureKind.ERROR
