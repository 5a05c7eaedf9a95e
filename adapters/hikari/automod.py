"""Discord's native AutoMod with hikari: list a guild's rules, carry out the diff's actions.

:func:`fetch_rules` lists a guild's rules as Discord's JSON (what
:func:`spamguard.core.policy.automod.diff_rules` compares), :func:`execute_automod` carries out one
:class:`~spamguard.core.policy.automod.CreateAutoModRule`, :class:`~spamguard.core.policy.automod.EditAutoModRule`
or :class:`~spamguard.core.policy.automod.DeleteAutoModRule` with hikari's public REST methods and
builders, and :func:`automod_execution_from_event` turns hikari's
``AutoModActionExecutionEvent`` into the core's :class:`~spamguard.core.events.AutomodExecution`.

The listing reads the JSON through hikari's REST client rather than its ``AutoModRule``
model, because in hikari 2.6 and 2.7 that model has no ``custom_message`` for block-message
actions (a rule converted back from it would always differ from the policy, and every sync
would edit it again) and cannot parse a BLOCK_MEMBER_INTERACTION action at all (one such
rule in a guild makes ``fetch_auto_mod_rules`` raise).
"""

from __future__ import annotations

__all__ = (
    "AutomodBodyError",
    "NotAnAutomodActionError",
    "automod_execution_from_event",
    "execute_automod",
    "fetch_rules",
    "rule_to_json",
)

import logging
import typing

import hikari
from hikari import auto_mod
from hikari.impl import special_endpoints

from spamguard.core.errors import SpamguardError
from spamguard.core.events import AutomodExecution
from spamguard.core.policy.automod import (
    ACTION_TYPES,
    TRIGGER_TYPES,
    CreateAutoModRule,
    DeleteAutoModRule,
    EditAutoModRule,
)

if typing.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Mapping, Sequence

    from hikari.api import special_endpoints as special_endpoints_api

try:
    # hikari's own route table: listing through it keeps the rules' JSON intact (see the
    # module docstring). Internal, hence the guarded import and the public fallback.
    from hikari.internal import routes as _routes
except ImportError:  # pragma: no cover - only if a future hikari moves its routes
    _routes = None  # type: ignore[assignment]
_LIST_ROUTE: typing.Any = getattr(_routes, "GET_GUILD_AUTO_MODERATION_RULES", None)

_LOGGER = logging.getLogger("spamguard.adapters.hikari.automod")

JSON = dict[str, typing.Any]

_KEYWORD, _SPAM, _KEYWORD_PRESET, _MENTION_SPAM, _MEMBER_PROFILE = (
    TRIGGER_TYPES[name]
    for name in ("keyword", "spam", "keyword_preset", "mention_spam", "member_profile")
)


class NotAnAutomodActionError(SpamguardError, TypeError):
    """:func:`execute_automod` was given an action that is not an AutoMod rule change."""


class AutomodBodyError(SpamguardError, ValueError):
    """A rule body names a trigger or action type hikari's builders cannot express."""


# -- listing ---------------------------------------------------------------------------------

# Which ``trigger_metadata`` fields each trigger type carries, as hikari's trigger models
# name them (the JSON names are the same).
_TRIGGER_FIELDS: Mapping[int, tuple[str, ...]] = {
    _KEYWORD: ("keyword_filter", "regex_patterns", "allow_list"),
    _SPAM: (),
    _KEYWORD_PRESET: ("presets", "allow_list"),
    _MENTION_SPAM: ("mention_total_limit", "mention_raid_protection_enabled"),
    _MEMBER_PROFILE: ("keyword_filter", "regex_patterns", "allow_list"),
}


def _action_json(action: auto_mod.PartialAutoModAction) -> JSON:
    metadata: JSON = {}
    if isinstance(action, auto_mod.AutoModSendAlertMessage):
        metadata["channel_id"] = str(action.channel_id)
    elif isinstance(action, auto_mod.AutoModTimeout):
        metadata["duration_seconds"] = int(action.duration.total_seconds())
    return {"type": int(action.type), "metadata": metadata}


def rule_to_json(rule: hikari.AutoModRule) -> JSON:
    """Discord's JSON for a rule hikari deserialised.

    Every field :func:`~spamguard.core.policy.automod.diff_rules` compares is kept except a
    block-message action's ``custom_message``, which hikari's model does not hold (and
    hikari cannot build a rule with a BLOCK_MEMBER_INTERACTION action in the first place).
    """
    trigger = rule.trigger
    metadata: JSON = {}
    for field in _TRIGGER_FIELDS.get(int(trigger.type), ()):
        value = getattr(trigger, field)
        if field == "presets":
            value = [int(preset) for preset in value]
        elif isinstance(value, (list, tuple)):
            value = list(value)
        metadata[field] = value
    return {
        "id": str(rule.id),
        "guild_id": str(rule.guild_id),
        "name": rule.name,
        "creator_id": str(rule.creator_id),
        "event_type": int(rule.event_type),
        "trigger_type": int(trigger.type),
        "trigger_metadata": metadata,
        "actions": [_action_json(action) for action in rule.actions],
        "enabled": rule.is_enabled,
        "exempt_roles": [str(role) for role in rule.exempt_role_ids],
        "exempt_channels": [str(channel) for channel in rule.exempt_channel_ids],
    }


