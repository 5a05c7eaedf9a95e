"""A drop-in ``AntiSpamHandler`` for discord-anti-spam users, running on spamguard's core.

Migrating is one import::

    # from antispam import AntiSpamHandler
    from spamguard.contrib.antispam import AntiSpamHandler

    handler = AntiSpamHandler(bot, warn_threshold=3, message_interval=30000)

    async def on_message(message):
        data = await handler.propagate(message)
        if data["should_be_punished_this_message"]: ...

The options (names, defaults, validation errors) are discord-anti-spam's; they become a
spamguard policy (see :mod:`spamguard.contrib.antispam_options`) and a
:class:`~spamguard.core.guard.Guard` decides. ``propagate`` returns discord-anti-spam's
result dict, plus the decided :class:`~spamguard.core.plan.Plan` under ``"plan"``.

Carrying plans out is the adapters' job. A handler gets its executor from ``executor=``
(any callable taking a plan, sync or async: ``executor=runtime.carry_out``), or finds the
adapter for ``bot`` through the ``spamguard_find_adapter`` hook and asks its
``compat_bridge(bot, guard)`` for a :class:`CompatBridge` (which also converts the
library's message objects). Without either, plans are only returned: the handler is
usable, and testable, without any Discord library.

The remaining differences from discord-anti-spam are listed in ``docs/plugins.md``.
"""

from __future__ import annotations

__all__ = (
    "AntiSpamHandler",
    "AntiSpamTracker",
    "BaseASHException",
    "BaseExtension",
    "BasePlugin",
    "CompatBridge",
    "DuplicateObject",
    "ExtensionError",
    "GuildNotFound",
    "IgnoreType",
    "InvalidMessage",
    "InvocationCancelled",
    "LogicError",
    "MemberNotFound",
    "MissingGuildPermissions",
    "ObjectMismatch",
    "PluginError",
    "PropagateResult",
    "ResetType",
    "UserNotFound",
)

import copy
import dataclasses
import enum
import inspect
import logging
import typing

from spamguard.contrib.antispam_errors import (
    BaseASHException,
    DuplicateObject,
    ExtensionError,
    GuildNotFound,
    InvalidMessage,
    InvocationCancelled,
    LogicError,
    MemberNotFound,
    MissingGuildPermissions,
    ObjectMismatch,
    PluginError,
    UserNotFound,
)
from spamguard.contrib.antispam_options import guild_policy, translate_template, validate_options
from spamguard.contrib.antispam_tracker import AntiSpamTracker, BaseExtension, BasePlugin
from spamguard.core import actions as act
from spamguard.core import templates
from spamguard.core.guard import Guard
from spamguard.core.hookspecs import hookimpl
from spamguard.core.messages import Message, MessageLike
from spamguard.core.plan import Plan, SkipReason
from spamguard.core.plugins import get_plugin_manager, plugin_name
from spamguard.core.policy import Policy
from spamguard.core.text import normalise
from spamguard.core.windows import DuplicateWindow, Entry

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable, Mapping

    from spamguard.core.context import CheckContext
    from spamguard.core.policy import CheckConfig, GuildPolicy

_LOGGER = logging.getLogger("spamguard.contrib.antispam")

Executor = typing.Callable[[Plan], typing.Any]
"""Carries a plan out; may return an awaitable (``Runtime.carry_out`` does)."""
Converter = typing.Callable[[typing.Any], MessageLike]
"""Turns a library's message object into a :class:`~spamguard.core.messages.MessageLike`."""

ADMINISTRATOR = 0x8
"""discord-anti-spam's default ``ignore_perms`` entry: Discord's administrator bit."""
MANAGE_MESSAGES = 0x2000
"""Discord's manage-messages permission bit."""


class IgnoreType(enum.Enum):
    """What :meth:`AntiSpamHandler.add_ignored_item` ignores (discord-anti-spam 1.x's enum;
    0.x's strings ``"member"``, ``"channel"``, ``"guild"``, ``"role"``, ``"perm"`` work too)."""

    MEMBER = 0
    CHANNEL = 1
    GUILD = 2
    ROLE = 3
    PERM = 4


class ResetType(enum.Enum):
    """Which counter :meth:`AntiSpamHandler.reset_user_count` resets (0.x's strings
    ``"warn_counter"`` and ``"kick_counter"`` work too)."""

    WARN_COUNTER = 0
    KICK_COUNTER = 1


