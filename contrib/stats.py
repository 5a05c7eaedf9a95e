"""Statistics: per guild, the checks that fired and the actions planned and carried out.

Needs no settings: it counts in every guild that does not list ``stats`` in its
``disabled_extensions``. The entry point registers one process-wide :data:`plugin`; a bot
with several guards that wants separate counters passes its own ``Stats()`` to each
(``Guard(policy, plugins=[Stats()])``), which replaces the installed one.

    stats = spamguard.contrib.stats.plugin
    stats.for_guild(guild_id).checks["max_duplicates"]
    json.dumps(stats.to_dict())
"""

from __future__ import annotations

__all__ = ("GuildStats", "Stats", "plugin")

import collections
import dataclasses
import typing

from spamguard.core.hookspecs import hookimpl

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.events import AutomodExecution
    from spamguard.core.messages import MessageLike
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan

NAME = "stats"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GuildStats:
    """One guild's counters (a copy; later events do not change it)."""

    messages: int = 0
    """Messages checked (skipped ones are not counted)."""
    checks: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Violations by check name (built-in and plugin checks alike)."""
    punishments: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Punishments decided, by name (WARN, TIMEOUT, KICK...)."""
    planned: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Actions in plans, by kind (delete, send, timeout...)."""
    succeeded: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Actions an adapter carried out, by kind."""
    failed: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Actions an adapter could not carry out, by kind."""
    failures: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Failed actions by failure kind (forbidden, not_found, ...)."""
    dry_run: int = 0
    """Actions reported but not carried out (dry-run policies)."""
    automod_executions: int = 0
    """Discord AutoMod executions reported by the adapter."""

    def to_dict(self) -> dict[str, typing.Any]:
        """A JSON-serialisable form."""
        data: dict[str, typing.Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            data[field.name] = dict(value) if isinstance(value, dict) else value
        return data


class _Counters:
    __slots__ = (
        "automod_executions",
        "checks",
        "dry_run",
        "failed",
        "failures",
        "messages",
        "planned",
        "punishments",
        "succeeded",
    )

    def __init__(self) -> None:
        self.messages = 0
        self.dry_run = 0
        self.automod_executions = 0
        self.checks: collections.Counter[str] = collections.Counter()
        self.punishments: collections.Counter[str] = collections.Counter()
        self.planned: collections.Counter[str] = collections.Counter()
        self.succeeded: collections.Counter[str] = collections.Counter()
        self.failed: collections.Counter[str] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()

    def freeze(self) -> GuildStats:
        return GuildStats(
            messages=self.messages,
            checks=dict(self.checks),
            punishments=dict(self.punishments),
            planned=dict(self.planned),
            succeeded=dict(self.succeeded),
            failed=dict(self.failed),
            failures=dict(self.failures),
            dry_run=self.dry_run,
            automod_executions=self.automod_executions,
        )


class Stats:
    """The ``stats`` extension (a pluggy plugin, registered by entry point).

    Counters are kept per guild id (``0`` for events without a guild).
    """

    name: typing.ClassVar[str] = NAME

    def __init__(self) -> None:
        self._guilds: dict[int, _Counters] = {}

    def _counters(self, guild_id: int | None) -> _Counters:
        key = guild_id or 0
        counters = self._guilds.get(key)
        if counters is None:
            counters = self._guilds[key] = _Counters()
        return counters

    @hookimpl(trylast=True)
    def spamguard_after_invoke(self, message: MessageLike, plan: Plan) -> None:
        # trylast: count the plan as the other plugins left it.
        counters = self._counters(plan.guild_id)
        counters.messages += 1
        for violation in plan.violations:
            counters.checks[violation.check] += 1
        if plan.punishment != "NONE":
            counters.punishments[plan.punishment] += 1
        for action in plan.actions:
            counters.planned[action.kind] += 1

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        counters = self._counters(outcome.guild_id)
        kind = outcome.action.kind
        if outcome.dry_run:
            counters.dry_run += 1
        elif outcome.ok:
            counters.succeeded[kind] += 1
        else:
            counters.failed[kind] += 1
            counters.failures[str(outcome.failure or "error")] += 1

    @hookimpl
    def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
        self._counters(execution.guild_id).automod_executions += 1

    def guild_ids(self) -> tuple[int, ...]:
        """The guilds with counters, in first-seen order."""
        return tuple(self._guilds)

    def for_guild(self, guild_id: int) -> GuildStats:
        """A copy of one guild's counters (zeros for a guild never seen)."""
        counters = self._guilds.get(guild_id)
        return GuildStats() if counters is None else counters.freeze()

    def to_dict(self) -> dict[str, dict[str, typing.Any]]:
        """Every guild's counters as JSON-serialisable data, keyed by guild id as text."""
        return {str(guild_id): c.freeze().to_dict() for guild_id, c in self._guilds.items()}

    def reset(self, guild_id: int | None = None) -> None:
        """Forget one guild's counters, or every guild's."""
        if guild_id is None:
            self._guilds.clear()
        else:
            self._guilds.pop(guild_id, None)


plugin = Stats()
"""The process-wide instance the ``stats`` entry point registers."""
