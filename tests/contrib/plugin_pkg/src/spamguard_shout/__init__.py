"""spamguard-shout: a custom check and a custom punishment, as a spamguard extension.

The check: a message of at least ``min_letters`` letters, ``ratio`` of them capitals, is a
``shout`` violation. The punishment: a shouter gets the role ``role_id`` (a "shouted" badge
moderators can see), added to the plan after the core decided. Settings live under
``extensions.shout`` in the policy::

    extensions:
      shout: {min_letters: 10, ratio: 0.8, role_id: 1234}
"""

from __future__ import annotations

__all__ = ("Shout", "plugin")

import dataclasses
import typing

from spamguard.core import AddRole, PolicyIssue, Violation, hookimpl

if typing.TYPE_CHECKING:
    from spamguard.core import CheckContext, GuildPolicy, MessageLike, Plan


def _settings(policy: GuildPolicy) -> dict[str, typing.Any] | None:
    raw = policy.extensions.get("shout")
    if raw is None:
        return None
    return {"min_letters": 10, "ratio": 0.8, "role_id": None, **raw}


class Shout:
    """The plugin: one object, three hooks."""

    name = "shout"

    @hookimpl
    def spamguard_validate_policy(self, policy: GuildPolicy) -> list[PolicyIssue]:
        settings = _settings(policy)
        if settings is None:
            return []
        issues = []
        ratio = settings["ratio"]
        if not isinstance(ratio, int | float) or not 0 < ratio <= 1:
            issues.append(
                PolicyIssue(
                    path="extensions.shout.ratio", message=f"must be in (0, 1], got {ratio!r}"
                )
            )
        return issues

    @hookimpl
    def spamguard_check_message(
        self, message: MessageLike, context: CheckContext
    ) -> list[Violation]:
        settings = _settings(context.policy)
        letters = [c for c in message.content if c.isalpha()]
        if settings is None or len(letters) < settings["min_letters"]:
            return []
        upper = sum(c.isupper() for c in letters)
        if upper < settings["ratio"] * len(letters):
            return []
        return [
            Violation(
                check="shout",
                count=upper,
                limit=len(letters),
                interval=0.0,
                message_ids=(message.id,),
                punishment="WARN",
            )
        ]

    @hookimpl
    def spamguard_after_invoke(
        self, message: MessageLike, plan: Plan, policy: GuildPolicy
    ) -> Plan | None:
        settings = _settings(policy)
        if settings is None or settings["role_id"] is None or message.guild_id is None:
            return None
        if not any(v.check == "shout" for v in plan.violations):
            return None
        badge = AddRole(
            guild_id=message.guild_id,
            user_id=message.author_id,
            role_id=settings["role_id"],
            reason="spamguard-shout: shouted",
        )
        return dataclasses.replace(plan, actions=(*plan.actions, badge))


plugin = Shout()
"""The instance the ``shout`` entry point registers."""
