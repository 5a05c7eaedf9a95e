"""Notice templates: ``$VARIABLE`` substitution in strings and embed dicts.

Variables: ``$MENTIONMEMBER $MEMBERNAME $MEMBERID $MEMBERAVATAR $GUILDNAME $GUILDID
$GUILDICON $CHANNELNAME $CHANNELID $MENTIONBOT $BOTNAME $BOTID $BOTAVATAR $TIMESTAMPNOW
$TIMESTAMPTODAY $WARNCOUNT $KICKCOUNT $VIOLATION $COUNT $LIMIT $PUNISHMENT``: every
variable of discord-anti-spam 1.x, with its meaning, plus spamguard's own. The timestamps
are the decision's time (the message's ``created_at``) in UTC, formatted as
discord-anti-spam does: ``hh:mm:ss AM/PM, dd/mm/yyyy`` and ``dd/mm/yyyy``.

The syntax is :class:`string.Template`'s, as in discord-anti-spam: ``$NAME`` (the name runs
to the end of the identifier, so ``$MEMBERID123`` is the unknown name ``MEMBERID123``),
``${NAME}`` inside a word (``${MEMBERID}123``), ``$$`` for a literal ``$``. Unknown names,
lower-case ones among them (``$membername``), and malformed placeholders are left as
written (``safe_substitute``).

Names come from members and may hold ``@everyone`` or ``<@&role>``; every substituted value
is defused (a zero-width space after ``@``) so no template can turn member-supplied text
into a mention. Actions additionally restrict mentions (see :class:`~spamguard.core.actions.SendMessage`).
"""

from __future__ import annotations

__all__ = ("defuse", "render", "variables")

import datetime
import string
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from spamguard.core.messages import MessageLike


def defuse(text: str) -> str:
    """Make ``text`` unable to mention anyone: ``@`` is followed by a zero-width space."""
    return text.replace("@", "@\u200b")


def _render_text(text: str, values: Mapping[str, str]) -> str:
    if "$" not in text:
        return text
    return string.Template(text).safe_substitute(values)


def render(template: typing.Any, values: Mapping[str, str]) -> typing.Any:
    """Substitute ``values`` (already defused) into a string or, recursively, an embed dict."""
    if isinstance(template, str):
        return _render_text(template, values)
    if isinstance(template, dict):
        rendered = {key: render(value, values) for key, value in template.items()}
        # An embed's ``$GUILDICON`` of a guild without an icon is empty, and Discord
        # refuses an empty URL: the field goes, as if it had not been written.
        return {
            key: value
            for key, value in rendered.items()
            if value != "" or not key.endswith("url") or template[key] == ""
        }
    if isinstance(template, list):
        return [render(value, values) for value in template]
    return template


def _timestamps(now: datetime.datetime) -> tuple[str, str]:
    """discord-anti-spam's ``"%I:%M:%S %p, %d/%m/%Y"`` and ``"%d/%m/%Y"`` of ``now`` in
    UTC, spelled out so the host's locale cannot change ``AM``/``PM``."""
    try:
        utc = now.astimezone(datetime.UTC)
    except OverflowError:  # within hours of year 1 or 9999: keep the message's own offset
        utc = now
    half = "AM" if utc.hour < 12 else "PM"
    today = f"{utc.day:02d}/{utc.month:02d}/{utc.year:04d}"
    hour = utc.hour % 12 or 12
    return f"{hour:02d}:{utc.minute:02d}:{utc.second:02d} {half}, {today}", today


def variables(
    message: MessageLike,
    *,
    now: datetime.datetime,
    bot_id: int | None = None,
    warn_count: int,
    kick_count: int,
    violation: str,
    count: int,
    limit: int,
    punishment: str,
) -> dict[str, str]:
    """The template variables for one decision about ``message``'s author, member-supplied
    text defused.

    Names, avatar and icon URLs and the bot are read from the message (the adapters fill
    :class:`~spamguard.core.messages.Message`'s optional fields from the library's
    objects); a message that does not name its bot takes ``bot_id``. Missing names fall
    back to ids, missing URLs and bot fields are ``""``. ``now`` (the decision's time,
    never the clock) gives ``$TIMESTAMPNOW`` and ``$TIMESTAMPTODAY``.
    """
    member_id = message.author_id
    guild_id = message.guild_id
    channel_id = message.channel_id
    message_bot: int | None = getattr(message, "bot_id", None)
    if message_bot is not None:
        bot_id = message_bot
    timestamp_now, timestamp_today = _timestamps(now)
    return {
        # The mention itself is the one ping a notice may carry; it is built here, not
        # taken from member text.
        "MENTIONMEMBER": f"<@{member_id}>",
        "MEMBERNAME": defuse(getattr(message, "author_name", "") or str(member_id)),
        "MEMBERID": str(member_id),
        "MEMBERAVATAR": getattr(message, "author_avatar_url", ""),
        "GUILDNAME": defuse(getattr(message, "guild_name", "") or str(guild_id or "")),
        "GUILDID": str(guild_id or ""),
        "GUILDICON": getattr(message, "guild_icon_url", ""),
        "CHANNELNAME": defuse(getattr(message, "channel_name", "") or str(channel_id)),
        "CHANNELID": str(channel_id),
        # A bot mention renders, but never pings: notices allow the member's ping only.
        "MENTIONBOT": "" if bot_id is None else f"<@{bot_id}>",
        "BOTNAME": defuse(getattr(message, "bot_name", "") or str(bot_id or "")),
        "BOTID": str(bot_id or ""),
        "BOTAVATAR": getattr(message, "bot_avatar_url", ""),
        "TIMESTAMPNOW": timestamp_now,
        "TIMESTAMPTODAY": timestamp_today,
        "WARNCOUNT": str(warn_count),
        "KICKCOUNT": str(kick_count),
        "VIOLATION": violation,
        "COUNT": str(count),
        "LIMIT": str(limit),
        "PUNISHMENT": punishment.lower(),
    }