_IGNORE_LISTS: Mapping[str, str] = {
    "member": "ignore_users",
    "user": "ignore_users",
    "channel": "ignore_channels",
    "perm": "ignore_perms",
    "guild": "ignore_guilds",
    "role": "ignore_roles",
}
_RESETS: Mapping[str, tuple[str, ...]] = {
    # discord-anti-spam counted bans as kicks; spamguard keeps them apart.
    "warn_counter": ("warn_count",),
    "kick_counter": ("kick_count", "ban_count"),
}


class PropagateResult(typing.TypedDict):
    """What :meth:`AntiSpamHandler.propagate` returns: discord-anti-spam's dict, plus ``plan``."""

    should_be_punished_this_message: bool
    was_warned: bool
    was_kicked: bool
    was_banned: bool
    status: str
    warn_count: int
    kick_count: int
    """Kicks and bans (discord-anti-spam counted bans as kicks)."""
    duplicate_counter: int
    pre_invoke_extensions: dict[str, typing.Any]
    """What each pre-invoke extension returned, by its class name."""
    after_invoke_extensions: dict[str, typing.Any]
    """What each after-invoke extension returned, by its class name."""
    plan: Plan | None
    """The spamguard plan (None when the message was ignored before the core saw it)."""


_RESULT_FLAGS: Mapping[
    str, tuple[typing.Literal["was_warned", "was_kicked", "was_banned"], str]
] = {
    "WARN": ("was_warned", "User was warned."),
    "KICK": ("was_kicked", "User was kicked."),
    "BAN": ("was_banned", "User was banned."),
}
_SKIP_STATUS: Mapping[SkipReason, str] = {
    SkipReason.DM: "Ignoring messages from dm's",
    SkipReason.SELF: "Ignoring messages from myself (the bot)",
    SkipReason.BOT: "Ignoring messages from bots",
    SkipReason.VETOED: "Ignoring this message: an extension vetoed it",
}


class CompatBridge(typing.Protocol):
    """What an adapter's ``compat_bridge(bot, guard)`` returns for the handler."""

    def convert(self, message: typing.Any) -> MessageLike:
        """The library's message object as a MessageLike."""

    def carry_out(self, plan: Plan) -> Awaitable[typing.Any]:
        """Carry a plan out (``Runtime.carry_out``)."""


_MESSAGE_LIKE: dict[type, bool] = {}


def _is_message_like(obj: object) -> bool:
    # The Protocol isinstance check is slow; its answer per type is cached.
    kind = type(obj)
    answer = _MESSAGE_LIKE.get(kind)
    if answer is None:
        answer = _MESSAGE_LIKE[kind] = isinstance(obj, MessageLike)
    return answer


def _duplicates_check(policy: GuildPolicy) -> CheckConfig | None:
    for _level, rule in policy.levels:
        for check in rule.checks:
            if check.name == "max_duplicates":
                return check
    return None


class _DuplicateCounter:
    """Counts, for every message, the duplicates discord-anti-spam reports as
    ``duplicate_counter`` (the core only reports a count when the check fires)."""

    name: typing.ClassVar[str] = "antispam_duplicate_counter"

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    @hookimpl
    def spamguard_check_message(self, message: MessageLike, context: CheckContext) -> None:
        check = _duplicates_check(context.policy)
        if check is None:
            return
        text = normalise(message.content)
        window = context.window(self.name, interval=check.interval, scope=check.scope, text=True)
        assert isinstance(window, DuplicateWindow)
        if not window.replace_text(message.id, text) and text:
            ts = message.created_at.timestamp()
            window.add(Entry(ts, message.id, message.channel_id, message.author_id, 1, text))
        cutoff = context.now.timestamp() - check.interval
        if len(self.counts) > 1024:
            self.counts.clear()
        self.counts[message.id] = window.count_in(
            window.similar_texts(text, check.accuracy), cutoff
        )


