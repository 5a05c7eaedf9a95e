"""The stand-in's interaction responses, as Discord documents them ("Receiving and
Responding"): ``POST /interactions/{interaction_id}/{interaction_token}/callback`` and the
followup webhook routes of ``/webhooks/{application_id}/{interaction_token}``.

A test hands the INTERACTION_CREATE payload it dispatches to `Interactions.receive`
(the gateway sent it), so the stand-in knows the interaction's id, token and channel:
a callback for an id or token it was not given is Discord's 404 ``Unknown
interaction`` (10062), a second callback is 400 ``Interaction has already been
acknowledged`` (40060), a followup before the callback or with another application's id
is 404 ``Unknown Webhook`` (10015).

The callback creates the original response: type 4 (CHANNEL_MESSAGE_WITH_SOURCE) a
message with the data's content, embeds, flags and allowed mentions; type 5 (DEFERRED)
a message in the loading state (flag 128, plus 64 when asked ephemeral) that
``PATCH .../messages/@original`` (or, as Discord still does for backwards
compatibility, the first followup) fills in. The answer is 204, or 200 with the
interaction callback response when ``with_response`` is true. These routes need no bot
token (the interaction token authorises them) and are not bound to the global rate
limit.

Every response is kept as an `InteractionResponse` (``api.interactions.responses``)
so a test reads the callback type, the flags (64: ephemeral), the content and the
allowed mentions; ``api.interactions.messages(id)`` holds the messages as they are now.
"""

from __future__ import annotations

__all__ = (
    "EPHEMERAL",
    "LOADING",
    "InteractionResponse",
    "Interactions",
    "callback",
    "create_followup",
    "delete_message",
    "edit_message",
    "get_message",
)

import asyncio
import dataclasses
import datetime
import typing

from support import payloads

from .responses import error_response, json_response, no_content

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from aiohttp import web

    from .responses import JSON, Call
    from .routes import DiscordState

EPHEMERAL: typing.Final = 1 << 6
"""Message flag: only the invoking user sees the message."""
LOADING: typing.Final = 1 << 7
"""Message flag: a deferred response still "thinking"."""

# Callback types (interaction callback type table) and which of them create a message.
_CALLBACK_TYPES: typing.Final = frozenset({1, 4, 5, 6, 7, 8, 9, 10, 12})
_CHANNEL_MESSAGE: typing.Final = 4
_DEFERRED_CHANNEL_MESSAGE: typing.Final = 5
# Only these flags may be set on an interaction's message.
_SETTABLE_FLAGS: typing.Final = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 13) | (1 << 15)
_TRUE: typing.Final = frozenset({"true", "True", "1"})
ORIGINAL: typing.Final = "@original"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class InteractionResponse:
    """One response a bot made to an interaction."""

    interaction_id: int
    """The interaction answered."""
    kind: str
    """``"callback"``, ``"edit_original"``, ``"followup"``, ``"edit_followup"`` or
    ``"delete"``."""
    type: int | None
    """The callback type (4 message, 5 deferred...); None for the webhook routes."""
    flags: int
    """Message flags asked for (64: ephemeral)."""
    content: str | None
    """Message content sent; None when the request left it out."""
    allowed_mentions: JSON | None
    """The ``allowed_mentions`` object sent; None when the request left it out."""
    embeds: tuple[JSON, ...]
    """Embeds sent."""
    body: typing.Any
    """The request body as sent."""

    @property
    def ephemeral(self) -> bool:
        """Whether the response asked to be seen by the invoking user only."""
        return bool(self.flags & EPHEMERAL)


@dataclasses.dataclass(slots=True, kw_only=True)
class _Interaction:
    payload: JSON
    acknowledged: bool = False
    original: JSON | None = None
    followups: dict[int, JSON] = dataclasses.field(default_factory=dict)


