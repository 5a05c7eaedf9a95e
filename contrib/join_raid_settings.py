"""The ``extensions.join_raid`` settings, validated field by field.

Read with :class:`~spamguard.contrib.settings.SettingsReader`, so a mistake names its field
the way the core's own keys do (``extensions.join_raid.lockdown.duration: must be at most
86400 seconds (24 hours: Discord's limit for incident actions), got 100000``) and
``spamguard check`` shows it.
"""

from __future__ import annotations

__all__ = ("JoinRaidSettings", "LockdownSettings", "SimilarNamesSettings")

import dataclasses

from spamguard.contrib.settings import SettingsReader
from spamguard.core.actions import MAX_TIMEOUT
from spamguard.core.policy import Punishment

NAME = "join_raid"

MAX_LOCKDOWN = 86_400.0
"""Discord pauses invites and DMs for at most 24 hours ahead."""

RAID_JOINER_PUNISHMENTS = (Punishment.NONE, Punishment.TIMEOUT, Punishment.KICK, Punishment.BAN)
"""What ``raid_joiners`` may ask: punishments a join can get without a message."""

_FIELDS = (
    "joins",
    "interval",
    "similar_names",
    "quiet",
    "lockdown",
    "raid_joiners",
    "punishment_duration",
    "enabled",
)
_NAME_FIELDS = ("members", "accuracy", "interval", "min_length")
_LOCKDOWN_FIELDS = ("invites", "dms", "duration", "lift_on_end")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SimilarNamesSettings:
    """``similar_names``: a raid shows in near-identical names too."""

    members: int = 3
    """Recent joiners with near-identical names that make a raid."""
    accuracy: int = 90
    """Similarity (0-100, rapidfuzz ratio on the normalised names) from which two names are
    the same."""
    interval: float = 10.0
    """How far back a joiner is recent, seconds (the extension's ``interval`` unless set)."""
    min_length: int = 4
    """Normalised names shorter than this never count (``ab`` and ``ac`` are 50% alike)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class LockdownSettings:
    """``lockdown``: Discord's incident actions while the raid goes on."""

    invites: bool = True
    """Pause the guild's invites (nobody joins through one)."""
    dms: bool = False
    """Pause DMs between members who share no other relation."""
    duration: float = 3600.0
    """How long, seconds from the start of the raid; at most 86400 (Discord's limit)."""
    lift_on_end: bool = True
    """Lift the pause when the raid ends (``quiet`` after its last join), if the pause it
    set still runs and the guild still shows it: a pause a moderator changed since is left
    as it is (the adapter reads the guild's incident actions before it sends). Off, the
    pause lasts ``duration`` and Discord lifts it itself."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JoinRaidSettings:
    """The guild's ``extensions.join_raid`` settings."""

    joins: int = 10
    """Members joining within ``interval`` that put the guild in raid mode."""
    interval: float = 10.0
    """The window for ``joins``, seconds."""
    similar_names: SimilarNamesSettings | None = None
    """Also a raid when this many recent joiners have near-identical names (off: None)."""
    quiet: float = 300.0
    """Raid mode ends after this many seconds without a join."""
    lockdown: LockdownSettings | None = None
    """Pause invites (and DMs) when raid mode starts (off: None)."""
    raid_joiners: Punishment = Punishment.NONE
    """What members who joined during the raid get (NONE, TIMEOUT, KICK or BAN), those
    whose joins started it included."""
    punishment_duration: float = 3600.0
    """How long a ``TIMEOUT`` lasts, seconds (at most 28 days)."""

    @property
    def horizon(self) -> float:
        """How far back the joins window must reach, seconds."""
        names = self.similar_names
        return self.interval if names is None else max(self.interval, names.interval)

    @classmethod
    def parse(cls, data: object) -> JoinRaidSettings | None:
        """Validate the raw settings; None when ``enabled: false``.

        Raises:
            PolicyError: naming ``extensions.join_raid.<field>``.
        """
        reader = SettingsReader(NAME, data, _FIELDS)
        defaults = cls()
        interval = reader.seconds("interval", defaults.interval)
        settings = cls(
            joins=reader.integer("joins", defaults.joins, minimum=2),
            interval=interval,
            similar_names=_similar_names(reader, interval),
            quiet=reader.seconds("quiet", defaults.quiet),
            lockdown=_lockdown(reader),
            raid_joiners=reader.punishment(
                "raid_joiners", defaults.raid_joiners, RAID_JOINER_PUNISHMENTS
            ),
            punishment_duration=reader.seconds("punishment_duration", defaults.punishment_duration),
        )
        enabled = reader.boolean("enabled", True)
        if settings.quiet < settings.horizon:
            # A raid that ended while its joins are still in the window would start again
            # on the same joins.
            reader.add(
                "quiet",
                f"must be at least the interval joins are counted over "
                f"({settings.horizon:.10g} seconds), got {settings.quiet:.10g}",
            )
        if settings.punishment_duration > MAX_TIMEOUT.total_seconds():
            reader.add(
                "punishment_duration",
                f"must be at most {MAX_TIMEOUT.total_seconds():.10g} seconds (28 days: Discord's "
                f"limit for a timeout), got {settings.punishment_duration:.10g}",
            )
        reader.finish()
        return settings if enabled else None


def _similar_names(reader: SettingsReader, interval: float) -> SimilarNamesSettings | None:
    section = reader.section("similar_names", _NAME_FIELDS)
    if section is None:
        return None
    defaults = SimilarNamesSettings()
    return SimilarNamesSettings(
        members=section.integer("members", defaults.members, minimum=2),
        accuracy=section.integer("accuracy", defaults.accuracy, minimum=0, maximum=100),
        interval=section.seconds("interval", interval),
        min_length=section.integer("min_length", defaults.min_length),
    )


def _lockdown(reader: SettingsReader) -> LockdownSettings | None:
    section = reader.section("lockdown", _LOCKDOWN_FIELDS)
    if section is None:
        return None
    defaults = LockdownSettings()
    lockdown = LockdownSettings(
        invites=section.boolean("invites", defaults.invites),
        dms=section.boolean("dms", defaults.dms),
        duration=section.seconds("duration", defaults.duration),
        lift_on_end=section.boolean("lift_on_end", defaults.lift_on_end),
    )
    if lockdown.duration > MAX_LOCKDOWN:
        section.add(
            "duration",
            f"must be at most {MAX_LOCKDOWN:.10g} seconds (24 hours: Discord's limit for "
            f"incident actions), got {lockdown.duration:.10g}",
        )
    if not (lockdown.invites or lockdown.dms):
        section.add("", "pauses nothing: set invites or dms to true, or lockdown to false")
    return lockdown
