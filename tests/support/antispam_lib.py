"""A ``Library.CUSTOM`` library handler for the discord-anti-spam facade's tests without a
Discord library: messages are spamguard's own, plans are kept instead of carried out."""

from __future__ import annotations

__all__ = ("KeepingLib", "custom_handler")

import typing

from spamguard.contrib.antispam import AntiSpamHandler, Options
from spamguard.contrib.antispam.enums import Library

if typing.TYPE_CHECKING:
    from spamguard.core import Plan
    from spamguard.core.messages import MessageLike


class KeepingLib:
    """Reads spamguard ``Message`` values as they are; keeps the plans it is given."""

    def __init__(self) -> None:
        self.plans: list[Plan] = []

    def convert(self, message: typing.Any) -> MessageLike | None:
        return typing.cast("MessageLike", message)

    async def carry_out(self, plan: Plan) -> None:
        self.plans.append(plan)


def custom_handler(options: Options | None = None) -> tuple[AntiSpamHandler, KeepingLib]:
    """A ``Library.CUSTOM`` handler with ``options`` and its `KeepingLib`."""
    handler = AntiSpamHandler(None, Library.CUSTOM, options=options)
    lib = KeepingLib()
    handler.lib_handler = lib
    return handler, lib
