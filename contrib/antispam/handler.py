"""``AntiSpamHandler``: discord-anti-spam's handler, deciding with spamguard's core (see
:mod:`spamguard.contrib.antispam`)."""

from __future__ import annotations

__all__ = ("AntiSpamHandler", "Converter", "Executor")

import copy
import inspect
import logging
import typing

from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.antispam.bridge import find_bridge, is_message_like
from spamguard.contrib.antispam.counters import counter_names
from spamguard.contrib.antispam.duplicates import DuplicateCounter
from spamguard.contrib.antispam.enums import IgnoreType, ResetType
from spamguard.contrib.antispam.exceptions import (
    DuplicateObject,
)
from spamguard.contrib.antispam.extensions import ExtensionRegistry
from spamguard.contrib.antispam.guilds import GuildOptions
from spamguard.contrib.antispam.ignores import SKIP_STATUS, ignored_status
from spamguard.contrib.antispam.notices import with_punishment_notices
from spamguard.contrib.antispam.options import validate_options
from spamguard.contrib.antispam.results import RESULT_FLAGS, PropagateResult, new_result
from spamguard.core.engine import Guard
from spamguard.core.messages import MessageLike
from spamguard.core.plan import Plan, SkipReason
from spamguard.core.plugins import get_plugin_manager
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_LOGGER = logging.getLogger(__name__)

Executor = typing.Callable[[Plan], typing.Any]
"""Carries a plan out; may return an awaitable (``Runtime.carry_out`` does)."""
Converter = typing.Callable[[typing.Any], MessageLike]
"""Turns a library's message object into a :class:`~spamguard.core.messages.MessageLike`."""


