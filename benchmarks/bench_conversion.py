"""What an adapter's conversion costs: a library message object in, the core's message out.

Run from the repository root, with spamguard and the library installed (see
``benchmarks/README.md``)::

    python benchmarks/bench_conversion.py --library hikari --callgrind   # the figures
    python benchmarks/bench_conversion.py --library nextcord --stage process --policy default

The messages are real library objects: the workload's (``workload.py``) ``GUILD_CREATE``
payloads fill the library's own cache, without connecting anywhere, and each
``MESSAGE_CREATE`` payload becomes the object the library hands a bot:

- hikari: a ``GatewayBot`` that never starts; ``GUILD_CREATE`` goes through
  ``event_manager.consume_raw_event`` (hikari's own consumer fills the cache) and each
  message through ``event_factory.deserialize_message_create_event``, the
  ``GuildMessageCreateEvent`` a listener receives;
- nextcord, disnake: a ``Client`` that never connects; ``GUILD_CREATE`` goes to its
  ``ConnectionState`` and each message becomes a library ``Message``, as
  ``parse_message_create`` builds it.

The pool (``--pool``) is built first, the same in every run; then the first
``--messages`` of it are converted (``--stage convert``: the adapter's converter, what the
listener calls), or converted and decided (``--stage process``: ``Guard.process`` with the
comparable policy of ``bench_guard.py`` or ``Policy.default()``; each plan is dropped).
Two runs with the same pool and N and 2N messages differ only in N more messages, so
under callgrind ``(Ir(2N) - Ir(N)) / N`` is the cost of one. ``--callgrind`` runs
exactly that (valgrind must be on PATH) for every stage and policy, or those given with
``--stage`` and ``--policy``, and prints the table;
without it, one run prints the wall time per message, a rough figure on a shared machine.
``--parts`` gives every message two image attachments and a sticker, and makes every
fourth a forward (``message_snapshots`` with text and an image): what converting files,
stickers and forwards costs (the workload's own messages carry none).
"""

from __future__ import annotations

__all__ = ("main",)

import argparse
import base64
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import typing

import workload as workload_mod
from bench_guard import COMPARABLE_POLICY

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workload import Workload

LIBRARIES = ("hikari", "nextcord", "disnake")
STAGES = ("convert", "process")
POLICIES = ("comparable", "default")


def _converter(module: str, before: str) -> typing.Any:
    """The adapter module that holds a converter: ``spamguard.adapters.<module>``, or
    where it lived before issue 21 (``<before>``), so the same script measures both."""
    import importlib

    try:
        return importlib.import_module(f"spamguard.adapters.{module}")
    except ImportError:
        return importlib.import_module(f"spamguard.adapters.{before}")


def _hikari(
    workload: Workload, guilds: Sequence[dict[str, typing.Any]]
) -> Callable[..., typing.Any]:
    import hikari

    message_from_create = _converter("hikari.convert", "_hikari_convert").message_from_create

    class _Shard:
        # What hikari's event consumers ask of a shard: its id and the bot's user id.
        id = 0

        def get_user_id(self) -> hikari.Snowflake:
            return hikari.Snowflake(workload.bot_user_id)

    # hikari reads the bot's id from the token's first segment; nothing else checks it.
    token = base64.b64encode(str(workload.bot_user_id).encode()).decode().rstrip("=")
    bot = hikari.GatewayBot(
        f"{token}.offline.offline",
        intents=hikari.Intents.ALL_UNPRIVILEGED
        | hikari.Intents.GUILD_MEMBERS
        | hikari.Intents.MESSAGE_CONTENT,
        banner=None,
        logs=None,
        auto_chunk_members=False,
        suppress_optimization_warning=True,
    )
    shard = typing.cast("hikari.api.GatewayShard", _Shard())
    me = {"id": str(workload.bot_user_id), "username": "antispam-bot", "global_name": None}
    me |= {"discriminator": "0", "avatar": None, "bot": True, "mfa_enabled": False, "flags": 0}
    typing.cast("typing.Any", bot.cache).set_me(bot.entity_factory.deserialize_my_user(me))
    for payload in guilds:
        bot.event_manager.consume_raw_event("GUILD_CREATE", shard, payload)

    def build(payloads: Sequence[dict[str, typing.Any]]) -> list[typing.Any]:
        factory = bot.event_factory
        return [factory.deserialize_message_create_event(shard, p) for p in payloads]

    return lambda payloads: (build(payloads), message_from_create)


