"""Notice templates: ``$VARIABLE`` substitution in strings and embed dicts.

Variables: ``$MENTIONMEMBER $MEMBERNAME $MEMBERID $GUILDNAME $GUILDID $CHANNELNAME
$CHANNELID $WARNCOUNT $KICKCOUNT $VIOLATION $COUNT $LIMIT $PUNISHMENT``. An unknown
``$WORD`` is left as written.

Names come from members and may hold ``@everyone`` or ``<@&role>``; every substituted value
is defused (a zero-width space after ``@``) so no template can turn member-supplied text
into a mention. Actions additionally restrict mentions (see :class:`~spamguard.core.actions.SendMessage`).
"""

from __future__ import annotations

__all__ = ("defuse", "render", "variables")

import re
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

_VARIABLE_RE = re.compile(r"\$([A-Z]+)")


def defuse(text: str) -> str:
    """Make ``text`` unable to mention anyone: ``@`` is followed by a zero-width space."""
    return text.replace("@", "@\u200b")


def _render_text(text: str, values: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else value

    return _VARIABLE_RE.sub(substitute, text)


def render(template: typing.Any, values: Mapping[str, str]) -> typing.Any:
    """Substitute ``values`` (already defused) into a string or, recursively, an embed dict."""
    if isinstance(template, str):
        return _render_text(template, values)
    if isinstance(template, dict):
        return {key: render(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, values) for value in template]
    return template


def variables(
    *,
    member_id: int,
    member_name: str,
    guild_id: int | None,
    guild_name: str,
    channel_id: int,
    channel_name: str,
    warn_count: int,
    kick_count: int,
    violation: str,
    count: int,
    limit: int,
    punishment: str,
) -> dict[str, str]:
    """The template variables for one decision, member-supplied text defused."""
    return {
        # The mention itself is the one ping a notice may carry; it is built here, not
        # taken from member text.
        "MENTIONMEMBER": f"<@{member_id}>",
        "MEMBERNAME": defuse(member_name or str(member_id)),
        "MEMBERID": str(member_id),
        "GUILDNAME": defuse(guild_name or str(guild_id or "")),
        "GUILDID": str(guild_id or ""),
        "CHANNELNAME": defuse(channel_name or str(channel_id)),
        "CHANNELID": str(channel_id),
        "WARNCOUNT": str(warn_count),
        "KICKCOUNT": str(kick_count),
        "VIOLATION": violation,
        "COUNT": str(count),
        "LIMIT": str(limit),
        "PUNISHMENT": punishment.lower(),
    }
