"""Carrying a plan out: the order of its work, and each action's outcome.

- A plan's punishments and notices run one after the other, in the plan's order, sent to
  the library at once: they wait behind its own rate-limit handling, with no deadline
  unless the runtime's ``action_timeout`` sets one (Discord still accepts an action after
  a rate limit, so none is abandoned for being slow).
- Its deletions go to the runtime's
  :class:`~spamguard.adapters.runtime.deletions.DeletionQueue` at once and are awaited
  last: they gather per channel into as few bulk deletes as possible and never hold a
  punishment up (a timed-out member stops posting: fewer messages to delete).
- A failure (classified into a :class:`~spamguard.core.outcomes.FailureKind`) is logged,
  counted and reported through the ``spamguard_report_outcome`` hook, triggers the plan's
  "failed to punish" notices when it was a punishment, and never stops the next action.
- An action whose precondition no longer holds (the lift of a lockdown a moderator
  changed: ``SetIncidentActions.only_if_unchanged``) is not sent: the executor raises
  :class:`ActionSkipped` and the outcome is ``ok`` with ``skipped=True`` and the reason as
  ``detail`` (nothing failed, nothing to retry or warn about).
- The undo of a temporary punishment (unban, role removal) is handed to the store only
  once that punishment succeeded, due its whole duration after the punishment completed;
  a refused or failed punishment has no undo.
"""

from __future__ import annotations

__all__ = ("PUNISHMENT_KINDS", "ActionExecutor", "ActionSkipped", "Execution")

import asyncio
import datetime
import logging
import typing

from spamguard.adapters.runtime.deletions import DeletionDropped
from spamguard.adapters.runtime.requests import ActionSkipped
from spamguard.core.actions import DeleteMessages, SendMessage
from spamguard.core.outcomes import ActionOutcome, FailureKind
from spamguard.core.plan import ScheduledAction

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime
    from spamguard.core.actions import Action
    from spamguard.core.plan import Plan
    from spamguard.core.policy.automod import AutomodChange

_LOGGER = logging.getLogger("spamguard.runtime")

PUNISHMENT_KINDS = frozenset({"timeout", "add_role", "kick", "ban"})
"""Action kinds whose failure sends the plan's ``on_failure`` notices."""


class ActionExecutor(typing.Protocol):
    """One library's way of carrying out actions (implemented by each adapter)."""

    async def refuse(self, action: Action | AutomodChange) -> str | None:
        """A reason not to attempt ``action`` (the target is the owner, an administrator,
        or not below the bot's top role), or None to go ahead."""

    async def execute(self, action: Action | AutomodChange) -> int | None:
        """Carry ``action`` out with the library; return the id of a message it created
        (for :class:`SendMessage`), else None. Raise the library's own errors, or
        :class:`ActionSkipped` when a precondition of the action no longer holds."""

    def classify(self, error: BaseException) -> FailureKind:
        """Map one of the library's exceptions to a failure kind."""


