"""What a custom check (a plugin's ``spamguard_check_message``) can see."""

from __future__ import annotations

__all__ = ("CheckContext",)

import dataclasses
import datetime
import typing

from spamguard.core.policy import Scope

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import GuildPolicy
    from spamguard.core.windows import DuplicateWindow, Entry, SumWindow


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """The surroundings of one message, handed to custom checks."""

    message: MessageLike
    """The message being checked."""
    policy: GuildPolicy
    """The guild's settings; a plugin reads its own under ``policy.extensions[name]``."""
    now: datetime.datetime
    """The decision time."""
    _history: Callable[[float], list[Entry]]
    _window: Callable[[str, Scope, float, bool], SumWindow | DuplicateWindow]

    def history(self, seconds: float) -> list[Entry]:
        """The member's messages in this guild over the last ``seconds`` (this one included),
        oldest first, as window entries (id, channel, time, normalised text)."""
        return self._history(seconds)

    def window(
        self, name: str, *, interval: float, scope: Scope = Scope.USER, text: bool = False
    ) -> SumWindow | DuplicateWindow:
        """A window owned by the calling check, for this message's ``scope``.

        The guard keeps it (expired to ``interval``, bounded, snapshotted); the check adds
        this message's entry itself with ``window.add(Entry(...))``. ``text=True`` gives a
        :class:`~spamguard.core.windows.DuplicateWindow` for similarity checks.
        """
        return self._window(name, scope, interval, text)
