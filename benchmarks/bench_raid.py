"""A raid on real discord.py, nextcord, disnake and hikari bots: how many REST requests
spamguard needs, against the fewest that could do, and how soon every raid message is gone.

Run from the repository root, with spamguard (``[test]``) and the libraries installed (see
``benchmarks/README.md``)::

    python benchmarks/bench_raid.py                       # every library, the issue's raid
    python benchmarks/bench_raid.py --library hikari --raiders 12 --seconds 1.5

Each library's real bot (the harnesses of ``tests/support``; ``--library discordpy`` is
discord.py) talks to the local REST stand-in (``tests/support/discord_api``) and is
protected with ``attach(bot, policy=...)``, every other option at its default; the policy
is "5 messages in 10 s -> TIMEOUT 300 s, clean". ``--raiders`` new members each post
``--messages`` messages into one channel, fed as gateway MESSAGE_CREATE events
interleaved over ``--seconds`` of real time (the wall clock: spamguard and the library
see real time). The raiders are members the library has not cached (GUILD_CREATE does
not list them; each message carries its author's member, as for a bot that does not
chunk a large guild), unless ``--cached``. Then it waits until every raid message is
deleted and every raider timed out, or ``--cap`` seconds, and closes the bot. The driver
and the counting are `support.raid`'s, shared with the contract suite's raid test.
Figures are printed, never asserted; targets missed are printed as such.
"""

from __future__ import annotations

__all__ = ("main",)

import argparse
import asyncio
import importlib.metadata
import logging
import pathlib
import platform
import sys
import typing
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "tests"))

import support.discord_api
from support.library_harness import load_library
from support.raid import KINDS, RaidResult, run_raid

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

LIBRARIES = ("discordpy", "nextcord", "disnake", "hikari")
"""``--library`` values: `support.library_harness.HARNESSES`' names."""
DISTRIBUTIONS = {"discordpy": "discord.py"}
"""The distribution of a library whose name is not its own."""
RATIO_TARGET = 1.25
"""Requests per request of the floor, at most (issue 23)."""
DELETION_TARGET = 5.0
"""Seconds from the last raid message to the last deletion, at most (issue 23)."""


class _Counting(logging.Handler):
    """Counts spamguard's warnings and errors instead of printing one line each."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _when(seconds: float) -> str:
    side = "after" if seconds >= 0 else "before"
    return f"{abs(seconds):.2f} s {side} the last raid message"


def _verdict(met: bool) -> str:
    return "met" if met else "target missed"


def report(name: str, result: RaidResult, warnings: Sequence[str]) -> list[str]:
    """The lines printed for the raid on library ``name``."""
    kinds = result.kinds()
    deleted = result.deletions().values()
    timed = result.timeouts().values()
    after = result.last_deletion_after()
    timeout = result.last_timeout_after()
    version = importlib.metadata.version(DISTRIBUTIONS.get(name, name))
    lines = [
        f"{name} {version}: {len(result.raiders)} raiders, {len(result.sent)} raid "
        f"messages fed in {result.fed_in:.2f} s",
        f"  requests: {len(result.requests)} ("
        + ", ".join(f"{kind} {kinds[kind]}" for kind in KINDS)
        + f"); answered 429: {result.rate_limited()}",
        f"  floor: {result.floor} ({result.punished} timeouts + "
        f"{result.floor - result.punished} bulk deletes); ratio {result.ratio:.2f} "
        f"(target <= {RATIO_TARGET}: {_verdict(result.ratio <= RATIO_TARGET)})",
        f"  raid messages deleted: once {sum(n == 1 for n in deleted)}, "
        f"twice or more {sum(n > 1 for n in deleted)}, never {sum(n == 0 for n in deleted)}",
        f"  raiders timed out: once {sum(n == 1 for n in timed)}, "
        f"more than once {sum(n > 1 for n in timed)}, never {sum(n == 0 for n in timed)}",
        "  last deletion: "
        + (
            f"{_when(after)} (target <= {DELETION_TARGET:g} s: {_verdict(after <= DELETION_TARGET)})"
            if after is not None
            else "none"
        ),
        "  last timeout: " + (_when(timeout) if timeout is not None else "none"),
        f"  spamguard warnings and errors: {len(warnings)}",
    ]
    distinct = sorted(set(warnings), key=warnings.index)
    lines += [f"    {w} (x{warnings.count(w)})" for w in distinct[:5]]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the raid on each library asked for and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", choices=(*LIBRARIES, "all"), default="all")
    parser.add_argument("--raiders", type=int, default=40, help="raiding members (40)")
    parser.add_argument("--messages", type=int, default=8, help="messages per raider (8)")
    parser.add_argument(
        "--seconds", type=float, default=4.0, help="real time the raid is fed over (4)"
    )
    parser.add_argument(
        "--count", type=int, default=5, help="the policy's messages in 10 s before a timeout (5)"
    )
    parser.add_argument(
        "--cap", type=float, default=30.0, help="seconds to wait after the raid at most (30)"
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="list the raiders in GUILD_CREATE, so the library caches them before the raid",
    )
    args = parser.parse_args(argv)
    # nextcord warns at import when discord.py (the bench environment's peer library, for
    # bench_guard.py) is installed: the two live in separate packages, nothing clashes.
    warnings.filterwarnings("ignore", message="discord.py is installed", module="nextcord")
    # nextcord 2.6.0 imports pkg_resources.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", module="nextcord")

    handler = _Counting()
    logger = logging.getLogger("spamguard")
    logger.addHandler(handler)
    logger.propagate = False
    emulated = hasattr(support.discord_api, "RateLimits")
    print(
        f"Python {platform.python_version()}; the stand-in "
        + ("emulates Discord's rate limits" if emulated else "does not emulate rate limits")
    )
    for name in LIBRARIES if args.library == "all" else (args.library,):
        handler.messages.clear()
        result = asyncio.run(
            run_raid(
                load_library(name),
                raiders=args.raiders,
                messages=args.messages,
                seconds=args.seconds,
                count=args.count,
                cap=args.cap,
                cached=args.cached,
            )
        )
        print("\n".join(report(name, result, handler.messages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
