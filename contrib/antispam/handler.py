"""``AntiSpamHandler``: discord-anti-spam 1.9.1's handler, deciding with spamguard's core (see
:mod:`spamguard.contrib.antispam`). Its guild methods are in :mod:`.guild_methods`, its state
methods in :mod:`.state_methods`."""

from __future__ import annotations

__all__ = ("AntiSpamHandler", "Converter", "Executor")

import copy
import inspect
import logging
import typing

from spamguard.contrib.antispam.abc import Cache
from spamguard.contrib.antispam.base_plugin import BasePlugin
from spamguard.contrib.antispam.bridge import check_library, find_bridge, is_message_like
from spamguard.contrib.antispam.caches import MemoryCache
from spamguard.contrib.antispam.dataclasses import CorePayload, Options
from spamguard.contrib.antispam.duplicates import DuplicateCounter
from spamguard.contrib.antispam.enums import Library
from spamguard.contrib.antispam.exceptions import DuplicateObject, UnsupportedAction
from spamguard.contrib.antispam.extensions import ExtensionRegistry
from spamguard.contrib.antispam.guild_methods import GuildMethods
from spamguard.contrib.antispam.guilds import GuildOptions
from spamguard.contrib.antispam.ignores import SKIP_STATUS, ignored_status
from spamguard.contrib.antispam.notices import with_punishment_notices
from spamguard.contrib.antispam.options import from_legacy, validate_options
from spamguard.contrib.antispam.results import new_payload, punished_payload
from spamguard.contrib.antispam.state_methods import StateMethods
from spamguard.core.engine import Guard
from spamguard.core.plan import Plan, SkipReason
from spamguard.core.plugin_manager import get_plugin_manager

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping

    from spamguard.contrib.antispam.abc import Lib
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import Policy

_LOGGER = logging.getLogger(__name__)

Executor = typing.Callable[[Plan], typing.Any]
"""Carries a plan out; may return an awaitable (``Runtime.carry_out`` does)."""
Converter = typing.Callable[[typing.Any], "MessageLike | None"]
"""Turns a library's message object into a :class:`~spamguard.core.messages.MessageLike`."""

_NOT_MODERATED = "Ignoring this message: spamguard does not moderate it"


def _make_options(
    options: object, kwargs: Mapping[str, typing.Any], library: Library | None
) -> Options:
    if isinstance(options, Options):
        if kwargs:
            msg = (
                f"pass options either as Options or as keyword options, not both: {sorted(kwargs)}"
            )
            raise TypeError(msg)
        return options
    if options is None and not kwargs and library is not None:
        return Options()
    if options is not None and not isinstance(options, dict):
        msg = "Expected `option`s of type `Option`"
        raise ValueError(msg)
    # discord-anti-spam 0.x: keyword options (or a dict), 0.x's names and defaults.
    return from_legacy(validate_options(**{**(options or {}), **kwargs}))


