"""discord-anti-spam 1.9.1's exceptions, with its names, hierarchy and messages.

Code that catches ``antispam`` exceptions keeps working after switching to
:mod:`spamguard.contrib.antispam`. Each one is also a
:class:`~spamguard.core.errors.SpamguardError`. As in the original, an exception raised
without arguments carries its docstring as its message. 0.x's names are aliases:
``ExtensionError`` is :class:`PluginError`, ``UserNotFound`` is :class:`MemberNotFound`.

:class:`UnsupportedOption` is spamguard's: a discord-anti-spam option (or argument) that
spamguard cannot honour; it is both an :class:`UnsupportedAction` and a ``TypeError``.
"""

from __future__ import annotations

__all__ = (
    "BaseASHException",
    "DuplicateObject",
    "ExistingEntry",
    "ExtensionError",
    "GuildAddonNotFound",
    "GuildNotFound",
    "InvalidMessage",
    "InvocationCancelled",
    "LogicError",
    "MemberAddonNotFound",
    "MemberNotFound",
    "MissingGuildPermissions",
    "NonExistentEntry",
    "NotFound",
    "ObjectMismatch",
    "PluginError",
    "PropagateFailure",
    "UnsupportedAction",
    "UnsupportedOption",
    "UserNotFound",
)

import typing

from spamguard.core.errors import SpamguardError


class BaseASHException(SpamguardError):
    """A base exception handler for the ASH ecosystem."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.message = str(args[0]) if args else (type(self).__doc__ or "")

    def __str__(self) -> str:
        return self.message


class PropagateFailure(BaseASHException):
    """A message could not be propagated; ``data`` holds the result to return instead."""

    def __init__(self, *args: object, data: dict[str, typing.Any]) -> None:
        super().__init__(*args)
        self.data = data


class InvocationCancelled(BaseASHException):
    """Called when a pre-invoke plugin returned `cancel_next_invocation`"""


class UnsupportedAction(BaseASHException):
    """The attempt action is unsupported."""


class UnsupportedOption(UnsupportedAction, TypeError):
    """A discord-anti-spam option spamguard does not support (the message names it)."""


class DuplicateObject(BaseASHException):
    """Raised because you attempted to create and add an object, using the exact same id's as a pre-existing one."""


class ObjectMismatch(BaseASHException):
    """Raised because you attempted add a message to a member, but that member didn't create that message."""


class InvalidMessage(BaseASHException):
    """Could not create a use-able message for the given message."""


class LogicError(BaseASHException):
    """Raised because internal logic has failed. Please create an issue in the github and include traceback."""


class MissingGuildPermissions(BaseASHException):
    """I need both permissions to kick & ban people from this guild in order to work!"""


class NotFound(BaseASHException):
    """Something could not be found."""


class MemberNotFound(NotFound):
    """A Member matching this id and guild id could not be found in the cache."""


class MemberAddonNotFound(NotFound):
    """This class has no addon stored on this member."""


class GuildNotFound(NotFound):
    """A Guild matching this guild id could not be found in the cache."""


class GuildAddonNotFound(GuildNotFound):
    """This class has not addon stored on this guild."""


class PluginError(BaseASHException):
    """An error occurred that was related to a plugin and not AntiSpamHandler"""


class ExistingEntry(BaseASHException):
    """An entry was already found in the timed cache with this key."""


class NonExistentEntry(BaseASHException):
    """No entry found in the timed cache with this key."""


ExtensionError = PluginError
"""discord-anti-spam 0.x's name for :class:`PluginError`."""

UserNotFound = MemberNotFound
"""discord-anti-spam 0.x's name for :class:`MemberNotFound`."""
