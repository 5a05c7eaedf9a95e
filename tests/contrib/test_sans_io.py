"""contrib stays sans-IO like the core: importing every contrib module (the async facade
included) pulls in no asyncio, no Discord library and no adapter."""

from __future__ import annotations

import json
import subprocess
import sys

CONTRIB_MODULES = (
    "spamguard.contrib",
    "spamguard.contrib.antispam",
    "spamguard.contrib.antispam.handler",
    "spamguard.contrib.antispam.plugins",
    "spamguard.contrib.deny_file",
    "spamguard.contrib.domains",
    "spamguard.contrib.join_raid",
    "spamguard.contrib.join_raid_report",
    "spamguard.contrib.join_raid_settings",
    "spamguard.contrib.link_filter",
    "spamguard.contrib.lookalikes",
    "spamguard.contrib.mass_mention",
    "spamguard.contrib.message_length",
    "spamguard.contrib.metrics",
    "spamguard.contrib.raid",
    "spamguard.contrib.stats",
)
FORBIDDEN = ("asyncio", "hikari", "lightbulb", "nextcord", "disnake", "spamguard.adapters")

PROBE = """
import json, sys
for name in {modules!r}:
    __import__(name)
print(json.dumps(sorted(m for m in {forbidden!r} if m in sys.modules)))
"""


def test_importing_contrib_loads_no_asyncio_discord_library_or_adapter() -> None:
    code = PROBE.format(modules=CONTRIB_MODULES, forbidden=FORBIDDEN)
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(output) == []


def test_the_probe_does_see_a_forbidden_module_when_one_is_imported() -> None:
    code = PROBE.format(modules=("asyncio",), forbidden=FORBIDDEN)
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(output) == ["asyncio"]
