"""A notice template naming every variable discord-anti-spam documents, and the text a
bot must send for it in a `payloads.GuildWorld` (no library needed)."""

from __future__ import annotations

__all__ = ("ANTISPAM_TEMPLATE", "antispam_notice", "check_antispam_warning")

import datetime
import re
import typing

from . import payloads

ANTISPAM_TEMPLATE = "|".join(
    (
        "$MENTIONMEMBER",
        "$MEMBERNAME",
        "$MEMBERID",
        "$MEMBERAVATAR",
        "$MENTIONBOT",
        "$BOTNAME",
        "$BOTID",
        "$BOTAVATAR",
        "$GUILDNAME",
        "$GUILDID",
        "$GUILDICON",
        "$TIMESTAMPNOW",
        "$TIMESTAMPTODAY",
        "$WARNCOUNT",
        "$KICKCOUNT",
    )
)
"""discord-anti-spam 1.9's variables (its ``substitute_args``), ``|``-separated."""

_CDN = "https://cdn.discordapp.com"


def _image(path: str) -> str:
    # The libraries add their own ``size`` (hikari 4096, nextcord and disnake 1024).
    return re.escape(f"{_CDN}/{path}.png") + r"(\?size=\d+)?"


def antispam_notice(
    world: payloads.GuildWorld,
    *,
    member: payloads.Member,
    at: datetime.datetime,
    warn_count: int,
    kick_count: int,
) -> re.Pattern[str]:
    """What `ANTISPAM_TEMPLATE` renders to for ``member`` at ``at`` (UTC) in ``world``,
    built with ``avatars=True`` and a ``guild_icon``; display names are global names (no
    nicknames in the standard world)."""
    user, bot = member.user, world.bot.user
    assert user.avatar is not None
    assert bot.avatar is not None
    assert world.guild.icon is not None
    hour = at.hour % 12 or 12
    today = at.strftime("%d/%m/%Y")
    parts = (
        re.escape(f"<@{user.id}>"),
        re.escape(user.global_name or user.username),
        str(user.id),
        _image(f"avatars/{user.id}/{user.avatar}"),
        re.escape(f"<@{bot.id}>"),
        re.escape(bot.global_name or bot.username),
        str(bot.id),
        _image(f"avatars/{bot.id}/{bot.avatar}"),
        re.escape(world.guild.name),
        str(world.guild_id),
        _image(f"icons/{world.guild_id}/{world.guild.icon}"),
        re.escape(f"{hour:02d}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'}, {today}"),
        re.escape(today),
        str(warn_count),
        str(kick_count),
    )
    return re.compile(r"\|".join(parts))


async def check_antispam_warning(harness: typing.Any, at: datetime.datetime) -> None:
    """Send five duplicates from alice, one a second from ``at``, through ``harness`` (a
    hikari or nextcord/disnake harness whose bot runs an ``AntiSpamHandler`` with
    ``guild_warn_message=ANTISPAM_TEMPLATE``), and check the warning the stand-in received:
    one message, every variable replaced."""
    for second in range(5):
        await harness.send_message(
            content="free nitro", created_at=at + datetime.timedelta(seconds=second)
        )
    await harness.settle()
    [warning] = [
        r
        for r in harness.api.requests
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    ]
    world = harness.world
    expected = antispam_notice(
        world,
        member=world.alice,
        at=at + datetime.timedelta(seconds=4),
        warn_count=1,
        kick_count=0,
    )
    content = warning.json["content"]
    assert expected.fullmatch(content), content