class AntiSpamHandler:
    """discord-anti-spam's ``AntiSpamHandler``, deciding with spamguard's core.

    Args:
        bot: your bot (used to recognise its own messages and to find the adapter).
        library: accepted for discord-anti-spam 1.x call compatibility; unused.
        options: the options as a mapping (instead of, or under, keyword options).
        executor: carries plans out (``Runtime.carry_out``); see :mod:`spamguard.contrib.antispam`.
        converter: turns your library's message objects into MessageLike values.
        extensions: spamguard extension settings (``policy.extensions``), e.g.
            ``{"mass_mention": {}}`` to switch the contrib mass-mention check on.
        plugins: pluggy plugin objects for the underlying guard.
        load_entrypoints: load installed spamguard extensions (entry-point group).
        self_id: the bot's user id, when ``bot.user.id`` cannot tell it.
        **kwargs: discord-anti-spam's options (``warn_threshold=3``, ...).

    Raises:
        TypeError: an unknown option.
        ValueError: an option of the wrong type (discord-anti-spam's messages).
        BaseASHException: contradictory options (``warn_only`` with ``no_punish``).
    """

    def __init__(
        self,
        bot: object = None,
        library: object = None,
        *,
        options: Mapping[str, typing.Any] | None = None,
        executor: Executor | None = None,
        converter: Converter | None = None,
        extensions: Mapping[str, typing.Any] | None = None,
        plugins: Iterable[object] = (),
        load_entrypoints: bool = True,
        self_id: int | None = None,
        **kwargs: typing.Any,
    ) -> None:
        self.options: dict[str, typing.Any] = validate_options(**{**(options or {}), **kwargs})
        """The handler-wide options (discord-anti-spam's names)."""
        if self.options["no_punish"] and (
            self.options["delete_spam"]
            or self.options["warn_only"]
            or self.options["per_channel_spam"]
        ):
            _LOGGER.warning(
                "You are attempting to create an AntiSpamHandler with options that are mutually "
                "exclusive. Please note `no_punish` will over rule any other options you attempt "
                "to set which are mutually exclusive."
            )
        self.bot = bot
        self.library = library
        self.self_id = self_id
        self.extensions: dict[str, typing.Any] = copy.deepcopy(dict(extensions or {}))
        """Settings of spamguard extensions, in every guild's policy."""
        self.executor = executor
        self.converter = converter
        self._extensions = ExtensionRegistry()
        self.pre_invoke_extensions: dict[str, BasePlugin] = self._extensions.pre_invoke
        """discord-anti-spam extensions run before the guard decides, by name."""
        self.after_invoke_extensions: dict[str, BasePlugin] = self._extensions.after_invoke
        """discord-anti-spam extensions run after the guard decided, by name."""
        self.plugin_extensions: dict[str, object] = self._extensions.plugins
        """Pluggy plugins registered with :meth:`register_extension`, by name."""
        self._guild_options = GuildOptions(self.options)
        self._bridge_tried = False
        self._duplicates = DuplicateCounter()
        pm = get_plugin_manager([self._duplicates, *plugins], load_entrypoints=load_entrypoints)
        self.guard = Guard(self._guild_options.policy(self.extensions), plugin_manager=pm)
        """The spamguard guard that decides."""
        _LOGGER.info("Package initialized successfully")

    # -- policy ----------------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The spamguard policy the options translate to."""
        return self.guard.policy

    def _rebuild(self) -> None:
        policy = self._guild_options.policy(self.extensions)
        self.guard.hooks.validate_policy(policy)
        self.guard.policy = policy

    # -- messages --------------------------------------------------------------------------

    def to_message(self, message: typing.Any) -> MessageLike:
        """``message`` as the core sees it: a spamguard :class:`Message` or MessageLike as
        is, anything else through the converter (yours, or the adapter's bridge).

        Raises:
            ValueError: no way to read this object.
        """
        if is_message_like(message):
            return typing.cast("MessageLike", message)
        if self.converter is None and not self._bridge_tried:
            self._find_bridge()
        if self.converter is None:
            msg = (
                f"Expected message of type: spamguard Message or MessageLike, got "
                f"{type(message).__qualname__}; pass converter= or install the spamguard "
                "adapter for your library"
            )
            raise ValueError(msg)
        return self.converter(message)

    def _find_bridge(self) -> None:
        """Ask the adapter that knows ``bot`` for a converter and an executor."""
        self._bridge_tried = True
        bridge = None if self.bot is None else find_bridge(self.bot, self.guard)
        if bridge is not None and self.converter is None:
            self.converter = typing.cast("Converter", bridge.convert)
        if bridge is not None and self.executor is None:
            self.executor = bridge.carry_out

    def _bot_id(self) -> int | None:
        if self.self_id is not None:
            return self.self_id
        user = getattr(self.bot, "user", None)
        user_id = getattr(user, "id", None)
        return user_id if isinstance(user_id, int) else None

    def _result(self, message: MessageLike, status: str, plan: Plan | None) -> PropagateResult:
        guild_id = message.guild_id
        counters = (
            self.guard.member_counters(guild_id, message.author_id) if guild_id is not None else {}
        )
        return new_result(status, plan, counters)

    async def propagate(self, message: typing.Any) -> PropagateResult:
        """Decide one message, carry the plan out (when an executor is known) and report.

        Accepts a spamguard :class:`~spamguard.core.messages.Message`, any MessageLike, or
        your library's message through the converter.

        Returns:
            discord-anti-spam's dict: ``should_be_punished_this_message``, ``was_warned``,
            ``was_kicked``, ``was_banned``, ``status``, ``warn_count``, ``kick_count``,
            ``duplicate_counter``, ``pre_invoke_extensions``, ``after_invoke_extensions``
            (by extension class name), plus ``plan``: the spamguard plan (None when the
            message was ignored before the core saw it).

        Raises:
            ValueError: ``message`` cannot be read.
            DuplicateObject: the same message (id and content) was propagated before.
            InvocationCancelled: a pre-invoke extension returned ``cancel_next_invocation``.
        """
        core_message = self.to_message(message)
        guild_id = core_message.guild_id
        options = self._guild_options.for_guild(guild_id)
        status = ignored_status(core_message, options, bot_id=self._bot_id())
        if status is not None:
            _LOGGER.debug("%s", status)
            return self._result(core_message, status, None)
        guild_id = typing.cast("int", guild_id)
        self._guild_options.seen(guild_id)

        pre_results = await self._extensions.run_pre_invoke(message, guild_id)

        plan = self.guard.process(core_message)
        duplicates = self._duplicates.counts.pop(core_message.id, 0)
        if plan.skipped_reason is SkipReason.REDELIVERED:
            raise DuplicateObject
        if plan.skipped_reason is not None:
            reason = SKIP_STATUS.get(
                plan.skipped_reason, f"Ignoring this message: {plan.skipped_reason}"
            )
            result = self._result(core_message, reason, plan)
            result["pre_invoke_extensions"] = pre_results
            return result

        plan = with_punishment_notices(
            plan,
            core_message,
            options,
            counters=self.guard.member_counters(guild_id, core_message.author_id),
            bot_id=self._bot_id(),
        )
        result = self._result(core_message, "Unknown", plan)
        result["pre_invoke_extensions"] = pre_results
        result["duplicate_counter"] = max(0, duplicates - 1)
        if plan.violations:
            result["should_be_punished_this_message"] = True
            if options["no_punish"]:
                result["status"] = (
                    "User should be punished, however, was not due to no_punish being True"
                )
            flag = RESULT_FLAGS.get(plan.punishment)
            if flag is not None:
                result[flag[0]] = True
                result["status"] = flag[1]
        await self._carry_out(plan)

        # Extensions get discord-anti-spam's plain dict (their signature's type).
        plain = typing.cast("dict[str, typing.Any]", result)
        result["after_invoke_extensions"] = await self._extensions.run_after_invoke(
            message, guild_id, plain
        )
        return result

    async def _carry_out(self, plan: Plan) -> None:
        if not plan:
            return
        if self.executor is None and not self._bridge_tried:
            self._find_bridge()
        if self.executor is None:
            return
        try:
            outcome = self.executor(plan)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            # A failing executor must not lose the decision (or raise into on_message).
            _LOGGER.exception(
                "the executor failed to carry out the plan of message %s", plan.message_id
            )

    # -- ignore lists ----------------------------------------------------------------------

    def add_ignored_item(self, item: int, ignore_type: IgnoreType | str) -> None:
        """Ignore a member, channel, role, guild or permission bit (handler-wide options).

        Adding an item already ignored does nothing.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` has a wrong type.
            BaseASHException: an unknown ``ignore_type`` name.
        """
        if self._guild_options.set_ignored(item, ignore_type, ignored=True):
            self._rebuild()

    def remove_ignored_item(self, item: int, ignore_type: IgnoreType | str) -> None:
        """Stop ignoring an item; removing one that is not ignored does nothing.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` has a wrong type.
            BaseASHException: an unknown ``ignore_type`` name.
        """
        if self._guild_options.set_ignored(item, ignore_type, ignored=False):
            self._rebuild()

    # -- per-guild options -----------------------------------------------------------------

    def add_custom_guild_options(self, guild_id: int, **kwargs: typing.Any) -> None:
        """Give a guild its own complete option set (unspecified options at their defaults).

        Raises:
            TypeError, ValueError, BaseASHException: as for the constructor.
        """
        self._guild_options.set_custom(int(guild_id), **kwargs)
        self._rebuild()

    def get_guild_options(self, guild_id: int) -> tuple[dict[str, typing.Any], bool]:
        """``(options, has_custom_options)`` for a guild the handler knows; the options are
        a copy.

        Raises:
            BaseASHException: the guild does not exist (no message or options seen for it).
        """
        return self._guild_options.get(guild_id)

    def remove_custom_guild_options(self, guild_id: int) -> None:
        """Return a guild to the handler-wide options (silently ignores unknown guilds)."""
        if self._guild_options.remove_custom(guild_id):
            self._rebuild()

    # -- counters --------------------------------------------------------------------------

    def reset_user_count(self, user_id: int, guild_id: int, counter: ResetType | str) -> None:
        """Reset a member's warn counter (``"warn_counter"``) or kick counter
        (``"kick_counter"``, which also holds bans); unknown members are ignored.

        Raises:
            LogicError: an unknown counter name.
            ValueError: ``counter`` is neither a string nor a ResetType.
        """
        self.guard.reset_member(guild_id, user_id, counters=counter_names(counter))

    # -- extensions ------------------------------------------------------------------------

    def register_extension(self, extension: object, force_overwrite: bool = False) -> None:
        """Register a discord-anti-spam extension (a :class:`BasePlugin` instance with an
        ``async propagate``) or a spamguard pluggy plugin, under its lower-case class name.

        Raises:
            ExtensionError: not an extension instance, or the name is taken (unless
                ``force_overwrite``).
        """
        self._extensions.register(extension, self.guard, force_overwrite=force_overwrite)

    register_plugin = register_extension
    """discord-anti-spam 1.x's name for :meth:`register_extension`."""

    def unregister_extension(self, extension_name: str) -> None:
        """Remove an extension by class name (case-insensitive).

        Raises:
            ExtensionError: no extension of that name is registered.
        """
        self._extensions.unregister(extension_name, self.guard)

    unregister_plugin = unregister_extension
    """discord-anti-spam 1.x's name for :meth:`unregister_extension`."""

    # -- state -----------------------------------------------------------------------------

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """The handler's whole state as JSON-serialisable data: options, guilds, the
        guard's snapshot (members, windows, counters), and the state of extensions that
        implement ``save_to_dict``."""
        data: dict[str, typing.Any] = {
            "options": copy.deepcopy(self.options),
            "guilds": self._guild_options.to_data(),
            "extensions": copy.deepcopy(self.extensions),
            "state": self.guard.snapshot(),
            **await self._extensions.save_states(),
        }
        return data

    @staticmethod
    async def load_from_dict(
        bot: object,
        data: Mapping[str, typing.Any],
        library: object = None,
        *,
        raise_on_exception: bool = True,
        plugins: Iterable[type[BasePlugin]] = (),
        **handler_kwargs: typing.Any,
    ) -> AntiSpamHandler:
        """A handler with the state of :meth:`save_to_dict`'s output.

        Args:
            bot: your bot.
            data: what :meth:`save_to_dict` returned (possibly through JSON).
            library: unused, for discord-anti-spam 1.x call compatibility.
            raise_on_exception: raise on bad data; when False, return a fresh handler
                (``AntiSpamHandler(bot)`` with ``handler_kwargs``) instead.
            plugins: extension classes whose saved state to restore (by class name).
            **handler_kwargs: constructor arguments (``executor=``, ``converter=``...).
        """
        by_name = {cls.__name__: cls for cls in plugins}
        try:
            handler = AntiSpamHandler(
                bot,
                library,
                options=data["options"],
                extensions=data.get("extensions"),
                **handler_kwargs,
            )
            handler._guild_options.load_data(data["guilds"])
            handler._rebuild()
            handler.guard = Guard.restore(
                handler.guard.policy,
                data["state"],
                plugin_manager=handler.guard.plugin_manager,
                self_id=handler.guard.self_id,
            )
            for key in ("pre_invoke_plugins", "after_invoke_plugins"):
                for class_name, state in data.get(key, {}).items():
                    cls = by_name.get(class_name)
                    if cls is None:
                        _LOGGER.debug("Skipping state loading for %s", class_name)
                        continue
                    handler.register_extension(await cls.load_from_dict(handler, state))
        except Exception:
            if raise_on_exception:
                raise
            _LOGGER.info("Failed to load AntiSpamHandler from state, returning a generic instance")
            return AntiSpamHandler(bot, library, **handler_kwargs)
        return handler
