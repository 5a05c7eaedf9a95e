"""The :class:`Guard`: events in, :class:`~spamguard.core.plan.Plan` out.

The guard is synchronous and deterministic: its only clock is the event's time (a
message's ``created_at``, or ``now=``), its only inputs the policy, its
:class:`~spamguard.core.engine.state.GuardState` and the event. It never performs an
action; adapters carry plans out.

How one message is decided (``deciding``, then the modules of :mod:`spamguard.core.engine`
named below, in order):

1. exemptions (DMs, the bot itself, bots, ignored ids, owner/admins) and plugin vetoes
   give a plan with a ``skipped_reason`` (``compiled_policy``); a redelivered message (same
   id, same content) is skipped, an edited one (same id, new content) replaces its
   contribution (both among the member's newest
   :data:`~spamguard.core.engine.members.MAX_RECENT` messages);
2. the message is added to the windows of every check the guild's policy uses, and each
   rule that applies to the member (Rowboat's levels and roles) runs the checks reading
   them: a check fires when the total in its window reaches its ``count`` and this
   message adds to it (``counting``); plugin checks add their violations;
3. the first violation opens an *incident*: the member is punished (the most severe
   punishment asked for, and the escalation ladder's step when configured). While the
   incident is open (``incident_window`` seconds after the last violation) further
   violations only clean, unless they ask for a strictly more severe punishment
   (``incidents``);
4. ``clean`` deletes exactly the messages that made up the violations (and the one that
   triggered them), newest ``clean_count`` within ``clean_duration``, never twice
   (``cleaning``).
"""

from __future__ import annotations

__all__ = ("Guard",)

import dataclasses
import typing

from spamguard.core.engine import guild_state, incidents, joins, timers
from spamguard.core.engine.compiled_policy import CompiledPolicy, check_window_key
from spamguard.core.engine.deciding import HookUse, decide_message
from spamguard.core.engine.state import PRUNE_EVERY, GuardState
from spamguard.core.events import (
    AutomodExecution,
    GuildTimer,
    MemberJoin,
    MemberLeave,
    MemberPardon,
    MessageEdit,
)
from spamguard.core.messages import Message, check_time
from spamguard.core.plan import Plan, ScheduledAction, check_run_at
from spamguard.core.plugin_manager import get_plugin_manager, plugin_name
from spamguard.core.plugins import Hooks

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterable, Mapping

    import pluggy

    from spamguard.core.engine.state import Footprint, WindowKey
    from spamguard.core.events import Event
    from spamguard.core.messages import MessageLike
    from spamguard.core.policy import CheckConfig, GuildPolicy, Policy, RuleConfig, Scope

_PRUNE_SPACING: typing.Final = 4
"""Messages between sweeps per window and member kept (see PRUNE_EVERY)."""


