"""What a join raid plans (:mod:`spamguard.contrib.join_raid`): the lockdown and its lift,
the raid joiners' punishment and the quiet timer, as plain values.

Times in the raid's state are POSIX milliseconds (window amounts are integers):
:func:`ms`, :func:`at` and :func:`time_of` convert.
"""

from __future__ import annotations

__all__ = ("at", "lift", "ms", "pause_for", "punish", "quiet_timer", "time_of", "until_ms")

import datetime
import typing

from spamguard.contrib.join_raid_settings import NAME
from spamguard.core import actions as act
from spamguard.core.events import GuildTimer
from spamguard.core.plan import ScheduledAction
from spamguard.core.policy import Punishment

if typing.TYPE_CHECKING:
    from spamguard.contrib.join_raid_settings import JoinRaidSettings, LockdownSettings


def ms(ts: float) -> int:
    """POSIX seconds as milliseconds."""
    return round(ts * 1000)


def at(ts: float) -> datetime.datetime:
    """POSIX seconds as an aware UTC time."""
    return datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)


def time_of(milliseconds: int) -> datetime.datetime:
    """POSIX milliseconds as an aware UTC time."""
    return at(milliseconds / 1000)


def quiet_timer(guild_id: int, due_ms: int) -> ScheduledAction:
    """The raid's quiet timer, due at ``due_ms``: its ``spamguard_guild_timer`` ends raid
    mode then, or sets itself again when a later join moved the end."""
    due = time_of(due_ms)
    return ScheduledAction(due, GuildTimer(guild_id=guild_id, name=NAME, at=due))


def pause_for(
    guild_id: int, settings: JoinRaidSettings, now: float, reason: str
) -> act.SetIncidentActions | None:
    """The lockdown ``settings`` ask for from ``now`` (None: no lockdown)."""
    lockdown = settings.lockdown
    if lockdown is None:
        return None
    return act.incident_actions_for(
        guild_id=guild_id,
        now=at(now),
        invites_seconds=lockdown.duration if lockdown.invites else None,
        dms_seconds=lockdown.duration if lockdown.dms else None,
        reason=reason,
    )


def until_ms(pause: act.SetIncidentActions | None) -> int:
    """Until when ``pause`` runs, POSIX milliseconds (0: no pause)."""
    if pause is None:
        return 0
    until = pause.invites_disabled_until or pause.dms_disabled_until
    return 0 if until is None else ms(until.timestamp())


def lift(guild_id: int, lockdown: LockdownSettings, pause_until: int) -> act.SetIncidentActions:
    """The lift of spamguard's pause running until ``pause_until`` (ms), sent only while
    the guild still shows that pause: a moderator's change since is left as it is (the
    adapter looks before it sends)."""
    until = time_of(pause_until)
    return act.SetIncidentActions(
        guild_id=guild_id,
        invites_disabled_until=None,
        dms_disabled_until=None,
        reason="spamguard: join raid over",
        only_if_unchanged=True,
        expected_invites_disabled_until=until if lockdown.invites else None,
        expected_dms_disabled_until=until if lockdown.dms else None,
    )


def punish(
    guild_id: int, users: tuple[int, ...], settings: JoinRaidSettings, now: float
) -> list[act.Action]:
    """``raid_joiners``' punishment of each of ``users``."""
    reason = "spamguard: joined during a join raid"
    match settings.raid_joiners:
        case Punishment.TIMEOUT:
            when = at(now)
            return [
                act.timeout_for(
                    guild_id=guild_id,
                    user_id=user,
                    now=when,
                    seconds=settings.punishment_duration,
                    reason=reason,
                )
                for user in users
            ]
        case Punishment.KICK:
            return [act.Kick(guild_id=guild_id, user_id=user, reason=reason) for user in users]
        case Punishment.BAN:
            return [act.Ban(guild_id=guild_id, user_id=user, reason=reason) for user in users]
    return []
