"""A local stand-in of the Discord REST API v10 on 127.0.0.1, in two modules:

* `server`: `DiscordAPI`, the aiohttp server with its request log (`RecordedRequest`,
  ``find``, ``wait_for``) and scripted failures (``fail``);
* `routes`: the state Discord keeps (users, members, bans, messages, AutoMod rules,
  commands) and the handler of each route a moderation bot uses.
"""

from __future__ import annotations

__all__ = ("API_PREFIX", "DiscordAPI", "RecordedRequest", "ScriptedFailure", "fake_token")

from .server import API_PREFIX, DiscordAPI, RecordedRequest, ScriptedFailure, fake_token
