"""The shared base of the discord.py-family adapters (nextcord and disnake).

Both libraries descend from discord.py and keep its shapes: the same ``commands.Cog``,
the same ``HTTPClient`` methods, the same exception classes, the same message and member
objects. Everything spamguard does with them lives here, parametrised by a
:class:`Flavour` that names the library module and the few places they differ (the
AutoMod event's name and fields, the intent's name). ``spamguard.adapters.nextcord`` and
``spamguard.adapters.disnake`` only build their flavour and bind ``attach``/``setup``.

How a bot is protected:

- a Cog (:func:`cog_class`) listens to ``on_message``, ``on_raw_message_edit`` (raw, so
  edits of messages the library did not cache are seen too) and the library's AutoMod
  execution event, converts each into core values (:func:`to_core_message`) and hands them
  to the shared :class:`~spamguard.adapters.runtime.Runtime`; when a guild becomes
  available or is joined, its native AutoMod rules are brought in line with the policy's
  ``automod:`` section (:mod:`spamguard.adapters._automod_dpy`);
- :class:`DpyExecutor` carries actions out through the library's HTTP layer
  (``bot.http``): one request per action, an audit-log reason on every request that takes
  one, mentions restricted on every message, an explicit delete window on every ban, and
  no action against the owner, administrators or members whose top role is not below the
  bot's;
- the runtime starts with ``on_ready`` or the first event (at once when attached to a
  ready bot) and stops when the Cog is removed: on ``unload_extension``, ``bot.close()``
  or :meth:`~spamguard.adapters.runtime.Protection.detach`.
"""

from __future__ import annotations

__all__ = (
    "COG_NAME",
    "DEFAULT_REASON",
    "POLICY_ENV",
    "AlreadyAttachedError",
    "DpyExecutor",
    "Flavour",
    "Library",
    "ProtectionBinding",
    "UnsupportedActionError",
    "UnsupportedBotError",
    "cog_class",
    "flavour",
    "load_policy",
    "message_from_raw_edit",
    "to_core_message",
)

import asyncio
import contextlib
import dataclasses
import datetime
import importlib
import logging
import os
import typing

from spamguard.adapters import AttachOptions, GuardRuntimeOptions, RuntimeOptions, check_options
from spamguard.adapters._automod_dpy import (
    automod_execution_from_event,
    execute_automod,
    fetch_rules,
)
from spamguard.adapters.runtime import (
    DEFAULT_REASON,
    MEMBER_RULE_ACTIONS,
    POLICY_ENV,
    ROLE_RULE_ACTIONS,
    CompatBridge,
    Protection,
    Runtime,
    audit_reason,
    failure_for_status,
    load_policy,
    split_delete,
)
from spamguard.core.actions import (
    AddRole,
    Ban,
    DeleteMessages,
    DirectMessage,
    Kick,
    RemoveRole,
    SendMessage,
    Timeout,
    Unban,
)
from spamguard.core.automod import CreateAutoModRule, DeleteAutoModRule, EditAutoModRule
from spamguard.core.errors import SpamguardError
from spamguard.core.guard import Guard
from spamguard.core.messages import Message, typed_by_member
from spamguard.core.outcomes import FailureKind
from spamguard.core.policy import Policy

if typing.TYPE_CHECKING:
    import types
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.core.actions import Action
    from spamguard.core.automod import AutomodChange
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.store import Store

_LOGGER = logging.getLogger("spamguard.adapters.dpy")

Library = typing.Literal["nextcord", "disnake"]
"""The discord.py descendants spamguard supports, by import name."""

COG_NAME = "SpamGuard"
"""The Cog's name: ``bot.get_cog("SpamGuard").protection`` reaches the running protection."""

# Failure kinds by the name of the library's exception class, most specific first: both
# libraries define these names at the top level.
_FAILURES: tuple[tuple[str, FailureKind], ...] = (
    ("Forbidden", FailureKind.FORBIDDEN),
    ("NotFound", FailureKind.NOT_FOUND),
    ("DiscordServerError", FailureKind.SERVER_ERROR),
)

