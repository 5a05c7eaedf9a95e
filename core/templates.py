"""Notice templates: ``$VARIABLE`` substitution in strings and embed dicts.

Variables: ``$MENTIONMEMBER $MEMBERNAME $MEMBERID $GUILDNAME $GUILDID $CHANNELNAME
$CHANNELID $WARNCOUNT $KICKCOUNT $VIOLATION $COUNT $LIMIT $PUNISHMENT``.

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

import string
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Mapping


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
