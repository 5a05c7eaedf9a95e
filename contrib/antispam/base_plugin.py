"""``BasePlugin``: the base class of discord-anti-spam plugins, run by the handler."""

from __future__ import annotations

__all__ = ("BaseExtension", "BasePlugin")

import typing

if typing.TYPE_CHECKING:
    from spamguard.contrib.antispam.dataclasses import CorePayload
    from spamguard.contrib.antispam.handler import AntiSpamHandler


class BasePlugin:
    """Base class of discord-anti-spam plugins (``antispam.BasePlugin``).

    Subclass it and implement ``async propagate(message, data=None)``; register an instance
    with ``AntiSpamHandler.register_plugin``. ``is_pre_invoke`` plugins run before the
    handler decides (``data`` is None) and may cancel the message by returning
    ``{"cancel_next_invocation": True}`` (``propagate`` then raises ``InvocationCancelled``);
    the others run after it with its :class:`CorePayload`. What each returns is in the
    payload's ``pre_invoke_extensions`` / ``after_invoke_extensions`` by class name.
    Plugins do not run in ``blacklisted_guilds``.
    """

    def __init__(self, is_pre_invoke: bool = True) -> None:
        self.is_pre_invoke = is_pre_invoke
        self.blacklisted_guilds: set[int] = set()
        """Guilds this plugin does not run in."""

    async def propagate(self, message: typing.Any, data: CorePayload | None = None) -> typing.Any:
        """Called for every message the handler propagates (see the class docstring)."""
        raise NotImplementedError

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """This plugin's state as JSON-serialisable data (for ``save_to_dict``)."""
        raise NotImplementedError

    @classmethod
    async def load_from_dict(
        cls, anti_spam_handler: AntiSpamHandler, data: dict[str, typing.Any]
    ) -> BasePlugin:
        """Rebuild a plugin from :meth:`save_to_dict`'s output."""
        raise NotImplementedError


BaseExtension = BasePlugin
"""discord-anti-spam 0.x's name for :class:`BasePlugin`."""