# The runtime's and the guard's keyword arguments that attach() passes through.
_RUNTIME_OPTIONS = RuntimeOptions.__optional_keys__
_GUARD_OPTIONS = GuardRuntimeOptions.__optional_keys__ - _RUNTIME_OPTIONS


class UnsupportedActionError(SpamguardError, TypeError):
    """The adapter does not know how to carry out this kind of action."""


class UnsupportedBotError(SpamguardError, TypeError):
    """The object given to ``attach`` cannot hold a Cog (it is not a ``commands`` bot)."""


class AlreadyAttachedError(SpamguardError, RuntimeError):
    """spamguard is already protecting this bot."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Flavour:
    """One discord.py descendant: its modules and the few names that differ."""

    name: Library
    """Import name of the library, also the extra's name."""
    module: types.ModuleType
    """The library's top-level module (classes: ``Member``, ``Thread``, ``Forbidden``...)."""
    commands: types.ModuleType
    """The library's ``ext.commands`` module (``Cog``)."""
    automod_event: str
    """Listener name of the AutoMod execution event."""
    automod_intent: str
    """Name of the ``Intents`` flag that delivers AutoMod executions."""

    def attach(
        self,
        bot: typing.Any,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        store: Store | None = None,
        plugins: Iterable[object] = (),
        action_timeout: float = 10.0,
        **options: typing.Unpack[GuardRuntimeOptions],
    ) -> Protection:
        """Protect ``bot``, a bot of this library that holds Cogs (adds the ``SpamGuard`` Cog).

        Args:
            bot: the bot (``commands.Bot``, disnake's ``InteractionBot``, their sharded
                forms).
            policy: a :class:`~spamguard.core.policy.Policy`, a policy file, or None for
                the file named by ``$SPAMGUARD_POLICY`` or else the default policy.
            store: where state lives (default: in memory).
            plugins: plugin objects for the guard.
            action_timeout: seconds each action may take, retries and rate-limit sleeps
                included (the libraries sleep on any ``retry_after``, however long).
            options: ``poll_interval`` and ``clock`` (for the runtime),
                ``load_entrypoints`` (default True: installed extensions join) and
                ``plugin_manager`` (for the guard).

        Returns:
            The protection: ``guard``, ``stats`` and ``await protection.detach()``.

        Raises:
            UnsupportedBotError: ``bot`` cannot hold a Cog.
            AlreadyAttachedError: spamguard already protects ``bot``.
            PolicyError: the policy file is invalid.
            TypeError: an unknown option.
        """
        return _attach(
            self,
            bot,
            policy=policy,
            store=store,
            plugins=plugins,
            action_timeout=action_timeout,
            options=options,
        )

    def compat_bridge(self, bot: typing.Any, guard: Guard) -> CompatBridge:
        """What :class:`spamguard.contrib.antispam.AntiSpamHandler` uses to carry its plans
        out on ``bot``: this library's messages in, real HTTP calls out."""
        executor = DpyExecutor(self, bot, clock=_utcnow, lookup_timeout=10.0)
        runtime = Runtime(guard, executor, clock=_utcnow)
        return CompatBridge(runtime, lambda message: to_core_message(self, message))

    def setup(self, bot: typing.Any, options: Mapping[str, typing.Any]) -> None:
        """What the adapter's ``load_extension`` entry point does: :meth:`attach` with
        ``options`` (synchronous: neither library awaits ``setup``)."""
        self.attach(bot, **options)


# How the libraries name what differs between them; everything else is discord.py's.
_DIFFERENCES: Mapping[str, Mapping[str, str]] = {
    "nextcord": {
        "automod_event": "on_auto_moderation_action_execution",
        "automod_intent": "auto_moderation_execution",
    },
    "disnake": {
        "automod_event": "on_automod_action_execution",
        "automod_intent": "automod_execution",
    },
}