def _dpy(
    library: str, workload: Workload, guilds: Sequence[dict[str, typing.Any]]
) -> Callable[..., typing.Any]:
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nextcord 2.6: audioop, pkg_resources
        module = importlib.import_module(library)
        converter = _converter("dpy.convert", "_dpy")
        flavours = _converter("dpy.flavour", "_dpy")

    intents = module.Intents.default()
    intents.members = True
    intents.message_content = True
    client = module.Client(intents=intents, max_messages=None)
    state = client._connection
    me = {"id": str(workload.bot_user_id), "username": "antispam-bot", "global_name": None}
    me |= {"discriminator": "0", "avatar": None, "bot": True}
    state.user = module.ClientUser(state=state, data=me)
    for payload in guilds:
        state._add_guild_from_data(payload)
    library_flavour = flavours.flavour(typing.cast("typing.Any", library))
    to_core_message = converter.to_core_message

    def build(payloads: Sequence[dict[str, typing.Any]]) -> list[typing.Any]:
        messages = []
        for payload in payloads:
            channel, _guild = state._get_guild_channel(payload)
            messages.append(module.Message(state=state, channel=channel, data=payload))
        return messages

    def convert(message: typing.Any) -> typing.Any:
        return to_core_message(library_flavour, message)

    return lambda payloads: (build(payloads), convert)


def _with_parts(payloads: Sequence[dict[str, typing.Any]]) -> None:
    """Attachments, a sticker and (every fourth message) a forward, in place (``--parts``)."""

    def image(number: int, name: str) -> dict[str, typing.Any]:
        url = f"https://cdn.discordapp.com/attachments/1/{number}/{name}"
        return {
            "id": str(number),
            "filename": name,
            "size": 40_000 + number % 1000,
            "url": url,
            "proxy_url": url,
            "content_type": "image/png",
            "width": 512,
            "height": 512,
        }

    for index, payload in enumerate(payloads):
        base = 1_000_000 + 3 * index
        payload["attachments"] = [image(base, "a.png"), image(base + 1, "b.png")]
        payload["sticker_items"] = [{"id": "749054660769218631", "name": "wave", "format_type": 1}]
        if index % 4 == 0:
            snapshot = {
                "type": 0,
                "content": "free nitro, claim now",
                "embeds": [],
                "attachments": [image(base + 2, "gift.png")],
                "timestamp": payload["timestamp"],
                "edited_timestamp": None,
                "flags": 0,
                "mentions": [],
                "mention_roles": [],
                "components": [],
            }
            payload["message_snapshots"] = [{"message": snapshot}]
            payload["message_reference"] = {"type": 1, "channel_id": payload["channel_id"]}


def _start_counting() -> None:
    """Switch callgrind's instrumentation on (the run started with it off), and return
    once it is: what came before (imports, the workload, the pool) is not counted, and
    runs under valgrind several times faster."""
    command = ["callgrind_control", "--instr=on", str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)


