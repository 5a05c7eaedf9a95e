"""How the handler reaches the bot's library without importing an adapter: the
``spamguard_make_compat_bridge`` hook of the adapter for the bot, checked against the
:class:`~spamguard.contrib.antispam.enums.Library` the handler was given."""

from __future__ import annotations

__all__ = ("check_library", "find_bridge", "is_message_like")

import enum
import logging
import typing

from spamguard.contrib.antispam.enums import LIBRARY_ADAPTERS, Library
from spamguard.contrib.antispam.exceptions import UnsupportedAction
from spamguard.core.messages import Message, MessageLike
from spamguard.core.plugin_manager import get_plugin_manager, load_adapter_for
from spamguard.core.plugins import Hooks

if typing.TYPE_CHECKING:
    from spamguard.core.bridge import CompatBridge
    from spamguard.core.engine import Guard

_LOGGER = logging.getLogger(__name__)

_MESSAGE_LIKE: dict[type, bool] = {}

_EXTRAS: typing.Final = {
    Library.DPY: "discordpy",
    Library.HIKARI: "hikari",
    Library.DISNAKE: "disnake",
    Library.NEXTCORD: "nextcord",
}


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


def check_library(library: object) -> Library | None:
    """``library`` as a :class:`Library` the handler can serve (None: find the adapter from
    the bot, as for 0.x code). A ``Library`` of the original ``antispam`` package is read by
    its name.

    Raises:
        UnsupportedAction: not a Library (1.9.1's refusal), or ``PYCORD``/``ENHANCED_DPY``,
            which spamguard has no adapter for.
    """
    if library is None:
        return None
    if not isinstance(library, Library) and isinstance(library, enum.Enum):
        library = Library.__members__.get(library.name, library)
    if not isinstance(library, Library):
        msg = (
            f"You must set a library for usage, got {library!r}. See here for choices: "
            "spamguard.contrib.antispam.enums.Library"
        )
        raise UnsupportedAction(msg)
    if library is Library.PYCORD:
        msg = (
            "Py-cord is no longer officially supported (discord-anti-spam 1.9.1), and "
            "spamguard has no py-cord adapter"
        )
        raise UnsupportedAction(msg)
    if library is Library.ENHANCED_DPY:
        msg = (
            "spamguard has no enhanced-discord.py adapter; enhanced-dpy is a discontinued "
            "discord.py fork: use discord.py with Library.DPY and spamguard[discordpy]"
        )
        raise UnsupportedAction(msg)
    return library


def find_bridge(bot: object, guard: Guard, library: Library | None) -> CompatBridge | None:
    """The bridge of the installed adapter for ``bot`` (loaded through the entry points).

    Without a ``library`` (0.x code), a missing adapter is logged and None returned: plans
    are then only reported.

    Raises:
        UnsupportedAction: ``library`` given, and no installed adapter for it serves
            ``bot`` (the message says what to install).
    """
    pm = get_plugin_manager()
    problem = None
    try:
        adapter = load_adapter_for(pm, bot)
    except ImportError as error:
        adapter, problem = None, f"the spamguard adapter for this bot could not be loaded: {error}"
    if adapter is None:
        problem = problem or f"no spamguard adapter knows {type(bot).__qualname__}"
    elif library is not None and adapter not in LIBRARY_ADAPTERS[library]:
        problem = (
            f"Library.{library.name} was given, but this bot ({type(bot).__qualname__}) is "
            f"served by spamguard's {adapter!r} adapter"
        )
    bridge = None if problem else Hooks(pm).make_compat_bridge(bot, guard)
    if problem is None and bridge is None:
        problem = f"spamguard adapter {adapter!r} lends no compat bridge"
    if problem is None:
        return bridge
    if library is not None:
        extra = _EXTRAS.get(library)
        hint = f" (pip install 'spamguard[{extra}]')" if extra and adapter is None else ""
        raise UnsupportedAction(f"{problem}{hint}")
    _LOGGER.warning("%s; plans are returned, not carried out", problem)
    return None
