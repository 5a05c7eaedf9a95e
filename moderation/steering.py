"""``dryrun`` and ``reload``: steering spamguard in a guild, or everywhere."""

from __future__ import annotations

__all__ = ("dry_run_answer", "reload_answer")

import logging
import typing

from spamguard.moderation.answers import Answer

if typing.TYPE_CHECKING:
    from spamguard.adapters.runtime.runtime import Runtime

_LOGGER = logging.getLogger("spamguard.moderation")

_MAX_ISSUES: typing.Final = 40
"""Problems listed in the text at most (``data`` holds every one)."""


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def dry_run_answer(runtime: Runtime, guild_id: int, on: bool | None, moderator_id: int) -> Answer:
    """Set the guild's dry run (None: back to the policy's) and say what it is now.

    ``data``: ``guild_id``, ``dry_run`` (now), ``override`` (None: the policy's applies),
    ``policy_dry_run``, ``changed``.
    """
    guard = runtime.guard
    before = guard.policy_for(guild_id).dry_run
    guard.set_dry_run(guild_id, on)
    now = guard.policy_for(guild_id).dry_run
    said = guard.policy.for_guild(guild_id).dry_run
    _LOGGER.info(
        "moderator %s set dry run %s in guild %s (was %s)",
        moderator_id,
        "to the policy's" if on is None else _on_off(on),
        guild_id,
        _on_off(before),
    )
    if on is None:
        text = f"Dry run is {_on_off(now)} here, as the policy says."
    elif now:
        text = (
            "Dry run is on here: spamguard decides as usual and reports what it would do "
            "(in the log channel, when one is set), but deletes, times out, kicks or bans nobody."
        )
    else:
        text = "Dry run is off here: spamguard carries its decisions out."
    if on is not None and on != said:
        text += f" (The policy says {_on_off(said)}; this stays until `dryrun` is set again.)"
    if now == before:
        text += " Nothing changed: it already was."
    return Answer(
        ok=True,
        text=text,
        data={
            "guild_id": guild_id,
            "dry_run": now,
            "override": guard.dry_run_override(guild_id),
            "policy_dry_run": said,
            "changed": now != before,
        },
    )


async def reload_answer(runtime: Runtime) -> Answer:
    """Read the policy again; an invalid one is answered with every problem and its path,
    and the policy in use stays.

    ``data``: ``ok``, ``source``, ``issues`` (``[{"path", "message"}]``), ``error``,
    ``notes``.
    """
    result = await runtime.reload_policy()
    data = {
        "ok": result.ok,
        "source": result.source,
        "issues": [{"path": i.path, "message": i.message} for i in result.issues],
        "error": result.error,
        "notes": list(result.notes),
    }
    if result.ok:
        lines = [f"Reloaded the policy from {result.source}: it is in use from now on."]
        lines.extend(f"Note: {note}." for note in result.notes)
        return Answer(ok=True, text="\n".join(lines), data=data)
    lines = [f"The policy was NOT reloaded: the one in use stays. {result.source}:"]
    if result.issues:
        count = len(result.issues)
        lines[0] = (
            f"The policy was NOT reloaded ({count} problem{'s' if count != 1 else ''} in "
            f"{result.source}); the one in use stays:"
        )
        lines.extend(f"- {issue}" for issue in result.issues[:_MAX_ISSUES])
        if count > _MAX_ISSUES:
            lines.append(f"... and {count - _MAX_ISSUES} more (see the bot's log).")
    else:
        lines.append(result.error)
    return Answer(ok=False, text="\n".join(lines), data=data)
