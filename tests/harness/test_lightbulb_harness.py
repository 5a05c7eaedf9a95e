"""The offline lightbulb 3 client: extensions load and ``client.start()`` syncs offline.

Runs in the ``lightbulb`` tox env (hikari-lightbulb installed).
"""

from __future__ import annotations

import lightbulb
from support import payloads
from support.hikari_harness import lightbulb_client


async def test_extension_listener_fires_and_start_syncs_commands_offline(
    world: payloads.GuildWorld,
) -> None:
    async with lightbulb_client(world, extensions=["harness.lightbulb_extension"]) as (h, client):
        assert isinstance(client, lightbulb.GatewayEnabledClient)
        await h.send_message(content="spam spam")

    api = h.api
    assert [(r.method, r.route) for r in api.requests[:3]] == [
        ("GET", "/oauth2/applications/@me"),
        ("GET", "/applications/{application_id}/commands"),
        ("PUT", "/applications/{application_id}/commands"),
    ]
    assert [c["name"] for c in api.requests[2].json] == ["ping"]
    assert api.find("DELETE", "/channels/{c}/messages/{m}")[0].reason == "spam (lightbulb)"
