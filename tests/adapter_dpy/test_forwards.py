"""What only the discord.py family does about forwards: where each library version keeps
a forward's snapshots, the snapshots kept for nextcord 2.6 (which drops them), and the
check in front of MESSAGE_CREATE's parser, removed with spamguard (the shared behaviour is
in tests/adapter_contract/test_message_parts.py)."""

from __future__ import annotations

import importlib

from adapter_dpy.dpy_world import LIBRARY, adapter, make_policy
from support import payloads
from support.dpy_harness import dpy_bot

from spamguard.adapters.dpy.flavour import flavour
from spamguard.adapters.dpy.forwards import KeptSnapshots
from spamguard.core.message_parts import MessageParts


def test_the_flavour_reads_snapshots_where_the_installed_library_keeps_them() -> None:
    module = importlib.import_module(LIBRARY)
    expected = {"discord": "message_snapshots", "disnake": "message_snapshots"}.get(
        LIBRARY,
        # nextcord 3 keeps them as `snapshots`; 2.6 (the newest for Python 3.11) drops them.
        "snapshots" if module.version_info.major >= 3 else None,
    )
    assert flavour(LIBRARY).snapshot_attribute == expected


def test_kept_snapshots_forget_the_oldest_beyond_their_size() -> None:
    kept = KeptSnapshots(size=2)
    for message_id in (1, 2, 3):
        kept.put(message_id, (MessageParts(content=str(message_id)),))

    assert kept.pop(1) == ()
    assert kept.pop(3) == (MessageParts(content="3"),)
    assert kept.pop(3) == ()


async def test_detaching_gives_the_library_its_own_message_parser_back() -> None:
    async with dpy_bot(LIBRARY, payloads.build_world()) as h:
        parsers = h.bot._connection.parsers
        original = parsers["MESSAGE_CREATE"]
        protection = adapter().attach(h.bot, policy=make_policy(), load_entrypoints=False)
        assert parsers["MESSAGE_CREATE"] is not original

        await protection.detach()

        assert parsers["MESSAGE_CREATE"] is original