class Guard:
    """Decides, event by event, what to do about spam in the guilds of a policy.

    Args:
        policy: what the guilds allow.
        plugins: plugin objects to register (see :mod:`spamguard.core.hookspecs`).
        plugin_manager: a ready plugin manager instead (``plugins`` are added to it).
        load_entrypoints: load installed extensions (entry-point group ``spamguard``).
        self_id: the bot's own user id: its messages are always skipped.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        plugins: Iterable[object] = (),
        plugin_manager: pluggy.PluginManager | None = None,
        load_entrypoints: bool = False,
        self_id: int | None = None,
    ) -> None:
        self.policy = policy
        self.self_id = self_id
        if plugin_manager is None:
            plugin_manager = get_plugin_manager(plugins, load_entrypoints=load_entrypoints)
        else:
            for plugin in plugins:
                plugin_manager.register(plugin, name=plugin_name(plugin))
            plugin_manager.check_pending()
        # A lambda, not self.policy.for_guild: the policy may be replaced after construction.
        self.hooks = Hooks(plugin_manager, policy_for=lambda g: self.policy_for(g))  # noqa: PLW0108
        self.state = GuardState()
        """Everything the guard remembers (see :class:`GuardState`)."""
        self._compiled: dict[int, tuple[GuildPolicy, CompiledPolicy]] = {}
        # Guild id -> (the policy it was worked out from, the guild's dry-run override then,
        # its compiled guild policy).
        self._by_guild: dict[int | None, tuple[Policy, bool | None, CompiledPolicy]] = {}
        # A guild policy with a moderator's dry run: id of the policy's own -> (it, the
        # override, the overridden one), so the compiled cache sees one object per pair.
        self._overridden: dict[int, tuple[GuildPolicy, bool, GuildPolicy]] = {}
        self._refresh_hooks()
        # Plugins' own settings (policy.extensions) fail here, not on the first message.
        self.hooks.validate_policy(policy)

    # -- plugins -------------------------------------------------------------------------

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The plugin manager whose hooks this guard calls."""
        return self.hooks.pm

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object after construction (``name`` defaults to its ``name``
        attribute). On any error below the plugin is left unregistered.

        Raises:
            pluggy.PluginValidationError: an unknown hook, or a hook wrapper.
            PolicyError: the plugin rejects its settings in the policy.
            ValueError: a plugin of that name is registered already.
        """
        self.hooks.pm.register(plugin, name=name or plugin_name(plugin))
        try:
            self.hooks.pm.check_pending()
            self._refresh_hooks()
            self.hooks.validate_policy(self.policy)
        except Exception:
            self.hooks.pm.unregister(plugin)
            self._refresh_hooks()
            raise

    def unregister_plugin(self, plugin: object) -> None:
        """Remove a plugin registered before."""
        self.hooks.pm.unregister(plugin)
        self._refresh_hooks()

    def _refresh_hooks(self) -> None:
        self.hooks.invalidate()
        self._uses = HookUse(self.hooks)
        # Compiled policies hold the plugins' checks (spamguard_declare_needs).
        self._compiled.clear()
        self._by_guild.clear()

    # -- events --------------------------------------------------------------------------

    def handle(self, event: Event) -> Plan:
        """Decide what to do about one event: the one entry for every kind of event.

        A :class:`~spamguard.core.messages.Message` goes to :meth:`process`, a
        :class:`~spamguard.core.events.MessageEdit`'s message to :meth:`process` at the
        edit's time, an :class:`~spamguard.core.events.AutomodExecution` to
        :meth:`record_automod_execution`, a :class:`~spamguard.core.events.MemberJoin` or
        :class:`~spamguard.core.events.MemberLeave` to :mod:`~spamguard.core.engine.joins`, a
        :class:`~spamguard.core.events.GuildTimer` to :mod:`~spamguard.core.engine.timers`, a
        :class:`~spamguard.core.events.MemberPardon` to :meth:`pardon`.
        Each kind's handler is looked up in a table by
        the event's type (a subclass finds its base's).

        Raises:
            TypeError: not an event the guard knows.
        """
        for kind in type(event).__mro__:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                return handler(self, event)
        known = ", ".join(kind.__name__ for kind in _HANDLERS)
        msg = f"Guard.handle() takes one of {known}, got {type(event).__name__}"
        raise TypeError(msg)

    def _compile(self, policy: GuildPolicy) -> CompiledPolicy:
        cached = self._compiled.get(id(policy))
        if cached is None or cached[0] is not policy:
            cached = (policy, CompiledPolicy(policy, checks=self.hooks.message_checks(policy)))
            self._compiled[id(policy)] = cached
        return cached[1]

    def policy_for(self, guild_id: int | None) -> GuildPolicy:
        """The guild's policy as this guard applies it: the policy's, with ``dry_run`` as a
        moderator set it for the guild (:meth:`set_dry_run`)."""
        policy = self.policy.for_guild(guild_id)
        overrides = self.state.dry_run_overrides
        if not overrides or guild_id is None:
            return policy
        override = overrides.get(guild_id)
        if override is None or override == policy.dry_run:
            return policy
        cached = self._overridden.get(id(policy))
        if cached is None or cached[0] is not policy or cached[1] != override:
            cached = (policy, override, dataclasses.replace(policy, dry_run=override))
            self._overridden[id(policy)] = cached
        return cached[2]

    def dry_run_override(self, guild_id: int) -> bool | None:
        """Dry run as a moderator set it for the guild (:meth:`set_dry_run`), or None when
        the policy's ``dry_run`` applies."""
        return self.state.dry_run_overrides.get(guild_id)

    def set_dry_run(self, guild_id: int, on: bool | None) -> None:
        """Turn dry run on or off for one guild whatever the policy says (None: back to the
        policy's ``dry_run``). Kept in the guard's state: in its snapshot and in the guild's
        part, so it survives a restart and moves with the guild to another process."""
        if on is None:
            self.state.dry_run_overrides.pop(guild_id, None)
        else:
            self.state.dry_run_overrides[guild_id] = bool(on)

    def pardon(self, guild_id: int, user_id: int) -> bool:
        """Forgive a member: its escalation counters, its open incident (a dry-run ladder
        of it too) and the windows that count only its messages are forgotten, so the next
        message starts again from nothing. Scheduled undos stay (see
        :meth:`cancel_scheduled`). Returns whether the guard held anything of the member."""
        state = self.state
        held = state.member(guild_id, user_id) is not None
        dry = state.dry.get(guild_id)
        held = held or (dry is not None and user_id in dry.ladders)
        state.reset_member(guild_id, user_id)
        return state.forget_member_windows(guild_id, user_id) > 0 or held

    def process(self, message: MessageLike, *, now: datetime.datetime | None = None) -> Plan:
        """Decide what to do about ``message``.

        Args:
            message: the message (a :class:`~spamguard.core.messages.Message` or any
                :class:`~spamguard.core.messages.MessageLike`).
            now: the decision time; defaults to ``message.created_at``.

        Returns:
            The plan: actions to carry out now, the undos it proposes (kept by whoever
            carries the plan out, once their punishment succeeded), the violations and,
            for an unchecked message, why it was skipped.

        Raises:
            MessageError: ``now`` is naive or out of range (see
                :func:`~spamguard.core.messages.check_time`).
        """
        if now is not None:
            check_time("now", now)
        # The guild's policy is worked out once (CompiledPolicy); the state is swept
        # every few thousand messages; the decision itself is decide_message()'s.
        state = self.state
        guild_id = message.guild_id
        by_guild = self._by_guild.get(guild_id)
        overrides = state.dry_run_overrides
        override = overrides.get(guild_id) if overrides and guild_id is not None else None
        if by_guild is None or by_guild[0] is not self.policy or by_guild[1] != override:
            by_guild = self._by_guild[guild_id] = (
                self.policy,
                override,
                self._compile(self.policy_for(guild_id)),
            )
            if state.dry and guild_id is not None and not by_guild[2].policy.dry_run:
                state.dry.pop(guild_id, None)  # dry run has ended in this guild
        compiled = by_guild[2]
        state.processed += 1
        if state.processed >= state.next_prune:
            self._sweep(message.created_at if now is None else now)
        return decide_message(state, compiled, message, now, self.self_id, self._uses)

    def _sweep(self, now: datetime.datetime) -> None:
        # Every few thousand events (joins count too: a join flood alone must not grow
        # the state without end).
        state = self.state
        self.prune(now)
        state.next_prune = state.processed + max(
            PRUNE_EVERY, _PRUNE_SPACING * (len(state.windows) + len(state.members))
        )

    def count_event(self, now: datetime.datetime) -> None:
        """Count an event other than a message (a join), sweeping the state when due."""
        self.state.processed += 1
        if self.state.processed >= self.state.next_prune:
            self._sweep(now)

    def is_new_member(self, message: MessageLike, *, now: datetime.datetime | None = None) -> bool:
        """Whether ``message``'s author is a new member at ``now`` (default: its
        ``created_at``) under the guild's ``new_members``: what picks the rules that apply."""
        if message.guild_id is None:
            return False
        compiled = self._compile(self.policy_for(message.guild_id))
        when = message.created_at if now is None else now
        return compiled.is_new(self.state, message, when.timestamp())

    def record_automod_execution(self, execution: AutomodExecution) -> Plan:
        """Count a native AutoMod execution as a violation, when the policy says so.

        Returns the plan for it: empty unless the escalation ladder (or an open incident's
        upgrade) calls for a punishment. Plugins learn of the execution either way.
        """
        policy = self.policy_for(execution.guild_id)
        self.state.count(execution.guild_id, "automod_executions")
        if policy.automod_executions_count and execution.channel_id is not None:
            plan = incidents.automod_incident(self.state, policy, execution, self.self_id)
        else:
            plan = Plan(
                message_id=execution.message_id,
                guild_id=execution.guild_id,
                user_id=execution.user_id,
                channel_id=execution.channel_id,
                dry_run=policy.dry_run,
            )
        self.hooks.automod_execution(execution)
        return plan

    # -- scheduled actions -----------------------------------------------------------------

    def schedule(self, item: ScheduledAction) -> None:
        """Keep a scheduled action until it is due: an undo whose punishment succeeded
        (see :meth:`Plan.undos_of`), one restored from a store. The guard queues nothing by
        itself: its plans only propose undos.

        Raises:
            ScheduleError: ``item.run_at`` is timezone-naive.
        """
        check_run_at(item.run_at)
        self.state.schedule.add(item)

    def cancel_scheduled(self, guild_id: int, user_id: int) -> tuple[ScheduledAction, ...]:
        """Take out (and return, earliest first) the scheduled actions on one member: the
        unban or role removal that would undo its punishment."""
        return self.state.schedule.cancel(guild_id, user_id)

    def pending(self) -> tuple[ScheduledAction, ...]:
        """Scheduled actions not yet handed out, earliest first."""
        return self.state.schedule.pending()

    def next_due(self) -> datetime.datetime | None:
        """When the earliest scheduled action is due, or None."""
        return self.state.schedule.next_due()

    def pop_due(self, now: datetime.datetime) -> tuple[ScheduledAction, ...]:
        """Hand out (and forget) every scheduled action due at ``now``, earliest first."""
        return self.state.schedule.pop_due(now)

    # -- stats, members ----------------------------------------------------------------------

    def stats(self, guild_id: int | None = None) -> dict[str, int]:
        """Counters: ``messages``, ``incidents``, ``check:<name>``, ``action:<kind>``,
        ``skipped:<reason>``; for one guild, or summed over all."""
        return self.state.stats(guild_id)

    def member_counters(self, guild_id: int, user_id: int) -> dict[str, int]:
        """A member's escalation counters (zeros for an unknown member).

        In a guild whose policy is in dry run, those of the member's dry-run ladder: what
        the guild's next decision reads (the real ones until a dry-run incident).
        """
        dry_run = self.policy_for(guild_id).dry_run
        return self.state.member_counters(guild_id, user_id, dry_run=dry_run)

    def reset_member(
        self, guild_id: int, user_id: int, *, counters: Iterable[str] | None = None
    ) -> None:
        """Forget a member's escalation counters and open incident.

        ``counters`` resets only those (names as in :meth:`member_counters`, e.g.
        ``("warn_count",)``) and leaves the incident open. A dry-run ladder of the member
        is reset alike.

        Raises:
            ValueError: an unknown counter name.
        """
        self.state.reset_member(guild_id, user_id, counters)

    def prune(self, now: datetime.datetime) -> None:
        """Drop expired windows and idle members (called every few thousand messages)."""
        # From the policy, not from what was compiled so far: a guard restored from a
        # snapshot must keep the same history as the one that made it.
        longest = max(
            self._compile(guild).horizon
            for guild in (self.policy.base, *self.policy.guilds.values())
        )
        self.state.prune(now.timestamp(), longest, joins.joins_history(self.policy))

    # -- state as data -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, typing.Any]:
        """The whole state as JSON-serialisable data (see :meth:`GuardState.snapshot`)."""
        return self.state.snapshot()

    @classmethod
    def restore(
        cls, policy: Policy, snapshot: Mapping[str, typing.Any], **kwargs: typing.Any
    ) -> Guard:
        """A guard with ``policy`` and the state of a :meth:`snapshot`.

        ``kwargs`` are passed to the constructor (plugins, self_id, ...).

        Raises:
            SnapshotError: a snapshot of another version, or malformed (the message names
                the field, see :mod:`spamguard.core.engine.snapshot`).
        """
        state = GuardState.restore(snapshot)
        guard = cls(policy, **kwargs)
        guard.state = state
        return guard

    def load_snapshot(self, snapshot: Mapping[str, typing.Any]) -> None:
        """Replace this guard's state with a :meth:`snapshot`'s; policy and plugins stay.

        For a runtime (a state store) that builds its guard first and loads saved state
        into it at start-up.

        Raises:
            SnapshotError: a snapshot of another version, or malformed; the guard is then
                left unchanged.
        """
        self.state = GuardState.restore(snapshot)

    # -- one guild's part (a store keeping each guild in the process that owns it) -----------

    def guild_part(self, guild_id: int) -> dict[str, typing.Any]:
        """What the guard holds of one guild as plain data (:mod:`~spamguard.core.engine.guild_state`)."""
        return guild_state.guild_part(self.state, guild_id)

    def load_guild(self, guild_id: int, data: Mapping[str, typing.Any]) -> None:
        """Replace what the guard holds of one guild with a :meth:`guild_part`'s data.

        Raises:
            SnapshotError: malformed data (naming the field); the guard is left unchanged.
        """
        guild_state.load_guild(self.state, guild_id, data)

    def drop_guild(self, guild_id: int) -> None:
        """Forget what the guard holds of one guild (its scheduled actions stay)."""
        guild_state.drop_guild(self.state, guild_id)

    def held_guilds(self) -> set[int]:
        """The guilds the guard holds anything of."""
        return guild_state.held_guilds(self.state)

    # -- slices of state (a store shared by processes) ------------------------------------

    def window_key(
        self, rule: RuleConfig, check: CheckConfig, message: MessageLike
    ) -> WindowKey | None:
        """The key of the window ``check`` of ``rule`` counts ``message`` in (see
        :meth:`GuardState.window`), or None in a channel the check leaves out
        (``channel_whitelist``)."""
        return check_window_key(rule, check, message)

    def windows_of(self, message: MessageLike) -> tuple[tuple[WindowKey, Scope, float, bool], ...]:
        """The built-in checks' windows ``message`` counts in, as ``(key, scope, horizon,
        is_text)``: what a shared store loads to decide it (see :meth:`footprint`)."""
        compiled = self._compile(self.policy_for(message.guild_id))
        return tuple(
            (spec.key, spec.scope, spec.horizon, spec.text) for spec in compiled.windows_of(message)
        )

    def footprint(self, message: MessageLike) -> Footprint | None:
        """What ``message``'s decision reads, or None when it is decided without any state.

        None means the guard skips the message before looking at state (a DM, the bot
        itself, an ignored author or place, an exempt member, no rule for the member): the
        caller can call :meth:`process` directly, with no store round trip.
        """
        if message.guild_id is None:
            return None
        compiled = self._compile(self.policy_for(message.guild_id))
        return compiled.footprint(message, self.self_id)

    def process_slice(
        self,
        message: MessageLike,
        part: Mapping[str, typing.Any],
        *,
        now: datetime.datetime | None = None,
    ) -> tuple[Plan, dict[str, typing.Any]]:
        """Decide ``message`` as if ``part`` were the whole of its :meth:`footprint`.

        For a store shared by processes (Redis): it loads the footprint's part of the
        state (:meth:`GuardState.slice`'s format; missing parts are empty), the guard
        decides on it in place of its own (:meth:`GuardState.exchange`) and hands it back
        as the message left it, for the store to save. The guard's policy, plugins, their
        windows, counters (``stats()``) and dry run are its own. A decision schedules
        nothing: its plan only proposes undos.

        Returns:
            The plan, and the footprint after the decision (``{}`` for a message decided
            without state): every window of the footprint (possibly empty), the member
            (if it exists) and every clean mark.

        Raises:
            SnapshotError: ``part`` is malformed (the guard is then left unchanged).
        """
        spot = self.footprint(message)
        if spot is None:
            return self.process(message, now=now), {}
        loaded = GuardState.from_slice(part)
        own = self.state.exchange(spot, loaded)
        try:
            plan = self.process(message, now=now)
        finally:
            after = self.state.exchange(spot, own)
        return plan, after.slice(spot)


def _edited(guard: Guard, edit: MessageEdit) -> Plan:
    return guard.process(edit.message, now=edit.edited_at)


def _pardoned(guard: Guard, pardon: MemberPardon) -> Plan:
    check_time("at", pardon.at)
    guard.pardon(pardon.guild_id, pardon.user_id)
    return Plan(
        guild_id=pardon.guild_id,
        user_id=pardon.user_id,
        dry_run=guard.policy_for(pardon.guild_id).dry_run,
    )


_HANDLERS: Mapping[type, Callable[[Guard, typing.Any], Plan]] = {
    Message: Guard.process,
    MessageEdit: _edited,
    AutomodExecution: Guard.record_automod_execution,
    MemberJoin: joins.handle_member_event,
    MemberLeave: joins.handle_member_event,
    GuildTimer: timers.handle_guild_timer,
    MemberPardon: _pardoned,
}
"""Event type -> what :meth:`Guard.handle` does with it."""