async def fetch_rules(bot: hikari.RESTAware, guild_id: int, *, raw: bool = True) -> list[JSON]:
    """List ``guild_id``'s AutoMod rules as Discord's JSON (one ``GET .../rules``).

    With ``raw`` (the default) the JSON comes through hikari's REST client unchanged, so
    block-message ``custom_message`` survives; otherwise, or if hikari's internals moved,
    the rules go through hikari's public ``fetch_auto_mod_rules`` and :func:`rule_to_json`.
    Raises hikari's errors (``ForbiddenError`` without Manage Server...).
    """
    request = getattr(bot.rest, "_request", None)
    if raw and request is not None and _LIST_ROUTE is not None:
        payload = await request(_LIST_ROUTE.compile(guild=guild_id))
        if not isinstance(payload, list):
            msg = f"Discord answered the AutoMod rule listing with {type(payload).__name__}"
            raise AutomodBodyError(msg)
        return [dict(rule) for rule in payload]
    if raw:
        _LOGGER.warning(
            "spamguard: this hikari cannot list AutoMod rules as JSON; custom block messages "
            "cannot be compared, so rules that have one are edited on every sync"
        )
    return [rule_to_json(rule) for rule in await bot.rest.fetch_auto_mod_rules(guild_id)]


# -- carrying changes out --------------------------------------------------------------------


def _strings(metadata: Mapping[str, typing.Any], field: str) -> list[str]:
    return [str(v) for v in metadata.get(field) or ()]


_TRIGGERS: Mapping[
    int, Callable[[Mapping[str, typing.Any]], special_endpoints_api.AutoModTriggerBuilder]
] = {
    _KEYWORD: lambda m: special_endpoints.AutoModKeywordTriggerBuilder(
        keyword_filter=_strings(m, "keyword_filter"),
        regex_patterns=_strings(m, "regex_patterns"),
        allow_list=_strings(m, "allow_list"),
    ),
    _SPAM: lambda m: special_endpoints.AutoModSpamTriggerBuilder(),
    _KEYWORD_PRESET: lambda m: special_endpoints.AutoModKeywordPresetTriggerBuilder(
        presets=[auto_mod.AutoModKeywordPresetType(int(p)) for p in m.get("presets") or ()],
        allow_list=_strings(m, "allow_list"),
    ),
    _MENTION_SPAM: lambda m: special_endpoints.AutoModMentionSpamTriggerBuilder(
        mention_total_limit=int(m["mention_total_limit"]),
        mention_raid_protection_enabled=bool(m.get("mention_raid_protection_enabled", False)),
    ),
    _MEMBER_PROFILE: lambda m: special_endpoints.AutoModMemberProfileTriggerBuilder(
        keyword_filter=_strings(m, "keyword_filter"),
        regex_patterns=_strings(m, "regex_patterns"),
        allow_list=_strings(m, "allow_list"),
    ),
}

_ACTIONS: Mapping[
    int, Callable[[Mapping[str, typing.Any]], special_endpoints_api.AutoModActionBuilder]
] = {
    ACTION_TYPES["block_message"]: lambda m: special_endpoints.AutoModBlockMessageActionBuilder(
        custom_message=m.get("custom_message")
    ),
    ACTION_TYPES["send_alert_message"]: lambda m: (
        special_endpoints.AutoModSendAlertMessageActionBuilder(
            channel_id=hikari.Snowflake(int(m["channel_id"]))
        )
    ),
    ACTION_TYPES["timeout"]: lambda m: special_endpoints.AutoModTimeoutActionBuilder(
        duration_seconds=int(m["duration_seconds"])
    ),
    ACTION_TYPES["block_member_interaction"]: lambda m: (
        special_endpoints.AutoModBlockMemberInteractionActionBuilder()
    ),
}


def _trigger_type_of(metadata: Mapping[str, typing.Any]) -> int:
    """The trigger type a PATCH's metadata belongs to (the body leaves the type out).

    hikari's edit sends only the builder's metadata, so a keyword builder stands for a
    member-profile rule too: both send the same three lists.
    """
    if "presets" in metadata:
        return _KEYWORD_PRESET
    if "mention_total_limit" in metadata:
        return _MENTION_SPAM
    if metadata.keys() & {"keyword_filter", "regex_patterns", "allow_list"}:
        return _KEYWORD
    return _SPAM