class AntiSpamHandler(GuildMethods, StateMethods):
    """discord-anti-spam's ``AntiSpamHandler``, deciding with spamguard's core.

    Args:
        bot: your bot (to recognise its own messages and to find its library's adapter).
        library: the bot's library; it chooses the spamguard adapter that reads messages
            and carries plans out. ``Library.CUSTOM``: set ``lib_handler`` yourself. None
            (0.x code): the adapter is found from the bot, and 0.x's defaults apply.
        options: an :class:`Options` (1.9.1), or 0.x's options as a dict.
        cache: 1.9.1's cache; only :class:`~spamguard.contrib.antispam.caches.MemoryCache`
            (the default) is supported.
        executor: carries plans out instead of the adapter (``Runtime.carry_out``).
        converter: turns your library's messages into MessageLike values instead of the
            adapter.
        extensions: spamguard extension settings (``policy.extensions``), e.g.
            ``{"mass_mention": {}}``.
        plugins: pluggy plugin objects for the underlying guard.
        load_entrypoints: load installed spamguard extensions (entry-point group).
        self_id: the bot's user id, when ``bot.user.id`` cannot tell it.
        **kwargs: discord-anti-spam 0.x's keyword options (``warn_threshold=3``, ...).

    Raises:
        UnsupportedAction: an unknown ``library`` (1.9.1's refusal), ``PYCORD`` or
            ``ENHANCED_DPY``.
        UnsupportedOption: an option value or cache spamguard does not support.
        TypeError: an unknown keyword option, or options given twice.
        ValueError: ``options`` of another type; a 0.x option of the wrong type.
    """

    def __init__(
        self,
        bot: object = None,
        library: Library | None = None,
        *,
        options: Options | Mapping[str, typing.Any] | None = None,
        cache: Cache | None = None,
        executor: Executor | None = None,
        converter: Converter | None = None,
        extensions: Mapping[str, typing.Any] | None = None,
        plugins: Iterable[object] = (),
        load_entrypoints: bool = True,
        self_id: int | None = None,
        **kwargs: typing.Any,
    ) -> None:
        self.library = check_library(library)
        """The bot's library (None: found from the bot)."""
        self.options: Options = _make_options(options, kwargs, self.library)
        """The handler-wide options; edit them in place or through the methods."""
        if self.options.no_punish and (
            self.options.delete_spam or self.options.warn_only or self.options.per_channel_spam
        ):
            _LOGGER.warning(
                "You are attempting to create an AntiSpamHandler with options that are mutually "
                "exclusive. Please note `no_punish` will over rule any other options you attempt "
                "to set which are mutually exclusive."
            )
        if self.options.use_timeouts and self.options.warn_only:
            _LOGGER.warning(
                "You are attempting to create an AntiSpamHandler with options that are mutually "
                "exclusive. Please note `use_timeouts` will over rule any other options you "
                "attempt to set which are mutually exclusive."
            )
        self.cache: Cache = MemoryCache(self)
        """Records of what plugins store (see :class:`~spamguard.contrib.antispam.PluginCache`)."""
        self.set_cache(self.cache if cache is None else cache)
        self.bot = bot
        self.self_id = self_id
        self.lib_handler: Lib | None = None
        """Reads the library's messages and carries plans out: the adapter's bridge, found
        on :meth:`init`, or yours with ``Library.CUSTOM``."""
        self.needs_init = True
        """Whether :meth:`init` is still to run (it runs before the first propagate)."""
        self.extensions: dict[str, typing.Any] = copy.deepcopy(dict(extensions or {}))
        """Settings of spamguard extensions, in every guild's policy."""
        self.executor = executor
        self.converter = converter
        self._extensions = ExtensionRegistry()
        self.pre_invoke_plugins: dict[str, BasePlugin] = self._extensions.pre_invoke
        """Plugins run before the guard decides, by lower-case class name."""
        self.after_invoke_plugins: dict[str, BasePlugin] = self._extensions.after_invoke
        """Plugins run after the guard decided, by lower-case class name."""
        self.pre_invoke_extensions = self.pre_invoke_plugins
        """0.x's name for :attr:`pre_invoke_plugins`."""
        self.after_invoke_extensions = self.after_invoke_plugins
        """0.x's name for :attr:`after_invoke_plugins`."""
        self.plugin_extensions: dict[str, object] = self._extensions.plugins
        """Pluggy plugins registered with :meth:`register_plugin`, by name."""
        self._guild_options = GuildOptions(self.options)
        self._bridge_tried = False
        self._latest: datetime.datetime | None = None
        self._duplicates = DuplicateCounter()
        pm = get_plugin_manager([self._duplicates, *plugins], load_entrypoints=load_entrypoints)
        self.guard = Guard(self._guild_options.policy(self.extensions), plugin_manager=pm)
        """The spamguard guard that decides."""
        _LOGGER.info("Package instance created")

    # -- policy and library ------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The spamguard policy the options translate to."""
        return self.guard.policy

    def _rebuild(self) -> None:
        policy = self._guild_options.policy(self.extensions)
        self.guard.hooks.validate_policy(policy)
        self.guard.policy = policy

    async def init(self) -> None:
        """Make the handler ready (run before the first :meth:`propagate`): find the
        adapter of ``library`` for the bot.

        Raises:
            UnsupportedAction: ``Library.CUSTOM`` without ``lib_handler``, or no installed
                adapter for ``library`` serves the bot (the message says what to install).
        """
        await self.cache.initialize()
        if self.library is Library.CUSTOM:
            if self.lib_handler is None:
                msg = "lib_handler needs to be set before usage."
                raise UnsupportedAction(msg)
        elif self.library is not None and self.lib_handler is None and self.bot is not None:
            self._bridge_tried = True
            self.lib_handler = find_bridge(self.bot, self.guard, self.library)
        self.needs_init = False
        _LOGGER.info("Init has been called, everything is now definitely setup.")

    def _find_bridge(self) -> None:
        self._bridge_tried = True
        if self.bot is not None and self.lib_handler is None and self.library is None:
            self.lib_handler = find_bridge(self.bot, self.guard, None)

    def to_message(self, message: typing.Any) -> MessageLike | None:
        """``message`` as the core sees it: a spamguard :class:`Message` or MessageLike as
        is, anything else through the converter or the library handler (None: not moderated).

        Raises:
            ValueError: no way to read this object.
        """
        if is_message_like(message):
            return typing.cast("MessageLike", message)
        if self.converter is not None:
            return self.converter(message)
        if self.lib_handler is None and not self._bridge_tried:
            self._find_bridge()
        if self.lib_handler is None:
            msg = (
                f"Expected message of type: spamguard Message or MessageLike, got "
                f"{type(message).__qualname__}; pass library= (and install the spamguard "
                "adapter for your library) or converter="
            )
            raise ValueError(msg)
        return self.lib_handler.convert(message)

    def log_channel_of(self, guild_id: int) -> int | None:
        """The guild's log channel (:meth:`add_guild_log_channel`), if any."""
        return self._guild_options.log_channel(guild_id)

    def _bot_id(self) -> int | None:
        if self.self_id is not None:
            return self.self_id
        user_id = getattr(getattr(self.bot, "user", None), "id", None)
        return user_id if isinstance(user_id, int) else self.guard.self_id

    def _payload(self, message: MessageLike, status: str, plan: Plan | None) -> CorePayload:
        guild_id = message.guild_id
        counters = (
            self.guard.member_counters(guild_id, message.author_id) if guild_id is not None else {}
        )
        return new_payload(status, plan, counters)

    # -- messages --------------------------------------------------------------------------

    async def propagate(self, message: typing.Any) -> CorePayload:
        """Decide one message, carry the plan out through the library's adapter, report.

        Runs :meth:`init` first if needed, then 1.9.1's protocol: the ignore checks, the
        pre-invoke plugins (any may cancel), spamguard's guard, the after-invoke plugins
        with the payload.

        Returns:
            The :class:`CorePayload`; for an ignored message its ``member_status`` says why
            (1.9.1 returned ``{"status": ...}``; ``payload["status"]`` reads both).

        Raises:
            ValueError: ``message`` cannot be read.
            UnsupportedAction: see :meth:`init`.
            DuplicateObject: the same message (id and content) was propagated before.
            InvocationCancelled: a pre-invoke plugin returned ``cancel_next_invocation``.
        """
        if self.needs_init:
            await self.init()
        if self._guild_options.changed():
            self._rebuild()
        core_message = self.to_message(message)
        if core_message is None:
            return CorePayload(member_status=_NOT_MODERATED)
        if self.guard.self_id is None:
            # The adapters' executors read the bot's id from the guard (hierarchy checks);
            # their messages name the bot.
            self.guard.self_id = self._bot_id() or getattr(core_message, "bot_id", None)
        guild_id = core_message.guild_id
        options = self._guild_options.for_guild(guild_id)
        status = ignored_status(core_message, options, bot_id=self._bot_id())
        if status is not None:
            _LOGGER.debug("%s", status)
            return self._payload(core_message, status, None)
        guild_id = typing.cast("int", guild_id)
        self._guild_options.seen(guild_id)
        if self._latest is None or core_message.created_at > self._latest:
            self._latest = core_message.created_at

        pre_results = await self._extensions.run_pre_invoke(message, guild_id)

        plan = self.guard.process(core_message)
        duplicates = self._duplicates.counts.pop(core_message.id, 0)
        if plan.skipped_reason is SkipReason.REDELIVERED:
            raise DuplicateObject
        if plan.skipped_reason is not None:
            reason = SKIP_STATUS.get(
                plan.skipped_reason, f"Ignoring this message: {plan.skipped_reason}"
            )
            payload = self._payload(core_message, reason, plan)
            payload.pre_invoke_extensions = pre_results
            return payload

        counters = self.guard.member_counters(guild_id, core_message.author_id)
        plan = with_punishment_notices(
            plan,
            core_message,
            options,
            log_channel_id=self._guild_options.log_channel(guild_id),
            counters=counters,
            bot_id=self._bot_id(),
        )
        payload = self._payload(core_message, "Unknown", plan)
        payload.pre_invoke_extensions = pre_results
        payload.member_duplicate_count = max(0, duplicates - 1)
        if plan.violations:
            punished_payload(payload, plan, no_punish=options.no_punish)
        await self.carry_out(plan)
        await self._extensions.run_after_invoke(message, guild_id, payload)
        return payload

    async def carry_out(self, plan: Plan) -> None:
        """Carry a plan out through ``executor=`` or the library handler (the adapter); a
        failure is logged, never raised. Plugins use it for their own plans."""
        if not plan:
            return
        executor = self.executor
        if executor is None:
            if self.lib_handler is None and not self._bridge_tried:
                self._find_bridge()
            executor = None if self.lib_handler is None else self.lib_handler.carry_out
        if executor is None:
            return
        try:
            outcome = executor(plan)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            # A failing executor must not lose the decision (or raise into on_message).
            _LOGGER.exception(
                "the executor failed to carry out the plan of message %s", plan.message_id
            )

    # -- plugins ---------------------------------------------------------------------------

    def register_plugin(self, plugin: object, force_overwrite: bool = False) -> None:
        """Register a plugin (a :class:`BasePlugin` instance with an ``async propagate``) or
        a spamguard pluggy plugin, under its lower-case class name.

        Raises:
            PluginError: not a plugin instance, or the name is taken (unless
                ``force_overwrite``).
        """
        self._extensions.register(plugin, self.guard, force_overwrite=force_overwrite)

    register_extension = register_plugin
    """discord-anti-spam 0.x's name for :meth:`register_plugin`."""

    def unregister_plugin(self, plugin_name: str) -> None:
        """Remove a plugin by class name (case-insensitive).

        Raises:
            PluginError: no plugin of that name is registered.
        """
        self._extensions.unregister(plugin_name, self.guard)

    unregister_extension = unregister_plugin
    """discord-anti-spam 0.x's name for :meth:`unregister_plugin`."""