def flavour(name: Library) -> Flavour:
    """Import the library ``name`` (``nextcord`` or ``disnake``) and describe it.

    Raises:
        ImportError: the library is not installed; the message says what to install.
    """
    try:
        module = importlib.import_module(name)
        commands = importlib.import_module(f"{name}.ext.commands")
    except ImportError as exc:
        if exc.name != name:
            # The library is there but broken (a missing dependency of its own).
            raise
        msg = f"spamguard's {name} adapter needs {name}: pip install 'spamguard[{name}]'"
        raise ImportError(msg, name=name) from exc
    return Flavour(name=name, module=module, commands=commands, **_DIFFERENCES[name])


# -- converting events -----------------------------------------------------------------------


def _channel_places(flavour: Flavour, channel: typing.Any) -> tuple[int | None, int | None]:
    """``(category_id, parent_id)``: a thread's parent channel and that channel's category."""
    if isinstance(channel, flavour.module.Thread):
        parent = channel.parent
        category = None if parent is None else getattr(parent, "category_id", None)
        return category, channel.parent_id
    return getattr(channel, "category_id", None), None


def _can_manage_messages(channel: typing.Any, member: typing.Any) -> bool:
    try:
        return bool(channel.permissions_for(member).manage_messages)
    except Exception:
        # A thread whose parent is not cached, or a channel type without overwrites: the
        # guild-wide permission is the best answer left.
        return bool(member.guild_permissions.manage_messages)


def _display_name(author: typing.Any) -> str:
    # Discord shows the nickname, else the global display name, else the username;
    # nextcord 2.6's display_name skips the global name.
    for name in ("nick", "global_name", "name"):
        value = getattr(author, name, None)
        if value:
            return str(value)
    return ""


def to_core_message(flavour: Flavour, message: typing.Any) -> Message | None:
    """The core's view of a library ``Message``; None for a DM, an uncached guild, an
    author the guild does not know as a member, and what a member did not type (system
    messages, webhooks: :func:`spamguard.core.messages.typed_by_member`).

    Normalises what the libraries leave implicit: there is no ``Message.guild_id`` (the
    guild comes from the cache, ``message.guild``), a thread's parent channel and that
    channel's category, the author's roles without @everyone, administrator from
    ``guild_permissions``, manage-messages from the channel's ``permissions_for``, the
    owner from ``guild.owner_id``.
    """
    guild = message.guild
    if guild is None:
        # A DM, or a guild the library has not cached (no GUILDS intent).
        return None
    if not typed_by_member(message.type.value, webhook_id=message.webhook_id):
        return None
    channel = message.channel
    author = message.author
    if not isinstance(author, flavour.module.Member):
        # No member data: the exemptions (administrator, manage messages) cannot be read.
        return None
    category_id, parent_id = _channel_places(flavour, channel)
    return Message(
        id=message.id,
        guild_id=guild.id,
        channel_id=channel.id,
        author_id=author.id,
        content=message.content or "",
        created_at=message.created_at,
        author_is_bot=bool(author.bot),
        author_role_ids=frozenset(role.id for role in author.roles if role.id != guild.id),
        mention_ids=tuple(dict.fromkeys(user.id for user in message.mentions)),
        role_mention_ids=tuple(dict.fromkeys(role.id for role in message.role_mentions)),
        mentions_everyone=bool(message.mention_everyone),
        attachment_count=len(message.attachments),
        sticker_count=len(message.stickers),
        embed_count=len(message.embeds),
        category_id=category_id,
        parent_id=parent_id,
        author_is_admin=bool(author.guild_permissions.administrator),
        author_can_manage_messages=_can_manage_messages(channel, author),
        author_is_owner=guild.owner_id == author.id,
        author_name=_display_name(author),
        guild_name=str(guild.name or ""),
        channel_name=str(getattr(channel, "name", "") or ""),
        **_template_looks(guild, author),
    )


