"""The keys of one rule and of its ``max_*`` checks, as data (see :mod:`.keys` for the
rest of a document, and :mod:`.fields` for what a key can hold)."""

from __future__ import annotations

__all__ = ("CHECK_DOCS", "CHECK_FIELDS", "RULE_FIELDS")

import typing

from spamguard.core.policy.fields import MAX_DURATION, Field, Kind, default_of
from spamguard.core.policy.model import CheckConfig, Punishment, RuleConfig, Scope

CHECK_DOCS: typing.Mapping[str, str] = {
    "max_messages": "Messages sent.",
    "max_mentions": "Users and roles mentioned, plus one for `@everyone` or `@here` "
    "(also when the text only tries it).",
    "max_links": "Links (URLs) in the messages.",
    "max_upper_case": "Upper-case letters.",
    "max_emojis": "Emojis, Unicode and custom.",
    "max_newlines": "Line breaks.",
    "max_attachments": "Attachments.",
    "max_duplicates": "Messages similar to an earlier one (see `accuracy`).",
    "max_characters": "Characters of text.",
    "max_stickers": "Stickers.",
    "max_invites": "Discord invite links.",
}
"""What each built-in check counts."""

CHECK_FIELDS: tuple[Field, ...] = (
    Field(
        name="count",
        kind=Kind.INTEGER,
        minimum=1,
        required=True,
        example=5,
        doc="The limit: the check fires when the total inside the window reaches it and the "
        "current message adds to it.",
    ),
    Field(
        name="interval",
        kind=Kind.SECONDS,
        required=True,
        example=10,
        doc="Length of the sliding window, seconds.",
    ),
    Field(
        name="punishment",
        kind=Kind.CHOICE,
        choices=Punishment,
        example="KICK",
        doc="Overrides the rule's `punishment` for this check.",
    ),
    Field(
        name="punishment_duration",
        kind=Kind.INTEGER,
        minimum=1,
        maximum=MAX_DURATION,
        example=600,
        doc="Overrides the rule's `punishment_duration` for this check, seconds.",
    ),
    Field(
        name="channel_whitelist",
        kind=Kind.IDS,
        doc="Channels where this check neither runs nor counts, besides the rule's own list.",
    ),
    Field(
        name="scope",
        kind=Kind.CHOICE,
        choices=Scope,
        default=default_of(CheckConfig, "scope"),
        doc="Whose messages share one window: `user` (a member across channels), "
        "`user_channel`, `channel` (everyone in a channel) or `guild`.",
    ),
    Field(
        name="accuracy",
        kind=Kind.INTEGER,
        minimum=0,
        maximum=100,
        default=default_of(CheckConfig, "accuracy"),
        doc="`max_duplicates` only: similarity (0-100) from which two messages are duplicates.",
    ),
    Field(
        name="meta",
        kind=Kind.ANY,
        example={"note": "raised after the March raid"},
        doc="Free-form notes kept with the check; spamguard ignores them.",
    ),
)
"""The keys of one ``max_*`` check."""

RULE_FIELDS: tuple[Field, ...] = (
    Field(
        name="punishment",
        kind=Kind.CHOICE,
        choices=Punishment,
        default=default_of(RuleConfig, "punishment"),
        example="TEMPMUTE",
        doc="What a violation of this rule's checks brings (Rowboat's names).",
    ),
    Field(
        name="punishment_duration",
        kind=Kind.INTEGER,
        minimum=1,
        maximum=MAX_DURATION,
        default=default_of(RuleConfig, "punishment_duration"),
        doc="Seconds, for TEMPMUTE, TIMEOUT and TEMPBAN. A TIMEOUT (or a TEMPMUTE without "
        "`mute_role_id`) longer than Discord's 28 days is refused.",
    ),
    Field(
        name="punishment_dms",
        kind=Kind.BOOLEAN,
        default=default_of(RuleConfig, "punishment_dms"),
        doc="Send the member `notices.dm` before the punishment is carried out.",
    ),
    Field(
        name="clean",
        kind=Kind.BOOLEAN,
        default=default_of(RuleConfig, "clean"),
        doc="Delete the messages that made up the violation, and the triggering one.",
    ),
    Field(
        name="clean_count",
        kind=Kind.INTEGER,
        minimum=1,
        default=default_of(RuleConfig, "clean_count"),
        doc="At most this many messages are cleaned per violation (the newest).",
    ),
    Field(
        name="clean_duration",
        kind=Kind.INTEGER,
        minimum=1,
        default=default_of(RuleConfig, "clean_duration"),
        doc="Only messages younger than this many seconds are cleaned.",
    ),
    Field(
        name="channel_whitelist",
        kind=Kind.IDS,
        default=(),
        doc="Channels (or thread parents) where none of this rule's checks run.",
    ),
)
"""A rule's own keys; its checks (:data:`CHECK_NAMES`) sit beside them."""
