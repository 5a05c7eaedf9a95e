"""How the handler reads a library's messages and carries plans out without importing an
adapter: the ``spamguard_make_compat_bridge`` hook of the adapter for the bot."""

from __future__ import annotations

__all__ = ("find_bridge", "is_message_like")

import logging
import typing

from spamguard.core.messages import Message, MessageLike
from spamguard.core.plugins import Hooks, get_plugin_manager, load_adapter_for

if typing.TYPE_CHECKING:
    from spamguard.core.bridge import CompatBridge
    from spamguard.core.engine import Guard

_LOGGER = logging.getLogger(__name__)

_MESSAGE_LIKE: dict[type, bool] = {}


def is_message_like(obj: object) -> bool:
    """Whether the core reads ``obj`` as it is (a spamguard Message or any MessageLike)."""
    if isinstance(obj, Message):
        return True
    # The Protocol isinstance check is slow; its answer per type is cached.
    kind = type(obj)
    answer = _MESSAGE_LIKE.get(kind)
    if answer is None:
        answer = _MESSAGE_LIKE[kind] = isinstance(obj, MessageLike)
    return answer


def find_bridge(bot: object, guard: Guard) -> CompatBridge | None:
    """The bridge of the installed adapter for ``bot`` (loaded through the entry points),
    or None, with a warning saying why."""
    pm = get_plugin_manager()
    try:
        adapter = load_adapter_for(pm, bot)
    except ImportError as error:
        _LOGGER.warning("the spamguard adapter for this bot could not be loaded: %s", error)
        return None
    if adapter is None:
        _LOGGER.warning("no spamguard adapter knows %s", type(bot).__qualname__)
        return None
    bridge = Hooks(pm).make_compat_bridge(bot, guard)
    if bridge is None:
        _LOGGER.warning(
            "spamguard adapter %r lends no compat bridge; plans are returned, not carried out",
            adapter,
        )
    return bridge
