"""Discord's native AutoMod with discord.py, nextcord or disnake: list rules, carry out the
diff's actions.

One module for the discord.py family, parametrised by the library's name
(:data:`FLAVOURS`): :func:`fetch_rules` lists a guild's rules as Discord's JSON (what
:func:`spamguard.core.policy.automod.diff_rules` compares), :func:`execute_automod` carries out one
:class:`~spamguard.core.policy.automod.CreateAutoModRule`,
:class:`~spamguard.core.policy.automod.EditAutoModRule` or
:class:`~spamguard.core.policy.automod.DeleteAutoModRule`, and :func:`automod_execution_from_event`
turns the library's execution event into the core's
:class:`~spamguard.core.events.AutomodExecution`.

Rules go through the library's own HTTP client (``bot.http``: its rate limiting,
authentication and ``X-Audit-Log-Reason`` header) with Discord's JSON in and out, rather
than through its rule models. The models cannot carry every field spamguard manages in
every supported release: nextcord 2.6 has no block-message ``custom_message``, no
member-profile trigger and no block-member-interaction action, so a rule built from them
would lose fields and a rule read back through them would never match the policy. The
models' edit and delete also need a fetched rule object, one more request per change.
"""

from __future__ import annotations

__all__ = (
    "FLAVOURS",
    "AutomodFlavour",
    "NotAnAutomodActionError",
    "automod_execution_from_event",
    "execute_automod",
    "fetch_rules",
)

import dataclasses
import typing

from spamguard.core.errors import SpamguardError
from spamguard.core.events import AutomodExecution
from spamguard.core.policy.automod import CreateAutoModRule, DeleteAutoModRule, EditAutoModRule

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

JSON = dict[str, typing.Any]
Library = typing.Literal["discord", "nextcord", "disnake"]


class NotAnAutomodActionError(SpamguardError, TypeError):
    """:func:`execute_automod` was given an action that is not an AutoMod rule change."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AutomodFlavour:
    """What one library names differently in its AutoMod HTTP methods and event."""

    name: str
    """Import name of the library."""
    list_rules: str
    """``HTTPClient`` method listing a guild's rules: ``(guild_id)``."""
    create_rule: str
    """``HTTPClient`` method creating a rule."""
    edit_rule: str
    """``HTTPClient`` method changing a rule."""
    delete_rule: str
    """``HTTPClient`` method deleting a rule: ``(guild_id, rule_id, *, reason)``."""
    body_as_keywords: bool
    """Whether create and edit take the body's fields as keyword arguments (discord.py,
    disnake) rather than one ``data`` dict (nextcord)."""
    user_attribute: str
    """Attribute of the execution event holding the member's id."""


FLAVOURS: Mapping[str, AutomodFlavour] = {
    # discord.py keeps only the rule fields it knows from the keywords, and drops those
    # that are None: spamguard's rule bodies hold only known fields, none of them None.
    "discord": AutomodFlavour(
        name="discord",
        list_rules="get_auto_moderation_rules",
        create_rule="create_auto_moderation_rule",
        edit_rule="edit_auto_moderation_rule",
        delete_rule="delete_auto_moderation_rule",
        body_as_keywords=True,
        user_attribute="user_id",
    ),
    "nextcord": AutomodFlavour(
        name="nextcord",
        list_rules="list_guild_auto_moderation_rules",
        create_rule="create_auto_moderation_rule",
        edit_rule="modify_auto_moderation_rule",
        delete_rule="delete_auto_moderation_rule",
        body_as_keywords=False,
        user_attribute="member_id",
    ),
    "disnake": AutomodFlavour(
        name="disnake",
        list_rules="get_auto_moderation_rules",
        create_rule="create_auto_moderation_rule",
        edit_rule="edit_auto_moderation_rule",
        delete_rule="delete_auto_moderation_rule",
        body_as_keywords=True,
        user_attribute="user_id",
    ),
}
"""The flavour of each supported library, by import name."""


def _flavour(library: str) -> AutomodFlavour:
    try:
        return FLAVOURS[library]
    except KeyError:
        msg = f"library must be one of {', '.join(FLAVOURS)}, got {library!r}"
        raise ValueError(msg) from None


async def fetch_rules(bot: typing.Any, guild_id: int, *, library: Library) -> list[JSON]:
    """List ``guild_id``'s AutoMod rules as Discord's JSON (one ``GET .../rules``).

    ``bot`` is the library's ``Client`` (or ``commands.Bot``); ``library`` names it.
    Raises the library's errors (``Forbidden`` without Manage Server...).
    """
    flavour = _flavour(library)
    rules = await getattr(bot.http, flavour.list_rules)(guild_id)
    return [dict(rule) for rule in rules]


async def execute_automod(
    bot: typing.Any,
    action: CreateAutoModRule | EditAutoModRule | DeleteAutoModRule,
    *,
    library: Library,
) -> None:
    """Carry out one AutoMod rule change, with the action's reason in the audit log.

    The body goes to Discord as the core built it, every field included (name, event
    type, trigger type and metadata, actions, enabled, exempt roles and channels). Raises
    the library's errors for the executor to classify and :class:`NotAnAutomodActionError`
    for any other action.
    """
    flavour = _flavour(library)
    http = bot.http
    if isinstance(action, DeleteAutoModRule):
        await getattr(http, flavour.delete_rule)(
            action.guild_id, action.rule_id, reason=action.reason
        )
        return
    ids: tuple[int, ...]
    if isinstance(action, CreateAutoModRule):
        method, ids = getattr(http, flavour.create_rule), (action.guild_id,)
    elif isinstance(action, EditAutoModRule):
        method, ids = getattr(http, flavour.edit_rule), (action.guild_id, action.rule_id)
    else:
        kind = getattr(action, "kind", "?")
        msg = f"not an AutoMod rule change: {type(action).__name__} ({kind})"
        raise NotAnAutomodActionError(msg)
    body = dict(action.rule)
    if flavour.body_as_keywords:
        await method(*ids, reason=action.reason, **body)
    else:
        await method(*ids, body, reason=action.reason)


def _number(value: typing.Any) -> int:
    # The libraries wrap known values in their enums and, for values newer than the
    # release, discord.py and nextcord give a stand-in with ``.value``, disnake the plain int.
    return int(getattr(value, "value", value))


def automod_execution_from_event(
    event: typing.Any, *, library: Library, at: datetime.datetime
) -> AutomodExecution:
    """The core's value for the library's AutoMod execution event, received at ``at``.

    discord.py's ``AutoModAction`` (``on_automod_action``), nextcord's
    ``AutoModerationActionExecution`` (``on_auto_moderation_action_execution``) or disnake's
    ``AutoModActionExecution`` (``on_automod_action_execution``); none carries a time of
    its own.
    """
    flavour = _flavour(library)
    guild_id = getattr(event, "guild_id", None)
    if guild_id is None:
        # disnake's event holds the guild object only.
        guild_id = event.guild.id
    return AutomodExecution(
        guild_id=int(guild_id),
        user_id=int(getattr(event, flavour.user_attribute)),
        rule_id=int(event.rule_id),
        rule_trigger_type=_number(event.rule_trigger_type),
        action_type=_number(event.action.type),
        at=at,
        channel_id=None if event.channel_id is None else int(event.channel_id),
        message_id=None if event.message_id is None else int(event.message_id),
        content=event.content or "",
        matched_keyword=event.matched_keyword,
        matched_content=event.matched_content,
    )