class AntiSpamHandler:
    """discord-anti-spam's ``AntiSpamHandler``, deciding with spamguard's core.

    Args:
        bot: your bot (used to recognise its own messages and to find the adapter).
        library: accepted for discord-anti-spam 1.x call compatibility; unused.
        options: the options as a mapping (instead of, or under, keyword options).
        executor: carries plans out (``Runtime.carry_out``); see the module docstring.
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
        self.pre_invoke_extensions: dict[str, BasePlugin] = {}
        self.after_invoke_extensions: dict[str, BasePlugin] = {}
        self.plugin_extensions: dict[str, object] = {}
        """Pluggy plugins registered with :meth:`register_extension`, by name."""
        self._custom: dict[int, dict[str, typing.Any]] = {}
        self._guilds: set[int] = set()
        self._bridge_tried = False
        self._replaced: dict[str, tuple[str, object]] = {}
        self._duplicates = _DuplicateCounter()
        pm = get_plugin_manager([self._duplicates, *plugins], load_entrypoints=load_entrypoints)
        self.guard = Guard(self._build_policy(), plugin_manager=pm)
        """The spamguard guard that decides."""
        _LOGGER.info("Package initialized successfully")

    # -- policy ----------------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The spamguard policy the options translate to."""
        return self.guard.policy

    def _build_policy(self) -> Policy:
        base = guild_policy(self.options, self.extensions)
        guilds = {gid: guild_policy(opts, self.extensions) for gid, opts in self._custom.items()}
        return Policy(base=base, guilds=guilds, source={"antispam_options": self.options})

    def _rebuild(self) -> None:
        policy = self._build_policy()
        self.guard.hooks.validate_policy(policy)
        self.guard.policy = policy

    def _options_for(self, guild_id: int) -> dict[str, typing.Any]:
        return self._custom.get(guild_id, self.options)

    # -- messages --------------------------------------------------------------------------

    def to_message(self, message: typing.Any) -> MessageLike:
        """``message`` as the core sees it: a spamguard :class:`Message` or MessageLike as
        is, anything else through the converter (yours, or the adapter's bridge).

        Raises:
            ValueError: no way to read this object.
        """
        if isinstance(message, Message) or _is_message_like(message):
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
        if self.bot is None:
            return
        from spamguard.adapters import AdapterNotFoundError, BuiltinAdapterFinder, load_adapter
        from spamguard.core.plugins import Hooks

        finder = Hooks(get_plugin_manager([BuiltinAdapterFinder()]))
        name = finder.find_adapter(self.bot)
        if name is None:
            _LOGGER.warning("no spamguard adapter knows %s", type(self.bot).__qualname__)
            return
        try:
            module = load_adapter(name)
        except (AdapterNotFoundError, ImportError) as error:
            _LOGGER.warning("spamguard adapter %r could not be loaded: %s", name, error)
            return
        factory = getattr(module, "compat_bridge", None)
        if factory is None:
            _LOGGER.warning(
                "spamguard adapter %r has no compat_bridge(); plans are returned, not carried out",
                name,
            )
            return
        bridge = typing.cast("CompatBridge", factory(self.bot, self.guard))
        if self.converter is None:
            self.converter = bridge.convert
        if self.executor is None:
            self.executor = bridge.carry_out

    def _bot_id(self) -> int | None:
        if self.self_id is not None:
            return self.self_id
        user = getattr(self.bot, "user", None)
        user_id = getattr(user, "id", None)
        return user_id if isinstance(user_id, int) else None

    def _ignored(self, message: MessageLike, options: Mapping[str, typing.Any]) -> str | None:
        """discord-anti-spam's ignore checks, in its order, with its statuses."""
        if message.guild_id is None:
            return _SKIP_STATUS[SkipReason.DM]
        if message.author_id == self._bot_id():
            return _SKIP_STATUS[SkipReason.SELF]
        if options["ignore_bots"] and message.author_is_bot:
            return _SKIP_STATUS[SkipReason.BOT]
        if message.author_id in options["ignore_users"]:
            return f"Ignoring this user: {message.author_id}"
        channels = options["ignore_channels"]
        if (
            message.channel_id in channels
            or (message.parent_id is not None and message.parent_id in channels)
            or (message.channel_name and message.channel_name in channels)
        ):
            return f"Ignoring this channel: {message.channel_id}"
        for role_id in sorted(message.author_role_ids):
            if role_id in options["ignore_roles"]:
                return f"Ignoring this role: {role_id}"
        perms = options["ignore_perms"]
        if (ADMINISTRATOR in perms and (message.author_is_admin or message.author_is_owner)) or (
            MANAGE_MESSAGES in perms
            and (message.author_can_manage_messages or message.author_is_admin)
        ):
            return f"Ignoring this user's permissions: {message.author_id}"
        if message.guild_id in options["ignore_guilds"]:
            return f"Ignoring this guild: {message.guild_id}"
        return None

    def _result(self, message: MessageLike, status: str, plan: Plan | None) -> PropagateResult:
        counters = (
            self.guard.member_counters(message.guild_id, message.author_id)
            if message.guild_id is not None
            else {}
        )
        return {
            "should_be_punished_this_message": False,
            "was_warned": False,
            "was_kicked": False,
            "was_banned": False,
            "status": status,
            "warn_count": counters.get("warn_count", 0),
            # discord-anti-spam counted bans as kicks.
            "kick_count": counters.get("kick_count", 0) + counters.get("ban_count", 0),
            "duplicate_counter": 0,
            "pre_invoke_extensions": {},
            "after_invoke_extensions": {},
            "plan": plan,
        }

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
        options = self.options if guild_id is None else self._options_for(guild_id)
        status = self._ignored(core_message, options)
        if status is not None:
            _LOGGER.debug("%s", status)
            return self._result(core_message, status, None)
        guild_id = typing.cast("int", guild_id)
        self._guilds.add(guild_id)

        pre_results: dict[str, typing.Any] = {}
        for extension in tuple(self.pre_invoke_extensions.values()):
            if guild_id in extension.blacklisted_guilds:
                continue
            returned = await extension.propagate(message)
            pre_results[type(extension).__name__] = returned
            if isinstance(returned, dict) and returned.get("cancel_next_invocation"):
                raise InvocationCancelled

        plan = self.guard.process(core_message)
        duplicates = self._duplicates.counts.pop(core_message.id, 0)
        if plan.skipped_reason is SkipReason.REDELIVERED:
            raise DuplicateObject
        if plan.skipped_reason is not None:
            reason = _SKIP_STATUS.get(
                plan.skipped_reason, f"Ignoring this message: {plan.skipped_reason}"
            )
            result = self._result(core_message, reason, plan)
            result["pre_invoke_extensions"] = pre_results
            return result

        plan = self._with_punishment_notices(plan, core_message, options)
        result = self._result(core_message, "Unknown", plan)
        result["pre_invoke_extensions"] = pre_results
        result["duplicate_counter"] = max(0, duplicates - 1)
        if plan.violations:
            result["should_be_punished_this_message"] = True
            if options["no_punish"]:
                result["status"] = (
                    "User should be punished, however, was not due to no_punish being True"
                )
            flag = _RESULT_FLAGS.get(plan.punishment)
            if flag is not None:
                result[flag[0]] = True
                result["status"] = flag[1]
        await self._carry_out(plan)

        for extension in tuple(self.after_invoke_extensions.values()):
            if guild_id in extension.blacklisted_guilds:
                continue
            # Extensions get discord-anti-spam's plain dict (their signature's type).
            returned = await extension.propagate(
                message, typing.cast("dict[str, typing.Any]", result)
            )
            result["after_invoke_extensions"][type(extension).__name__] = returned
        return result

    def _with_punishment_notices(
        self, plan: Plan, message: MessageLike, options: Mapping[str, typing.Any]
    ) -> Plan:
        """Add discord-anti-spam's kick and ban texts around the core's Kick or Ban: the DM
        to the member before, the guild notice after, and the failure texts."""
        word = {"KICK": "kick", "BAN": "ban"}.get(plan.punishment)
        if word is None:
            return plan
        index = next(
            (i for i, a in enumerate(plan.actions) if isinstance(a, act.Kick | act.Ban)), None
        )
        if index is None:
            return plan
        guild_id = typing.cast("int", message.guild_id)
        counters = self.guard.member_counters(guild_id, message.author_id)
        violation = plan.violations[0]
        values = templates.variables(
            message,
            now=message.created_at,
            bot_id=self._bot_id(),
            warn_count=counters["warn_count"],
            kick_count=counters["kick_count"] + counters["ban_count"],
            violation=violation.check,
            count=violation.count,
            limit=violation.limit,
            punishment=plan.punishment,
        )

        def render(option: str) -> tuple[str, dict[str, typing.Any] | None]:
            rendered = templates.render(translate_template(options[option]), values)
            return (rendered, None) if isinstance(rendered, str) else ("", rendered)

        content, embed = render(f"user_{word}_message")
        dm = act.DirectMessage(
            user_id=message.author_id, content=content, embed=embed, guild_id=guild_id
        )
        content, embed = render(f"guild_{word}_message")
        notice = act.SendMessage(
            channel_id=message.channel_id,
            content=content,
            embed=embed,
            delete_after=options[f"guild_{word}_message_delete_after"],
            mention_user_ids=(message.author_id,),
            guild_id=guild_id,
        )
        content, embed = render(f"user_failed_{word}_message")
        failed = (
            act.SendMessage(
                channel_id=message.channel_id,
                content=f"I do not have permission to {word}: <@{message.author_id}>",
                delete_after=options[f"guild_{word}_message_delete_after"],
                mention_user_ids=(message.author_id,),
                guild_id=guild_id,
            ),
            act.DirectMessage(
                user_id=message.author_id, content=content, embed=embed, guild_id=guild_id
            ),
        )
        actions = (
            *plan.actions[:index],
            dm,
            plan.actions[index],
            notice,
            *plan.actions[index + 1 :],
        )
        return dataclasses.replace(plan, actions=actions, on_failure=failed)

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

    @staticmethod
    def _ignore_list(ignore_type: object) -> str:
        if isinstance(ignore_type, IgnoreType):
            key = ignore_type.name.lower()
        elif isinstance(ignore_type, str):
            key = ignore_type.lower()
        else:
            msg = "Expected `ignore_type` to be of type IgnoreType"
            raise ValueError(msg)
        name = _IGNORE_LISTS.get(key)
        if name is None:
            msg = "Invalid ignore ignore_type"
            raise BaseASHException(msg)
        return name

    @staticmethod
    def _item(item: object) -> int:
        try:
            return int(typing.cast("typing.Any", item))
        except (TypeError, ValueError):
            msg = "Expected item of type: int"
            raise ValueError(msg) from None

    def add_ignored_item(self, item: int, ignore_type: IgnoreType | str) -> None:
        """Ignore a member, channel, role, guild or permission bit (handler-wide options).

        Adding an item already ignored does nothing.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` has a wrong type.
            BaseASHException: an unknown ``ignore_type`` name.
        """
        name = self._ignore_list(ignore_type)
        value = self._item(item)
        if value not in self.options[name]:
            self.options[name].append(value)
            self._rebuild()

    def remove_ignored_item(self, item: int, ignore_type: IgnoreType | str) -> None:
        """Stop ignoring an item; removing one that is not ignored does nothing.

        Raises:
            ValueError: ``item`` is not an int, or ``ignore_type`` has a wrong type.
            BaseASHException: an unknown ``ignore_type`` name.
        """
        name = self._ignore_list(ignore_type)
        value = self._item(item)
        if value in self.options[name]:
            self.options[name].remove(value)
            self._rebuild()

    # -- per-guild options -----------------------------------------------------------------

    def add_custom_guild_options(self, guild_id: int, **kwargs: typing.Any) -> None:
        """Give a guild its own complete option set (unspecified options at their defaults).

        Raises:
            TypeError, ValueError, BaseASHException: as for the constructor.
        """
        self._custom[int(guild_id)] = validate_options(**kwargs)
        self._guilds.add(int(guild_id))
        self._rebuild()

    def get_guild_options(self, guild_id: int) -> tuple[dict[str, typing.Any], bool]:
        """``(options, has_custom_options)`` for a guild the handler knows; the options are
        a copy.

        Raises:
            BaseASHException: the guild does not exist (no message or options seen for it).
        """
        if guild_id not in self._guilds:
            msg = "This guild does not exist"
            raise BaseASHException(msg)
        custom = guild_id in self._custom
        return copy.deepcopy(self._options_for(guild_id)), custom

    def remove_custom_guild_options(self, guild_id: int) -> None:
        """Return a guild to the handler-wide options (silently ignores unknown guilds)."""
        if self._custom.pop(guild_id, None) is not None:
            self._rebuild()

    # -- counters --------------------------------------------------------------------------

    def reset_user_count(self, user_id: int, guild_id: int, counter: ResetType | str) -> None:
        """Reset a member's warn counter (``"warn_counter"``) or kick counter
        (``"kick_counter"``, which also holds bans); unknown members are ignored.

        Raises:
            LogicError: an unknown counter name.
            ValueError: ``counter`` is neither a string nor a ResetType.
        """
        if isinstance(counter, ResetType):
            key = counter.name.lower()
        elif isinstance(counter, str):
            key = counter.lower()
        else:
            msg = "Expected reset_type of type ResetType"
            raise ValueError(msg)
        names = _RESETS.get(key)
        if names is None:
            msg = "Invalid counter argument, please select a valid counter."
            raise LogicError(msg)
        self.guard.reset_member(guild_id, user_id, counters=names)

    # -- extensions ------------------------------------------------------------------------

    def register_extension(self, extension: object, force_overwrite: bool = False) -> None:
        """Register a discord-anti-spam extension (a :class:`BasePlugin` instance with an
        ``async propagate``) or a spamguard pluggy plugin, under its lower-case class name.

        Raises:
            ExtensionError: not an extension instance, or the name is taken (unless
                ``force_overwrite``).
        """
        name = type(extension).__name__.lower()
        taken = (
            name in self.pre_invoke_extensions
            or name in self.after_invoke_extensions
            or name in self.plugin_extensions
        )
        if taken and not force_overwrite:
            msg = "Error loading extension, an extension with this name already exists!"
            raise ExtensionError(msg)
        if isinstance(extension, BasePlugin):
            if not inspect.iscoroutinefunction(extension.propagate):
                msg = "Expected coro method for propagate"
                raise ExtensionError(msg)
            if taken:
                self.unregister_extension(name)
            target = (
                self.pre_invoke_extensions
                if extension.is_pre_invoke
                else self.after_invoke_extensions
            )
            target[name] = extension
            return
        if isinstance(extension, type) or not _has_hookimpls(extension):
            msg = (
                "Expected extension that subclassed BaseExtension and was a class instance not "
                "class reference"
            )
            raise ExtensionError(msg)
        if taken:
            self.unregister_extension(name)
        # A plugin named like an installed extension (MassMention() is "mass_mention")
        # replaces it while registered, as a plugin given to get_plugin_manager does.
        pm_name = plugin_name(extension) or name
        installed = self.guard.plugin_manager.get_plugin(pm_name)
        if installed is not None:
            self.guard.unregister_plugin(installed)
        try:
            self.guard.register_plugin(extension, name=pm_name)
        except Exception:
            if installed is not None:
                self.guard.register_plugin(installed, name=pm_name)
            raise
        self.plugin_extensions[name] = extension
        if installed is not None:
            self._replaced[name] = (pm_name, installed)

    register_plugin = register_extension
    """discord-anti-spam 1.x's name for :meth:`register_extension`."""

    def unregister_extension(self, extension_name: str) -> None:
        """Remove an extension by class name (case-insensitive).

        Raises:
            ExtensionError: no extension of that name is registered.
        """
        name = extension_name.lower()
        found = False
        for registry in (self.pre_invoke_extensions, self.after_invoke_extensions):
            if registry.pop(name, None) is not None:
                found = True
        plugin = self.plugin_extensions.pop(name, None)
        if plugin is not None:
            self.guard.unregister_plugin(plugin)
            replaced = self._replaced.pop(name, None)
            if replaced is not None:
                self.guard.register_plugin(replaced[1], name=replaced[0])
            found = True
        if not found:
            msg = "An extension matching this name doesn't exist!"
            raise ExtensionError(msg)

    unregister_plugin = unregister_extension
    """discord-anti-spam 1.x's name for :meth:`unregister_extension`."""

    # -- state -----------------------------------------------------------------------------

    async def save_to_dict(self) -> dict[str, typing.Any]:
        """The handler's whole state as JSON-serialisable data: options, guilds, the
        guard's snapshot (members, windows, counters), and the state of extensions that
        implement ``save_to_dict``."""
        data: dict[str, typing.Any] = {
            "options": copy.deepcopy(self.options),
            "guilds": [
                {
                    "id": guild_id,
                    "has_custom_options": guild_id in self._custom,
                    "options": copy.deepcopy(self._custom.get(guild_id)),
                }
                for guild_id in sorted(self._guilds)
            ],
            "extensions": copy.deepcopy(self.extensions),
            "state": self.guard.snapshot(),
            "pre_invoke_plugins": {},
            "after_invoke_plugins": {},
        }
        for key, registry in (
            ("pre_invoke_plugins", self.pre_invoke_extensions),
            ("after_invoke_plugins", self.after_invoke_extensions),
        ):
            for extension in registry.values():
                try:
                    data[key][type(extension).__name__] = await extension.save_to_dict()
                except NotImplementedError:
                    continue
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
            for guild in data["guilds"]:
                guild_id = int(guild["id"])
                handler._guilds.add(guild_id)
                if guild["has_custom_options"]:
                    handler._custom[guild_id] = validate_options(**guild["options"])
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


def _has_hookimpls(plugin: object) -> bool:
    marker = "spamguard_impl"
    return any(
        getattr(getattr(plugin, attribute, None), marker, None) is not None
        for attribute in dir(plugin)
        if attribute.startswith("spamguard_")
    )