def _trigger(
    trigger_type: int, metadata: Mapping[str, typing.Any]
) -> special_endpoints_api.AutoModTriggerBuilder:
    build = _TRIGGERS.get(trigger_type)
    if build is None:
        msg = f"trigger_type {trigger_type} is not one hikari can build ({sorted(_TRIGGERS)})"
        raise AutomodBodyError(msg)
    return build(metadata)


def _actions(
    actions: Sequence[Mapping[str, typing.Any]],
) -> list[special_endpoints_api.AutoModActionBuilder]:
    built = []
    for action in actions:
        build = _ACTIONS.get(int(action["type"]))
        if build is None:
            msg = f"action type {action['type']} is not one hikari can build ({sorted(_ACTIONS)})"
            raise AutomodBodyError(msg)
        built.append(build(action.get("metadata") or {}))
    return built


async def _accepted(request: typing.Awaitable[hikari.AutoModRule]) -> None:
    """Await a create or edit whose answer spamguard does not need.

    hikari 2.6 and 2.7 cannot parse a rule with a BLOCK_MEMBER_INTERACTION action and
    raise ``UnrecognisedEntityError`` after Discord has accepted the request: the change
    is made, so that is a success here.
    """
    try:
        await request
    except hikari.UnrecognisedEntityError as error:
        _LOGGER.debug("spamguard: hikari could not parse the AutoMod rule it saved: %s", error)


def _snowflakes(values: Sequence[int | str]) -> list[hikari.Snowflake]:
    return [hikari.Snowflake(int(v)) for v in values]


async def execute_automod(
    bot: hikari.RESTAware, action: CreateAutoModRule | EditAutoModRule | DeleteAutoModRule
) -> None:
    """Carry out one AutoMod rule change with hikari, the action's reason in the audit log.

    Every field of the body is sent (name, event type, trigger and its metadata, actions,
    enabled, exempt roles and channels). Raises hikari's errors for the executor to
    classify, :class:`AutomodBodyError` for a body hikari cannot express, and
    :class:`NotAnAutomodActionError` for any other action.
    """
    rest = bot.rest
    if isinstance(action, DeleteAutoModRule):
        await rest.delete_auto_mod_rule(action.guild_id, action.rule_id, reason=action.reason)
        return
    if isinstance(action, CreateAutoModRule):
        body = action.rule
        request = rest.create_auto_mod_rule(
            action.guild_id,
            name=body["name"],
            event_type=int(body["event_type"]),
            trigger=_trigger(int(body["trigger_type"]), body.get("trigger_metadata") or {}),
            actions=_actions(body["actions"]),
            enabled=bool(body.get("enabled", True)),
            exempt_roles=_snowflakes(body.get("exempt_roles") or ()),
            exempt_channels=_snowflakes(body.get("exempt_channels") or ()),
            reason=action.reason,
        )
        await _accepted(request)
        return
    if isinstance(action, EditAutoModRule):
        body = action.rule
        undefined = hikari.UNDEFINED
        metadata = body.get("trigger_metadata")
        request = rest.edit_auto_mod_rule(
            action.guild_id,
            action.rule_id,
            name=body.get("name", undefined),
            event_type=int(body["event_type"]) if "event_type" in body else undefined,
            trigger=undefined
            if metadata is None
            else _trigger(int(body.get("trigger_type") or _trigger_type_of(metadata)), metadata),
            actions=_actions(body["actions"]) if "actions" in body else undefined,
            enabled=bool(body["enabled"]) if "enabled" in body else undefined,
            exempt_roles=_snowflakes(body["exempt_roles"]) if "exempt_roles" in body else undefined,
            exempt_channels=_snowflakes(body["exempt_channels"])
            if "exempt_channels" in body
            else undefined,
            reason=action.reason,
        )
        await _accepted(request)
        return
    msg = f"not an AutoMod rule change: {type(action).__name__} ({getattr(action, 'kind', '?')})"
    raise NotAnAutomodActionError(msg)


# -- gateway event ---------------------------------------------------------------------------


def automod_execution_from_event(
    event: hikari.events.AutoModActionExecutionEvent, *, at: datetime.datetime
) -> AutomodExecution:
    """The core's value for hikari's AUTO_MODERATION_ACTION_EXECUTION event, received at
    ``at`` (the event itself carries no time)."""
    return AutomodExecution(
        guild_id=int(event.guild_id),
        user_id=int(event.user_id),
        rule_id=int(event.rule_id),
        # Unset only for trigger types newer than this hikari.
        rule_trigger_type=0 if event.rule_trigger_type is None else int(event.rule_trigger_type),
        action_type=int(event.action.type),
        at=at,
        channel_id=None if event.channel_id is None else int(event.channel_id),
        message_id=None if event.message_id is None else int(event.message_id),
        content=event.content or "",
        matched_keyword=event.matched_keyword,
        matched_content=event.matched_content,
    )