def _template_looks(guild: typing.Any, author: typing.Any) -> dict[str, typing.Any]:
    """The avatars, icon and bot that notice templates show ($MEMBERAVATAR, $GUILDICON,
    $BOTID, $BOTNAME, $BOTAVATAR), as the guild shows them."""
    icon = guild.icon
    looks: dict[str, typing.Any] = {
        "author_avatar_url": str(author.display_avatar.url),
        "guild_icon_url": "" if icon is None else str(icon.url),
    }
    me = guild.me
    if me is not None:
        looks["bot_id"] = int(me.id)
        looks["bot_name"] = _display_name(me)
        looks["bot_avatar_url"] = str(me.display_avatar.url)
    return looks


# The fields a MESSAGE_UPDATE must carry to be a full message (an embed-unfurl update
# may carry only ids and embeds).
_FULL_MESSAGE_FIELDS = ("author", "content", "timestamp", "attachments", "embeds")


def message_from_raw_edit(bot: typing.Any, flavour: Flavour, event: typing.Any) -> typing.Any:
    """A library ``Message`` built from ``on_raw_message_edit``'s payload, or None.

    Built from the payload rather than the cache: the cached message is missing for
    anything older than the library's message cache, and may not be updated yet.
    """
    data = event.data
    if any(field not in data for field in _FULL_MESSAGE_FIELDS):
        return None
    guild_id = event.guild_id if event.guild_id is not None else data.get("guild_id")
    if guild_id is None:
        return None
    guild = bot.get_guild(int(guild_id))
    if guild is None:
        return None
    channel = guild.get_channel_or_thread(int(event.channel_id))
    if channel is None:
        channel = bot.get_partial_messageable(int(event.channel_id))
    # ConnectionState is the library's own message factory (the gateway uses it the same way).
    return flavour.module.Message(state=bot._connection, channel=channel, data=data)


# -- carrying actions out --------------------------------------------------------------------


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


