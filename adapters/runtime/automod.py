"""Discord's native AutoMod, for every library: executions counted once, rules kept in sync.

Each adapter only lists a guild's rules and turns its library's execution event into the
core's :class:`~spamguard.core.events.AutomodExecution`; the runtime does the rest here:

- :class:`RepeatFilter`: Discord sends one execution event per action of the rule that
  triggered (block, alert, timeout); executions alike within :data:`AUTOMOD_REPEAT_WINDOW`
  count once;
- :class:`RuleSync`: a guild's rules brought in line with the policy's ``automod:``
  section (:func:`~spamguard.core.policy.automod.diff_rules`), one sync per guild at a time (a
  guild can come back, after an outage or a reconnect, while its last sync still runs),
  also across processes sharing a store (``Store.exclusive``: a shard moving between
  processes, or two processes starting together, would otherwise list the rules at once
  and create each twice). A sync is idempotent one after the other: the next one finds
  the rules by name and changes nothing.
"""

from __future__ import annotations

__all__ = ("AUTOMOD_REPEAT_WINDOW", "FetchRules", "RepeatFilter", "RuleSync")

import asyncio
import datetime
import logging
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence

from spamguard.core.policy.automod import diff_rules

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.events import AutomodExecution
    from spamguard.core.outcomes import ActionOutcome

_LOGGER = logging.getLogger("spamguard.runtime")

AUTOMOD_REPEAT_WINDOW = datetime.timedelta(seconds=10)
"""Discord sends one AutoMod execution event per action of the rule that triggered (block,
alert, timeout): executions alike within this window count once."""

FetchRules = Callable[[], Awaitable[Sequence[Mapping[str, typing.Any]]]]
"""Lists a guild's AutoMod rules as Discord's JSON (the library's one request)."""


class RepeatFilter:
    """Tells the first execution of a trigger from the events of its other actions."""

    def __init__(self, window: datetime.timedelta = AUTOMOD_REPEAT_WINDOW) -> None:
        self.window = window
        self._seen: dict[tuple[typing.Any, ...], datetime.datetime] = {}

    def repeated(self, execution: AutomodExecution) -> bool:
        """Whether an execution alike (guild, member, rule, message, content) was seen
        within the window; remembers this one otherwise."""
        seen = self._seen
        horizon = execution.at - self.window
        for old in [key for key, at in seen.items() if at <= horizon]:
            del seen[old]
        key = (
            execution.guild_id,
            execution.user_id,
            execution.rule_id,
            execution.message_id,
            execution.content,
        )
        if key in seen:
            return True
        seen[key] = execution.at
        return False


class RuleSync:
    """Makes guilds' native AutoMod rules match the policy, through a runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._locks: dict[int, asyncio.Lock] = {}

    async def sync(self, guild_id: int, fetch_rules: FetchRules) -> tuple[ActionOutcome, ...]:
        """See :meth:`Runtime.sync_automod <spamguard.adapters.runtime.Runtime.sync_automod>`."""
        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock, self.runtime.store.exclusive(guild_id, "automod") as ours:
            if not ours:  # another process syncs this guild now: the same rules
                return ()
            return await self._sync(guild_id, fetch_rules)

    async def _sync(self, guild_id: int, fetch_rules: FetchRules) -> tuple[ActionOutcome, ...]:
        runtime = self.runtime
        policy = runtime.guard.policy_for(guild_id)
        if policy.automod is None:
            return ()
        try:
            existing = await fetch_rules()
        except Exception as error:
            runtime.stats.errors += 1
            _LOGGER.warning(
                "spamguard could not list AutoMod rules of guild %s: %s", guild_id, error
            )
            return ()
        changes = diff_rules(policy.automod, existing, guild_id=guild_id)
        return tuple(
            [
                await runtime.run_action(change, guild_id=guild_id, dry_run=policy.dry_run)
                for change in changes
            ]
        )
