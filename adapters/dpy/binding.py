"""Binding a discord.py, nextcord or disnake bot to the runtime: the Cog, its listeners,
attach.

- a Cog (:func:`cog_class`) listens to ``on_message``, ``on_raw_message_edit`` (raw, so
  edits of messages the library did not cache are seen too), the library's AutoMod
  execution event, ``on_member_join`` and ``on_raw_member_remove``, converts each into
  core values (:mod:`spamguard.adapters.dpy.convert`, :mod:`spamguard.adapters.dpy.members`)
  and hands them to the shared :class:`~spamguard.adapters.runtime.Runtime`; when a guild
  becomes available or is joined, its native AutoMod rules are brought in line with the
  policy's ``automod:`` section (:mod:`spamguard.adapters.dpy.automod`);
- the runtime starts with ``on_ready`` or the first event (at once when attached to a
  ready bot) and stops when the Cog is removed: on ``unload_extension``, ``bot.close()``
  or :meth:`~spamguard.adapters.runtime.Protection.detach`;
- the shards the bot runs are read from the library (:mod:`spamguard.adapters.dpy.shards`)
  and a shard that disconnects has its guilds let go of by the store.

discord.py's ``add_cog`` and ``remove_cog`` are coroutines, nextcord's and disnake's plain
methods: :meth:`ProtectionBinding.add_now`, :meth:`ProtectionBinding.add` and
:meth:`ProtectionBinding.detach` take either. The Cog itself is in
:mod:`spamguard.adapters.dpy.cog`.
"""

from __future__ import annotations

__all__ = (
    "AlreadyAttachedError",
    "ProtectionBinding",
    "UnsupportedBotError",
    "bind",
    "compat_bridge",
)

import asyncio
import contextlib
import inspect
import logging
import typing

from spamguard.adapters import AttachOptions, check_options
from spamguard.adapters.dpy.automod import automod_execution_from_event, fetch_rules
from spamguard.adapters.dpy.cog import COG_NAME, cog_class, finish_now
from spamguard.adapters.dpy.convert import message_from_raw_edit, to_core_message
from spamguard.adapters.dpy.execute import DpyExecutor, bot_user_id
from spamguard.adapters.dpy.forwards import KeptSnapshots, snapshot_check
from spamguard.adapters.dpy.members import join_from_member, leave_from_raw, member_checks
from spamguard.adapters.dpy.parsers import PayloadChecks
from spamguard.adapters.dpy.shards import is_auto_sharded, ownership
from spamguard.adapters.runtime import (
    CompatBridge,
    Protection,
    Runtime,
    StartOnce,
    build_runtime,
)
from spamguard.adapters.runtime import compat_bridge as _bridge
from spamguard.core.errors import SpamguardError

if typing.TYPE_CHECKING:
    import datetime
    import os
    from collections.abc import Callable, Iterable, Mapping

    from spamguard.adapters.dpy.flavour import Flavour
    from spamguard.adapters.runtime.hierarchy import RecentMembers
    from spamguard.adapters.runtime.protection import ExecutorFactory
    from spamguard.adapters.stores.base import Store
    from spamguard.core.engine import Guard
    from spamguard.core.messages import Message
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.policy import Policy

_LOGGER = logging.getLogger("spamguard.adapters.dpy")


class UnsupportedBotError(SpamguardError, TypeError):
    """The object given to ``attach`` cannot hold a Cog (it is not a ``commands`` bot)."""