class DpyExecutor:
    """Carries out actions for one nextcord or disnake bot through ``bot.http``.

    Implements :class:`spamguard.adapters.runtime.ActionExecutor`. The HTTP layer is used
    for every action: it needs no cached object (a member who left can still be banned, a
    channel the bot never cached can still be cleaned), and it is where a reason can be
    given to a single-message delete.

    Args:
        flavour: the library.
        bot: the bot; ``bot.http`` makes the calls, its cache answers hierarchy questions.
        clock: the wall clock, to tell which messages are too old to bulk delete.
        lookup_timeout: seconds the member look-up of a hierarchy check may take.
    """

    def __init__(
        self,
        flavour: Flavour,
        bot: typing.Any,
        *,
        clock: Callable[[], datetime.datetime],
        lookup_timeout: float = 10.0,
    ) -> None:
        self.flavour = flavour
        self.bot = bot
        self._clock = clock
        self.lookup_timeout = lookup_timeout

    @property
    def http(self) -> typing.Any:
        """The library's ``HTTPClient`` every request goes through."""
        return self.bot.http

    # -- hierarchy -------------------------------------------------------------------------

    async def refuse(self, action: Action | AutomodChange) -> str | None:
        """Why ``action`` must not be attempted, or None.

        Punishments (timeout, mute role, kick, ban) and the mute role's removal are
        refused for the guild owner, the bot itself, administrators and members whose top
        role is not below the bot's; a role is given or taken only when it is below the
        bot's top role. A punishment in a guild the library did not cache (no GUILDS
        intent) is refused: the hierarchy cannot be checked. A target who is not a member is left to Discord (a ban of a user who
        already left is legitimate).
        """
        if isinstance(action, MEMBER_RULE_ACTIONS):
            refusal = await self._member_refusal(action.guild_id, action.user_id)
            if refusal is not None:
                return refusal
        if isinstance(action, ROLE_RULE_ACTIONS):
            return self._role_refusal(action.guild_id, action.role_id)
        return None

    async def _member(self, guild: typing.Any, user_id: int) -> typing.Any:
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            async with asyncio.timeout(self.lookup_timeout):
                return await guild.fetch_member(user_id)
        except self.flavour.module.NotFound:
            return None

    async def _member_refusal(self, guild_id: int, user_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return (
                f"guild {guild_id} is not in the {self.flavour.name} cache, so the role "
                "hierarchy cannot be checked (enable the GUILDS intent)"
            )
        if user_id == guild.owner_id:
            return f"user {user_id} owns guild {guild_id}"
        me = guild.me
        if me is None:
            return f"the bot's own member of guild {guild_id} is not cached"
        if user_id == me.id:
            return "the target is the bot itself"
        target = await self._member(guild, user_id)
        if target is None:
            return None
        if target.guild_permissions.administrator:
            return f"member {user_id} is an administrator of guild {guild_id}"
        if me.id == guild.owner_id:
            return None
        if target.top_role >= me.top_role:
            return (
                f"member {user_id}'s top role {target.top_role.name!r} (position "
                f"{target.top_role.position}) is not below the bot's top role "
                f"{me.top_role.name!r} (position {me.top_role.position})"
            )
        return None

    def _role_refusal(self, guild_id: int, role_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        me = None if guild is None else guild.me
        if guild is None or me is None or me.id == guild.owner_id:
            return None
        role = guild.get_role(role_id)
        if role is not None and role >= me.top_role:
            return (
                f"role {role.name!r} (position {role.position}) is not below the bot's "
                f"top role {me.top_role.name!r} (position {me.top_role.position})"
            )
        return None

    # -- execution -------------------------------------------------------------------------

    async def execute(self, action: Action | AutomodChange) -> int | None:
        """Carry ``action`` out; the id of the message a :class:`SendMessage` created."""
        http = self.http
        # Matched as an object: extensions may hand over action kinds of their own.
        item: object = action
        match item:
            case DeleteMessages():
                await self._delete(item)
            case SendMessage():
                data = await http.send_message(
                    item.channel_id,
                    item.content or None,
                    embed=item.embed,
                    # Both libraries ping everything by default: only the member the
                    # notice is about may be pinged, never @everyone/@here or a role.
                    allowed_mentions=self._mentions(item.mention_user_ids),
                )
                return int(data["id"])
            case DirectMessage():
                channel = await http.start_private_message(item.user_id)
                await http.send_message(
                    int(channel["id"]),
                    item.content or None,
                    embed=item.embed,
                    allowed_mentions=self._mentions(()),
                )
            case Timeout():
                await http.edit_member(
                    item.guild_id,
                    item.user_id,
                    reason=audit_reason(item.reason),
                    communication_disabled_until=item.until.isoformat(),
                )
            case AddRole():
                await http.add_role(
                    item.guild_id, item.user_id, item.role_id, reason=audit_reason(item.reason)
                )
            case RemoveRole():
                await http.remove_role(
                    item.guild_id, item.user_id, item.role_id, reason=audit_reason(item.reason)
                )
            case Kick():
                await http.kick(item.user_id, item.guild_id, reason=audit_reason(item.reason))
            case Ban():
                # Always explicit: the libraries delete a day of messages when omitted.
                await http.ban(
                    item.user_id,
                    item.guild_id,
                    delete_message_seconds=item.delete_message_seconds,
                    reason=audit_reason(item.reason),
                )
            case Unban():
                await http.unban(item.user_id, item.guild_id, reason=audit_reason(item.reason))
            case CreateAutoModRule() | EditAutoModRule() | DeleteAutoModRule():
                await execute_automod(self.bot, item, library=self.flavour.name)
            case _:
                kind = getattr(item, "kind", type(item).__name__)
                msg = f"the {self.flavour.name} adapter cannot carry out {kind!r} actions"
                raise UnsupportedActionError(msg)
        return None

    def _mentions(self, user_ids: Iterable[int]) -> dict[str, typing.Any]:
        lib = self.flavour.module
        users = [lib.Object(id=user_id) for user_id in user_ids]
        allowed = lib.AllowedMentions(
            everyone=False, users=users or False, roles=False, replied_user=False
        )
        return typing.cast("dict[str, typing.Any]", allowed.to_dict())

    async def _delete(self, action: DeleteMessages) -> None:
        reason = audit_reason(action.reason)
        recent, single = split_delete(action, self._clock())
        if recent:
            # An action holds at most 100 ids: one bulk request (the libraries raise above 100).
            await self.http.delete_messages(action.channel_id, recent, reason=reason)
        for message_id in single:
            await self.http.delete_message(action.channel_id, message_id, reason=reason)

    # -- errors ----------------------------------------------------------------------------

    def classify(self, error: BaseException) -> FailureKind:
        """Map one of the library's exceptions to a failure kind."""
        lib = self.flavour.module
        for name, kind in _FAILURES:
            if isinstance(error, getattr(lib, name)):
                return kind
        if isinstance(error, lib.HTTPException):
            # A 429 is raised only when the library gives up (one without Discord's
            # headers); a long retry_after it sleeps on ends at the action deadline.
            return failure_for_status(int(error.status))
        if isinstance(error, TimeoutError):
            return FailureKind.TIMEOUT
        return FailureKind.ERROR


# -- binding a bot to the runtime --------------------------------------------------------------


def _self_id(bot: typing.Any) -> int | None:
    # Before login nextcord's bot.user is None and disnake's a MISSING sentinel.
    user_id = getattr(bot.user, "id", None)
    return None if user_id is None else int(user_id)


class ProtectionBinding:
    """Glue between one bot's Cog and its runtime: starting, stopping, handling events.

    Never raises into the library's event dispatch: errors are logged and counted in
    ``runtime.stats``.
    """

    def __init__(self, flavour: Flavour, bot: typing.Any, runtime: Runtime) -> None:
        self.flavour = flavour
        self.bot = bot
        self.runtime = runtime
        self.protection = Protection(runtime, self.detach)
        self.cog: typing.Any = None
        self._start: asyncio.Future[None] | None = None
        self._stop: asyncio.Task[None] | None = None
        self._closed = False
        self._warned: set[str] = set()
        self._sync_locks: dict[int, asyncio.Lock] = {}

    # -- life cycle ------------------------------------------------------------------------

    def start_soon(self) -> None:
        """Start the runtime now if the bot is ready (else with ``on_ready`` or the first
        event): scheduled actions due at start-up need a logged-in HTTP client."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        if self.bot.is_ready():
            self._begin_start()

    def _begin_start(self) -> asyncio.Future[None]:
        if self._start is None:
            self._start = asyncio.ensure_future(self._run_start())
        return self._start

    async def _run_start(self) -> None:
        self._learn_self_id()
        self._check_intents()
        await self.runtime.start()

    async def ensure_started(self) -> bool:
        """Start the runtime once (concurrent callers wait for the same start); False once
        unloaded (a listener already running when the Cog was removed does nothing)."""
        if self._closed:
            return False
        start = self._begin_start()
        try:
            await asyncio.shield(start)
        except Exception:
            self.runtime.start_failed()
            if self._start is start:
                self._start = None
            return False
        self._learn_self_id()
        return True

    def _learn_self_id(self) -> None:
        if self.runtime.guard.self_id is None:
            self.runtime.guard.self_id = _self_id(self.bot)

    def _check_intents(self) -> None:
        intents = self.bot.intents
        if not intents.guilds:
            self._warn_once(
                "guilds",
                "spamguard: the GUILDS intent is off, so %s caches no guild: guild messages "
                "are not checked. Enable Intents.guilds.",
                self.flavour.name,
            )
        if not intents.message_content:
            self._warn_once(
                "message_content",
                "spamguard: the message content intent is off: content checks (duplicates, "
                "links, mentions in text...) see empty messages. Enable Intents.message_content.",
            )
        policy = self.runtime.guard.policy
        wants_automod = policy.base.automod_executions_count or any(
            guild.automod_executions_count for guild in policy.guilds.values()
        )
        if wants_automod and not getattr(intents, self.flavour.automod_intent, False):
            self._warn_once(
                "automod",
                "spamguard: automod_executions_count is on but Intents.%s is off: AutoMod "
                "executions never arrive.",
                self.flavour.automod_intent,
            )

    def _warn_once(self, key: str, text: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            _LOGGER.warning(text, *args)

    def unload(self) -> None:
        """Stop the runtime (from the Cog's synchronous ``cog_unload``)."""
        self._closed = True
        start, self._start = self._start, None
        if start is None or self._stop is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop left to stop in (the bot's loop is gone); nothing can run any more.
            return
        self._stop = loop.create_task(self._run_stop(start), name="spamguard-stop")

    async def _run_stop(self, start: asyncio.Future[None]) -> None:
        with contextlib.suppress(Exception):
            await start
        try:
            await self.runtime.stop()
        except Exception:
            self.runtime.stats.errors += 1
            _LOGGER.exception("spamguard failed to stop cleanly")

    async def detach(self) -> None:
        """Remove the Cog (stopping the runtime) and wait until it stopped."""
        if self.cog is not None and self.bot.get_cog(self.cog.qualified_name) is self.cog:
            self.bot.remove_cog(self.cog.qualified_name)
        else:
            self.unload()
        if self._stop is not None:
            await self._stop

    # -- events ----------------------------------------------------------------------------

    async def on_ready(self) -> None:
        """Start the runtime (and so the scheduler) as soon as the bot is ready."""
        await self.ensure_started()

    async def on_message(self, message: typing.Any) -> None:
        """Decide a new message and carry its plan out."""
        if not await self.ensure_started():
            return
        self._note_uncached_guild(message)
        await self.runtime.handle_event(lambda: to_core_message(self.flavour, message))

    async def on_raw_message_edit(self, event: typing.Any) -> None:
        """Decide an edited message: the edit replaces the message's earlier contribution."""
        if not await self.ensure_started():
            return

        def convert() -> Message | None:
            message = message_from_raw_edit(self.bot, self.flavour, event)
            return None if message is None else to_core_message(self.flavour, message)

        await self.runtime.handle_event(convert)

    async def on_automod_execution(self, execution: typing.Any) -> None:
        """Count a native AutoMod execution (the policy decides whether it escalates)."""
        if not await self.ensure_started():
            return
        try:
            value = automod_execution_from_event(
                execution, library=self.flavour.name, at=self.runtime.clock()
            )
        except Exception:
            self.runtime.stats.malformed += 1
            _LOGGER.warning("spamguard dropped a malformed AutoMod execution", exc_info=True)
            return
        await self.runtime.handle_automod(value)

    async def sync_automod(self, guild_id: int) -> tuple[ActionOutcome, ...]:
        """Make the guild's native AutoMod rules match the policy's ``automod:`` section:
        create, edit and delete only the rules spamguard owns; a second run changes
        nothing. Called when a guild becomes available or is joined; never raises."""
        if not await self.ensure_started():
            return ()
        lock = self._sync_locks.setdefault(guild_id, asyncio.Lock())
        # A guild can come back (outage, reconnect) while its last sync still runs.
        async with lock:
            return await self.runtime.sync_automod(
                guild_id, lambda: fetch_rules(self.bot, guild_id, library=self.flavour.name)
            )

    def _note_uncached_guild(self, message: typing.Any) -> None:
        if message.guild is None and isinstance(
            message.channel, self.flavour.module.PartialMessageable
        ):
            # A guild message whose guild the library does not know: without the guild
            # there are no roles, permissions or owner, so exemptions cannot be honoured.
            self._warn_once(
                "uncached_guild",
                "spamguard: a message arrived from a guild %s has not cached; such messages "
                "are not checked. Enable Intents.guilds.",
                self.flavour.name,
            )


_COG_CLASSES: dict[str, type[typing.Any]] = {}


def cog_class(flavour: Flavour) -> type[typing.Any]:
    """The Cog class of ``flavour``'s library (built once per library)."""
    cached = _COG_CLASSES.get(flavour.name)
    if cached is not None:
        return cached
    commands = flavour.commands

    class SpamGuardCog(commands.Cog, name=COG_NAME):  # type: ignore[misc,name-defined,call-arg]
        """spamguard's anti-spam listeners; ``self.protection`` is the running protection."""

        def __init__(self, binding: ProtectionBinding) -> None:
            self.binding = binding
            self.protection = binding.protection

        @commands.Cog.listener("on_ready")  # type: ignore[untyped-decorator]
        async def spamguard_on_ready(self) -> None:
            await self.binding.on_ready()

        @commands.Cog.listener("on_message")  # type: ignore[untyped-decorator]
        async def spamguard_on_message(self, message: typing.Any) -> None:
            await self.binding.on_message(message)

        @commands.Cog.listener("on_raw_message_edit")  # type: ignore[untyped-decorator]
        async def spamguard_on_raw_message_edit(self, event: typing.Any) -> None:
            await self.binding.on_raw_message_edit(event)

        @commands.Cog.listener(flavour.automod_event)  # type: ignore[untyped-decorator]
        async def spamguard_on_automod_execution(self, execution: typing.Any) -> None:
            await self.binding.on_automod_execution(execution)

        @commands.Cog.listener("on_guild_available")  # type: ignore[untyped-decorator]
        async def spamguard_on_guild_available(self, guild: typing.Any) -> None:
            await self.binding.sync_automod(guild.id)

        @commands.Cog.listener("on_guild_join")  # type: ignore[untyped-decorator]
        async def spamguard_on_guild_join(self, guild: typing.Any) -> None:
            await self.binding.sync_automod(guild.id)

        def cog_unload(self) -> None:
            self.binding.unload()

    SpamGuardCog.__qualname__ = SpamGuardCog.__name__ = f"SpamGuardCog[{flavour.name}]"
    # The libraries remove an extension's Cogs by their class's module on
    # unload_extension: the Cog belongs to the adapter module that is the extension.
    SpamGuardCog.__module__ = f"spamguard.adapters.{flavour.name}"
    _COG_CLASSES[flavour.name] = SpamGuardCog
    return SpamGuardCog


# -- entry points ------------------------------------------------------------------------------


def _attach(
    flavour: Flavour,
    bot: typing.Any,
    *,
    policy: Policy | str | os.PathLike[str] | None,
    store: Store | None,
    plugins: Iterable[object],
    action_timeout: float,
    options: Mapping[str, typing.Any],
) -> Protection:
    # The named parameters took the other options: what is left must be the runtime's or
    # the guard's, and the error lists (and suggests) every option attach takes.
    check_options(options, AttachOptions.__optional_keys__)
    if not all(callable(getattr(bot, name, None)) for name in ("add_cog", "get_cog", "remove_cog")):
        msg = (
            f"spamguard's {flavour.name} adapter needs a bot that holds Cogs "
            f"({flavour.name}.ext.commands.Bot or similar), got {type(bot).__qualname__}"
        )
        raise UnsupportedBotError(msg)
    if bot.get_cog(COG_NAME) is not None:
        msg = (
            "spamguard is already attached to this bot; detach() it (or unload the extension) first"
        )
        raise AlreadyAttachedError(msg)
    guard_options: dict[str, typing.Any] = {
        key: value for key, value in options.items() if key in _GUARD_OPTIONS
    }
    runtime_options: dict[str, typing.Any] = {
        key: value for key, value in options.items() if key in _RUNTIME_OPTIONS
    }
    # Installed extensions (entry-point group ``spamguard``) join, as with every adapter.
    guard_options.setdefault("load_entrypoints", True)
    guard = Guard(load_policy(policy), plugins=plugins, self_id=_self_id(bot), **guard_options)
    # One clock for the runtime and the executor, so a test clock moves both.
    runtime_options.setdefault("clock", _utcnow)
    executor = DpyExecutor(
        flavour, bot, clock=runtime_options["clock"], lookup_timeout=action_timeout
    )
    runtime = Runtime(
        guard, executor, store=store, action_timeout=action_timeout, **runtime_options
    )
    binding = ProtectionBinding(flavour, bot, runtime)
    binding.cog = cog_class(flavour)(binding)
    bot.add_cog(binding.cog)
    binding.start_soon()
    return binding.protection
