"""The example bot of the library under test builds a protected bot."""

from __future__ import annotations

import importlib.util
import pathlib

from adapter_dpy.dpy_world import ADAPTER

from spamguard.adapters import dpy

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / f"{ADAPTER}_bot.py"


async def test_the_example_bot_is_protected_by_spamguard(tmp_path: pathlib.Path) -> None:
    spec = importlib.util.spec_from_file_location(f"{ADAPTER}_example_bot", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("version: 1\nspam: {levels: {0: {punishment: KICK}}}\n", "utf-8")

    bot = example.build_bot(str(policy_file))
    try:
        cog = bot.get_cog(dpy.COG_NAME)
        policy = cog.protection.guard.policy
        assert policy.base.levels[0][1].punishment == "KICK"
        assert bot.intents.message_content
        assert bot.intents.members
    finally:
        await bot.close()
