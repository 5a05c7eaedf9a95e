"""A local stand-in of the Discord REST API v10 on 127.0.0.1, in these modules:

* `server`: `DiscordAPI`, the aiohttp server with its request log (`RecordedRequest`,
  ``find``, ``wait_for``, ``rate_limited``) and scripted failures (``fail``);
* `failures`: the `ScriptedFailure` ``fail`` builds, with Discord's codes and messages;
* `routes`: the state Discord keeps (users, members, bans, messages, AutoMod rules,
  commands) and the handler of each route a moderation bot uses;
* `interactions`: interaction callbacks and followup webhooks, with every response
  recorded as an `InteractionResponse` (``api.interactions``);
* `embeds`: Discord's embed limits, enforced on the messages the bot sends;
* `ratelimits`: Discord's rate limits (`RateLimits`, on by default), their headers and
  their 429s.
"""

from __future__ import annotations

__all__ = (
    "API_PREFIX",
    "DISCORD_RATE_LIMITS",
    "DiscordAPI",
    "InteractionResponse",
    "Interactions",
    "Limit",
    "RateLimits",
    "RecordedRequest",
    "ScriptedFailure",
    "fake_token",
)

from .interactions import InteractionResponse, Interactions
from .ratelimits import DISCORD_RATE_LIMITS, Limit, RateLimits
from .server import API_PREFIX, DiscordAPI, RecordedRequest, ScriptedFailure, fake_token