class Interactions:
    """The interactions the gateway sent and the responses the bot made to them."""

    def __init__(self) -> None:
        """No interaction yet."""
        self._by_id: dict[int, _Interaction] = {}
        self._by_token: dict[str, _Interaction] = {}
        self._responses: list[InteractionResponse] = []

    def receive(self, payload: Mapping[str, typing.Any]) -> None:
        """The gateway sent INTERACTION_CREATE ``payload``: its id and token may be
        answered from now on."""
        interaction = _Interaction(payload=dict(payload))
        self._by_id[int(payload["id"])] = interaction
        self._by_token[str(payload["token"])] = interaction

    @property
    def responses(self) -> tuple[InteractionResponse, ...]:
        """Every response so far, oldest first."""
        return tuple(self._responses)

    def of(self, interaction_id: int) -> tuple[InteractionResponse, ...]:
        """The responses made to one interaction, oldest first."""
        return tuple(r for r in self._responses if r.interaction_id == interaction_id)

    def messages(self, interaction_id: int) -> tuple[JSON, ...]:
        """The interaction's messages as they are now: the original response (if any)
        then the followups."""
        interaction = self._by_id[interaction_id]
        original = () if interaction.original is None else (interaction.original,)
        return (*original, *interaction.followups.values())

    async def answered(self, interaction_id: int, *, timeout: float = 5.0) -> JSON:
        """Wait until the interaction's original response is there and no longer loading
        (a message callback, or a deferred one edited); return that message.

        Raises TimeoutError when it does not come within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while True:
                interaction = self._by_id.get(interaction_id)
                original = interaction.original if interaction is not None else None
                if original is not None and not original["flags"] & LOADING:
                    return original
                await asyncio.sleep(0.005)

    def _record(
        self, interaction: _Interaction, kind: str, body: typing.Any, type_: int | None = None
    ) -> None:
        data = body if type_ is None else (body or {}).get("data")
        data = data if isinstance(data, dict) else {}
        self._responses.append(
            InteractionResponse(
                interaction_id=int(interaction.payload["id"]),
                kind=kind,
                type=type_,
                flags=int(data.get("flags") or 0),
                content=data.get("content"),
                allowed_mentions=data.get("allowed_mentions"),
                embeds=tuple(data.get("embeds") or ()),
                body=body,
            )
        )


def _interactions(state: DiscordState) -> Interactions:
    return state.interactions


def _message(
    state: DiscordState, interaction: _Interaction, data: Mapping[str, typing.Any], flags: int
) -> JSON:
    """An interaction's message: a webhook message of the application in the channel of
    the interaction."""
    channel_id = int(interaction.payload["channel_id"])
    message = state.message_payload(channel_id, {**data, "flags": flags})
    message["webhook_id"] = str(state.application_id)
    message["application_id"] = str(state.application_id)
    message["type"] = 20  # CHAT_INPUT_COMMAND
    return message


def _is_empty(data: Mapping[str, typing.Any]) -> bool:
    return not (data.get("content") or data.get("embeds") or data.get("components"))


def _unknown_webhook() -> web.Response:
    return error_response(404, 10015, "Unknown Webhook")


async def callback(state: DiscordState, call: Call) -> web.Response:
    """``POST /interactions/{interaction_id}/{interaction_token}/callback``."""
    log = _interactions(state)
    interaction = log._by_token.get(call.params["interaction_token"])
    if interaction is None or int(interaction.payload["id"]) != call.snowflake("interaction_id"):
        return error_response(404, 10062, "Unknown interaction")
    if interaction.acknowledged:
        return error_response(400, 40060, "Interaction has already been acknowledged.")
    body = call.json if isinstance(call.json, dict) else {}
    kind = body.get("type")
    if kind not in _CALLBACK_TYPES:
        return error_response(
            400,
            50035,
            "Invalid Form Body",
            errors={
                "type": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_CHOICES",
                            "message": f"Value must be one of {sorted(_CALLBACK_TYPES)}.",
                        }
                    ]
                }
            },
        )
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    flags = int(data.get("flags") or 0) & _SETTABLE_FLAGS
    if kind == _CHANNEL_MESSAGE:
        if _is_empty(data):
            return error_response(400, 50006, "Cannot send an empty message")
        interaction.original = _message(state, interaction, data, flags)
    elif kind == _DEFERRED_CHANNEL_MESSAGE:
        interaction.original = _message(state, interaction, {}, (flags & EPHEMERAL) | LOADING)
    interaction.acknowledged = True
    log._record(interaction, "callback", body, kind)
    if call.query.get("with_response") not in _TRUE:
        return no_content()
    original = interaction.original
    answer: JSON = {
        "interaction": {
            "id": str(interaction.payload["id"]),
            "type": int(interaction.payload["type"]),
            **(
                {
                    "response_message_id": original["id"],
                    "response_message_loading": bool(original["flags"] & LOADING),
                    "response_message_ephemeral": bool(original["flags"] & EPHEMERAL),
                }
                if original is not None
                else {}
            ),
        },
        "resource": {"type": kind}
        | ({"message": original} if kind == _CHANNEL_MESSAGE and original else {}),
    }
    return json_response(200, answer)


def _followed(state: DiscordState, call: Call) -> _Interaction | None:
    """The acknowledged interaction a webhook route names, or None (Unknown Webhook)."""
    interaction = _interactions(state)._by_token.get(call.params["interaction_token"])
    if (
        interaction is None
        or not interaction.acknowledged
        or call.snowflake("application_id") != state.application_id
    ):
        return None
    return interaction


def _find(interaction: _Interaction, message_id: str) -> JSON | None:
    if message_id == ORIGINAL:
        return interaction.original
    return interaction.followups.get(int(message_id)) if message_id.isdigit() else None


async def create_followup(state: DiscordState, call: Call) -> web.Response:
    """``POST /webhooks/{application_id}/{interaction_token}``: a followup message (the
    loading original is filled in instead while a deferred response waits)."""
    interaction = _followed(state, call)
    if interaction is None:
        return _unknown_webhook()
    data = call.json if isinstance(call.json, dict) else {}
    if _is_empty(data):
        return error_response(400, 50006, "Cannot send an empty message")
    original = interaction.original
    if original is not None and original["flags"] & LOADING:
        # Deprecated but documented: the first followup edits the deferred message and
        # keeps its ephemeral state.
        _fill(original, data, loading_done=True)
        message = original
    else:
        flags = int(data.get("flags") or 0) & _SETTABLE_FLAGS
        message = _message(state, interaction, data, flags)
        interaction.followups[int(message["id"])] = message
    _interactions(state)._record(interaction, "followup", data)
    return json_response(200, message)


def _fill(message: JSON, data: Mapping[str, typing.Any], *, loading_done: bool) -> None:
    for field in ("content", "embeds", "components", "allowed_mentions"):
        if field in data:
            message[field] = data[field]
    if loading_done:
        message["flags"] = int(message["flags"]) & ~LOADING
    message["edited_timestamp"] = payloads.timestamp(datetime.datetime.now(tz=datetime.UTC))


async def get_message(state: DiscordState, call: Call) -> web.Response:
    """``GET /webhooks/{application_id}/{interaction_token}/messages/{message_id}``
    (``@original`` for the original response)."""
    interaction = _followed(state, call)
    if interaction is None:
        return _unknown_webhook()
    message = _find(interaction, call.params["message_id"])
    return (
        json_response(200, message)
        if message is not None
        else error_response(404, 10008, "Unknown Message")
    )


async def edit_message(state: DiscordState, call: Call) -> web.Response:
    """``PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}``:
    edit the original response (a deferred one leaves its loading state) or a followup."""
    interaction = _followed(state, call)
    if interaction is None:
        return _unknown_webhook()
    message_id = call.params["message_id"]
    message = _find(interaction, message_id)
    if message is None:
        return error_response(404, 10008, "Unknown Message")
    data = call.json if isinstance(call.json, dict) else {}
    _fill(message, data, loading_done=True)
    kind = "edit_original" if message_id == ORIGINAL else "edit_followup"
    _interactions(state)._record(interaction, kind, data)
    return json_response(200, message)


async def delete_message(state: DiscordState, call: Call) -> web.Response:
    """``DELETE /webhooks/{application_id}/{interaction_token}/messages/{message_id}``."""
    interaction = _followed(state, call)
    if interaction is None:
        return _unknown_webhook()
    message_id = call.params["message_id"]
    if _find(interaction, message_id) is None:
        return error_response(404, 10008, "Unknown Message")
    if message_id == ORIGINAL:
        interaction.original = None
    else:
        interaction.followups.pop(int(message_id))
    _interactions(state)._record(interaction, "delete", None)
    return no_content()