def run(
    library: str,
    stage: str,
    policy_name: str,
    pool: int,
    messages: int,
    *,
    count: bool = False,
    parts: bool = False,
) -> float:
    """Build ``pool`` library messages, convert (and decide) the first ``messages`` of
    them; the seconds the loop took. ``count``: under callgrind, count only the loop;
    ``parts``: with attachments, stickers and forwards (:func:`_with_parts`)."""
    from spamguard.core import Guard, Policy

    workload = workload_mod.generate(messages=pool)
    guilds = workload_mod.guild_create_payloads(workload)
    payloads = workload_mod.message_create_payloads(workload)
    if parts:
        _with_parts(payloads)
    world = _hikari(workload, guilds) if library == "hikari" else _dpy(library, workload, guilds)
    objects, convert = world(payloads)
    objects = objects[:messages]
    if count:
        _start_counting()
    if stage == "convert":
        start = time.perf_counter()
        for obj in objects:
            convert(obj)
        return time.perf_counter() - start
    policy = (
        Policy.from_dict(COMPARABLE_POLICY) if policy_name == "comparable" else Policy.default()
    )
    guard = Guard(policy)
    process = guard.process
    if count:
        _start_counting()
    start = time.perf_counter()
    for obj in objects:
        message = convert(obj)
        if message is None:
            raise AssertionError("every workload message is one a member typed")
        process(message)
    return time.perf_counter() - start


def _instructions(argv: list[str]) -> int:
    """Instructions callgrind counts for one run of this script with ``argv``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp, "callgrind.out")
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
        command += [f"--callgrind-out-file={out}", sys.executable, __file__, *argv, "--count"]
        # A fixed hash seed: set and dict orders, and so the instructions, repeat.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(command, check=True, capture_output=True, env=env)
        match = re.search(r"^summary: (\d+)$", out.read_text(), re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no summary line in callgrind's output of {argv}")
        return int(match.group(1))


ROWS = (("convert", "comparable"), ("process", "comparable"), ("process", "default"))
"""What --callgrind measures: conversion alone, then end to end under each policy."""


def _callgrind_table(
    library: str, pool: int, messages: int, rows: Sequence[tuple[str, str]], extra: Sequence[str]
) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--callgrind needs valgrind on PATH")
    print(f"{library}: instructions per message, (Ir(2N) - Ir(N)) / N, N = {messages}, pool {pool}")
    for stage, policy in rows:
        common = ["--library", library, "--pool", str(pool), "--stage", stage, "--policy", policy]
        common += extra
        once = _instructions([*common, "--messages", str(messages)])
        twice = _instructions([*common, "--messages", str(2 * messages)])
        label = "conversion alone" if stage == "convert" else f"end to end, {policy} policy"
        print(f"  {label:<34} {(twice - once) / messages:>10,.0f}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", choices=LIBRARIES, default="hikari")
    parser.add_argument(
        "--stage", choices=STAGES, help="convert (default), or convert and Guard.process"
    )
    parser.add_argument(
        "--policy", choices=POLICIES, help="for --stage process (default: comparable)"
    )
    parser.add_argument("--pool", type=int, default=2_000, help="library messages built")
    parser.add_argument("--messages", type=int, help="messages converted (default: the pool)")
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="count instructions per message under callgrind, every stage and policy",
    )
    parser.add_argument(
        "--parts", action="store_true", help="attachments, stickers and forwards on the messages"
    )
    # Given by --callgrind to the runs it starts under valgrind: count only the loop.
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.callgrind:
        n = args.messages or args.pool // 2
        if 2 * n > args.pool:
            parser.error("--callgrind converts 2 x --messages: the pool must hold them")
        rows = [
            row
            for row in ROWS
            if args.stage in (None, row[0])
            and (args.policy in (None, row[1]) or row[0] == "convert")
        ]
        _callgrind_table(args.library, args.pool, n, rows, ["--parts"] if args.parts else [])
        return
    args.stage = args.stage or "convert"
    args.policy = args.policy or "comparable"
    n = args.messages or args.pool
    if n > args.pool:
        parser.error("--messages cannot exceed --pool")
    seconds = run(
        args.library, args.stage, args.policy, args.pool, n, count=args.count, parts=args.parts
    )
    what = (
        "conversion" if args.stage == "convert" else f"conversion + Guard.process ({args.policy})"
    )
    print(f"{args.library}: {what}: {seconds / n * 1e6:.2f} us per message over {n}")


if __name__ == "__main__":
    main()
