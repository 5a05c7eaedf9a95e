"""What an adapter lends to code that runs a guard outside ``attach()``.

The discord-anti-spam facade (:mod:`spamguard.contrib.antispam`) decides with its own
:class:`~spamguard.core.engine.guard.Guard` but reads the library's message objects and carries
its plans out like an attached bot does. It asks for a :class:`CompatBridge` through the
``spamguard_make_compat_bridge`` hook, so contrib never imports an adapter.
"""

from __future__ import annotations

__all__ = ("CompatBridge",)

import typing

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable

    from spamguard.core.messages import MessageLike
    from spamguard.core.plan import Plan


class CompatBridge(typing.Protocol):
    """A library's conversion and execution, as ``spamguard_make_compat_bridge`` returns them."""

    def convert(self, message: typing.Any) -> MessageLike | None:
        """The library's message object as a MessageLike (None for what is not moderated)."""

    def carry_out(self, plan: Plan) -> Awaitable[typing.Any]:
        """Carry a plan out (``Runtime.carry_out``)."""