class AlreadyAttachedError(SpamguardError, RuntimeError):
    """spamguard is already protecting this bot."""


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
        self.starter = StartOnce(runtime, self._prepare)
        """Starts the runtime once; closed once the Cog is removed."""
        self._stop: asyncio.Task[None] | None = None
        self._warned: set[str] = set()
        self.kept_snapshots = None if flavour.snapshot_attribute else KeptSnapshots()
        """Forwards' snapshots, where the library drops them (nextcord 2.6)."""
        checks = {"MESSAGE_CREATE": snapshot_check(self.kept_snapshots), **member_checks(bot)}
        self.payload_checks = PayloadChecks(bot, self._malformed_payload, checks)
        """Drops (and counts) member events and forwards' snapshots the library's parsers
        would choke on."""

    # -- life cycle ------------------------------------------------------------------------

    def add_now(self) -> None:
        """Add the Cog before returning (``attach`` is synchronous: :func:`finish_now`
        completes discord.py's ``add_cog`` coroutine), then :meth:`start_soon`."""
        finish_now(self.bot.add_cog(self.cog), f"{self.flavour.title}'s add_cog")
        self.payload_checks.install()
        self.start_soon()

    async def add(self) -> None:
        """Add the Cog, awaiting ``add_cog`` where it is a coroutine (an awaited
        extension ``setup``), then :meth:`start_soon`."""
        added = self.bot.add_cog(self.cog)
        if inspect.isawaitable(added):
            await added
        self.payload_checks.install()
        self.start_soon()

    def start_soon(self) -> None:
        """Start the runtime now if the bot is ready (else with ``on_ready`` or the first
        event): scheduled actions due at start-up need a logged-in HTTP client."""
        if self.bot.is_ready():
            self.starter.start_soon()

    def _prepare(self) -> None:
        self._learn_self_id()
        self._check_intents()
        # Right before the start: the store holds no guild yet, nothing to let go of.
        self.runtime.shard_watch.ownership = ownership(self.flavour, self.bot)

    async def ensure_started(self) -> bool:
        """Start the runtime once (concurrent callers wait for the same start); False once
        unloaded (a listener already running when the Cog was removed does nothing)."""
        if not await self.starter.ready():
            return False
        self._learn_self_id()
        return True

    def _learn_self_id(self) -> None:
        if self.runtime.guard.self_id is None:
            self.runtime.guard.self_id = bot_user_id(self.bot)

    def _check_intents(self) -> None:
        intents = self.bot.intents
        if not intents.guilds:
            self._warn_once(
                "guilds",
                "spamguard: the GUILDS intent is off, so %s caches no guild: guild messages "
                "are not checked. Enable Intents.guilds.",
                self.flavour.title,
            )
        if not intents.message_content:
            self._warn_once(
                "message_content",
                "spamguard: the message content intent is off: content checks (duplicates, "
                "links, mentions in text...) see empty messages. Enable Intents.message_content.",
            )
        if not intents.members:
            self._warn_once(
                "members",
                "spamguard: the members intent is off, so member joins and leaves never "
                "arrive: new_members rules see only account ages and join raids go "
                "unnoticed. Enable Intents.members (privileged: also in the Developer Portal).",
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

    def _malformed_payload(self, event_name: str, problem: str) -> None:
        self.runtime.stats.malformed += 1
        _LOGGER.warning("spamguard dropped malformed data of a %s event: %s", event_name, problem)

    def unload(self) -> None:
        """Stop the runtime (from the Cog's synchronous ``cog_unload``)."""
        self.payload_checks.uninstall()
        self.starter.closed = True
        start = self.starter.forget()
        if start is None or self._stop is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop left to stop in (the bot's loop is gone); nothing can run any more.
            return
        self._stop = loop.create_task(self._run_stop(start), name="spamguard-stop")

    async def _run_stop(self, start: asyncio.Task[None]) -> None:
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
            removed = self.bot.remove_cog(self.cog.qualified_name)
            if inspect.isawaitable(removed):
                # discord.py: a coroutine, which calls cog_unload (so unload) on its way.
                await removed
        else:
            self.unload()
        if self._stop is not None:
            await self._stop

    # -- events ----------------------------------------------------------------------------

    async def on_ready(self) -> None:
        """Start the runtime (and so the scheduler) as soon as the bot is ready; note the
        shards it runs (the store lets go of the guilds of shards it no longer runs)."""
        if await self.ensure_started():
            await self.runtime.shard_watch.own(ownership(self.flavour, self.bot))

    async def on_shard_disconnect(self, shard_id: int) -> None:
        """A shard of an auto-sharded bot disconnected: the store lets go of its guilds
        (another process may take them over; they load again if the shard comes back)."""
        await self.runtime.shard_lost(shard_id, ownership(self.flavour, self.bot).shard_count)

    async def on_disconnect(self) -> None:
        """A plain (not auto-sharded) bot disconnected: the store lets go of the guilds of
        its one shard (every guild, when it is not sharded)."""
        if is_auto_sharded(self.flavour, self.bot):
            return  # on_shard_disconnect names the shard
        shards = ownership(self.flavour, self.bot)
        for shard_id in shards.shard_ids:
            await self.runtime.shard_lost(shard_id, shards.shard_count)

    async def on_message(self, message: typing.Any) -> None:
        """Decide a new message and carry its plan out."""
        if not await self.ensure_started():
            return
        self._note_uncached_guild(message)
        await self.runtime.handle_event(
            lambda: to_core_message(self.flavour, message, self.kept_snapshots)
        )

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
        await self.runtime.handle_automod_event(
            lambda at: automod_execution_from_event(execution, library=self.flavour.name, at=at)
        )

    async def on_member_join(self, member: typing.Any) -> None:
        """Decide a member's join and carry its plan out."""
        if not await self.ensure_started():
            return
        await self.runtime.handle_member_event(lambda at: join_from_member(member, at=at))

    async def on_raw_member_remove(self, event: typing.Any) -> None:
        """Record a member's leave, kick or ban (raw: whether or not the member was cached)."""
        if not await self.ensure_started():
            return
        await self.runtime.handle_member_event(lambda at: leave_from_raw(event, at=at))

    async def sync_automod(self, guild_id: int) -> tuple[ActionOutcome, ...]:
        """Make the guild's native AutoMod rules match the policy's ``automod:`` section:
        create, edit and delete only the rules spamguard owns; a second run changes
        nothing. Called when a guild becomes available or is joined; never raises."""
        if not await self.ensure_started():
            return ()
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
                self.flavour.title,
            )


# -- entry points ------------------------------------------------------------------------------


def _executor_for(
    flavour: Flavour, bot: typing.Any, lookup_timeout: float | None
) -> ExecutorFactory:
    def executor(
        guard: Guard, clock: Callable[[], datetime.datetime], recent: RecentMembers
    ) -> DpyExecutor:
        return DpyExecutor(flavour, bot, clock=clock, recent=recent, lookup_timeout=lookup_timeout)

    return executor


def compat_bridge(flavour: Flavour, bot: typing.Any, guard: Guard) -> CompatBridge:
    """What :class:`spamguard.contrib.antispam.AntiSpamHandler` uses to carry its plans
    out on ``bot``: the library's messages in, real HTTP calls out."""
    return _bridge(
        guard,
        _executor_for(flavour, bot, None),
        lambda message: to_core_message(flavour, message),
    )


def bind(
    flavour: Flavour,
    bot: typing.Any,
    *,
    policy: Policy | str | os.PathLike[str] | None = None,
    store: Store | None = None,
    plugins: Iterable[object] = (),
    action_timeout: float | None = None,
    options: Mapping[str, typing.Any] | None = None,
) -> ProtectionBinding:
    """The binding of ``bot`` to a new runtime, its Cog built but not added yet
    (:meth:`ProtectionBinding.add_now` or :meth:`ProtectionBinding.add` adds it):
    what :meth:`Flavour.attach <spamguard.adapters.dpy.flavour.Flavour.attach>` and the
    extensions' ``setup`` share."""
    options = options or {}
    # The named parameters took the other options: what is left must be the runtime's or
    # the guard's, and the error lists (and suggests) every option attach takes.
    check_options(options, AttachOptions.__optional_keys__)
    if not all(callable(getattr(bot, name, None)) for name in ("add_cog", "get_cog", "remove_cog")):
        msg = (
            f"spamguard's {flavour.title} adapter needs a bot that holds Cogs "
            f"({flavour.name}.ext.commands.Bot or similar), got {type(bot).__qualname__}"
        )
        raise UnsupportedBotError(msg)
    if bot.get_cog(COG_NAME) is not None:
        msg = (
            "spamguard is already attached to this bot; detach() it (or unload the extension) first"
        )
        raise AlreadyAttachedError(msg)
    runtime = build_runtime(
        _executor_for(flavour, bot, action_timeout),
        policy=policy,
        plugins=plugins,
        self_id=bot_user_id(bot),
        store=store,
        action_timeout=action_timeout,
        options=options,
    )
    binding = ProtectionBinding(flavour, bot, runtime)
    binding.cog = cog_class(flavour)(binding)
    return binding