class Execution:
    """Carries one runtime's plans out with its executor (created by the runtime)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def carry_out(self, plan: Plan) -> tuple[ActionOutcome, ...]:
        """Carry out a plan's actions; keep the undo of each punishment that succeeded (due
        its duration after the punishment completed) and the plan's other scheduled
        actions.

        Deletions go to the deletion queue at once and are awaited last; the other actions
        run one after the other, in the plan's order. Outcomes come in the plan's order.
        """
        if not plan:
            return ()
        self.runtime.stats.plans += 1
        outcomes: list[ActionOutcome] = []
        failed: list[ActionOutcome] = []
        # Deletions wait for their channel's next request; punishments must not wait
        # behind them (a timed-out member stops posting: fewer messages to delete).
        # A dry run sends nothing: its outcomes are reported in the plan's order.
        deletions = {
            index: asyncio.ensure_future(self.run_action(action, guild_id=plan.guild_id))
            for index, action in enumerate(plan.actions)
            if isinstance(action, DeleteMessages) and not plan.dry_run
        }
        by_index: dict[int, ActionOutcome] = {}
        for index, action in enumerate(plan.actions):
            if index in deletions:
                continue
            outcome = await self.run_action(action, guild_id=plan.guild_id, dry_run=plan.dry_run)
            by_index[index] = outcome
            if not outcome.ok:
                if action.kind in PUNISHMENT_KINDS:
                    failed.append(outcome)
            elif plan.scheduled and not plan.dry_run:
                undos = plan.undos_of(action, outcome.at or self.runtime.clock())
                if undos:
                    await self.runtime.schedule(undos)
        for index, deletion in deletions.items():
            by_index[index] = await deletion
        outcomes.extend(by_index[index] for index in range(len(plan.actions)))
        if failed:
            if not plan.on_failure:
                # The channel notice is opt-in (notices.failed_in_channel): say it here.
                _LOGGER.warning(
                    "spamguard could not punish member %s of guild %s (%s): %s",
                    plan.user_id,
                    plan.guild_id,
                    plan.punishment,
                    "; ".join(f"{o.action.kind} ({o.failure}): {o.detail}" for o in failed),
                )
            for notice in plan.on_failure:
                outcomes.append(
                    await self.run_action(notice, guild_id=plan.guild_id, dry_run=plan.dry_run)
                )
        unconditional = plan.unconditional()
        if unconditional and not plan.dry_run:
            await self.runtime.schedule(unconditional)
        return tuple(outcomes)

    async def run_action(
        self, action: Action | AutomodChange, *, guild_id: int | None, dry_run: bool = False
    ) -> ActionOutcome:
        """Carry out one action within its deadline; report the outcome; never raises."""
        if dry_run:
            outcome = ActionOutcome(
                action=action, ok=True, guild_id=guild_id, at=self.runtime.clock(), dry_run=True
            )
            self.runtime.guard.hooks.report_outcome(outcome)
            return outcome
        if getattr(action, "report_only", False):
            # An extension's report (a join raid's start or end): no request to send, so
            # it is done; listeners of the outcome hook learn of it like of any action.
            outcome = ActionOutcome(
                action=action, ok=True, guild_id=guild_id, at=self.runtime.clock()
            )
            self.runtime.guard.hooks.report_outcome(outcome)
            self.runtime.modlog.reported(outcome)
            return outcome
        failure: FailureKind | None = None
        detail = ""
        created: int | None = None
        skipped = False
        try:
            refusal = await self.runtime.executor.refuse(action)
            if refusal is not None:
                failure, detail = FailureKind.HIERARCHY, refusal
            elif isinstance(action, DeleteMessages):
                await self.runtime.deletions.delete(action)
            else:
                created = await self.execute(action)
        except TimeoutError:
            failure = FailureKind.TIMEOUT
            detail = (
                "the library timed out"
                if self.runtime.action_timeout is None
                else f"no answer within {self.runtime.action_timeout:g}s"
            )
        except DeletionDropped as error:
            failure, detail = FailureKind.DROPPED, str(error)
        except ActionSkipped as skip:
            skipped, detail = True, str(skip)
            _LOGGER.info("spamguard did not send %s: %s", action.kind, detail)
        except Exception as error:
            failure = self.runtime.executor.classify(error)
            detail = f"{type(error).__name__}: {error}"
        outcome = ActionOutcome(
            action=action,
            ok=failure is None,
            failure=failure,
            detail=detail,
            guild_id=guild_id,
            at=self.runtime.clock(),
            skipped=skipped,
        )
        if skipped:
            self.runtime.stats.actions_skipped[action.kind] = (
                self.runtime.stats.actions_skipped.get(action.kind, 0) + 1
            )
        elif failure is None:
            self.runtime.stats.actions_ok[action.kind] = (
                self.runtime.stats.actions_ok.get(action.kind, 0) + 1
            )
            if (
                isinstance(action, SendMessage)
                and action.delete_after is not None
                and created is not None
            ):
                removal = DeleteMessages(
                    channel_id=action.channel_id,
                    message_ids=(created,),
                    guild_id=action.guild_id,
                    reason="spamguard: notice expired",
                )
                run_at = self.runtime.clock() + datetime.timedelta(seconds=action.delete_after)
                await self.runtime.schedule([ScheduledAction(run_at, removal)])
        else:
            self.runtime.stats.actions_failed[str(failure)] = (
                self.runtime.stats.actions_failed.get(str(failure), 0) + 1
            )
            _LOGGER.warning("spamguard action %s failed (%s): %s", action.kind, failure, detail)
        self.runtime.guard.hooks.report_outcome(outcome)
        return outcome

    async def execute(self, action: Action | AutomodChange) -> int | None:
        """One request (or the few of one action) with the executor, within
        :attr:`action_timeout` when one is set: the deletion queue's requests too, so the
        deadline never counts the time a deletion waits to be gathered."""
        async with asyncio.timeout(self.runtime.action_timeout):
            return await self.runtime.executor.execute(action)
