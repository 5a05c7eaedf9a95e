"""One decision on long messages: what the near-duplicate check costs as texts grow.

A member sends ``--flood`` near-identical messages of N characters (one text between a
counter at each end), one a second; the message after them is timed, on a fresh guard
per pass, and the fastest and slowest of ``--repeat`` passes are printed, for
``Policy.default()`` and for a policy with every built-in check on (duplicates as in the
default, the other limits out of reach). Duplicates are compared on at most
``spamguard.core.text.COMPARED_LENGTH`` normalised characters: past that length the figures
should stay flat, where before the bound they grew with the square of N (4.3 s for one
100,000-character message under every check). What still grows with N is the linear work
on the whole content (counting capitals, links, emojis, the checksum). Figures are
printed, never asserted. From the repository root::

    python benchmarks/bench_long_text.py
    python benchmarks/bench_long_text.py --lengths 4000 100000 --flood 15 --repeat 5
"""

from __future__ import annotations

__all__ = ("main",)

import argparse
import datetime
import random
import time
import typing

from spamguard.core import Guard, Message, Policy
from spamguard.core.policy import CHECK_NAMES
from spamguard.core.text import COMPARED_LENGTH

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_ALPHABET = "abcdefghijklmnopqrstuvwxyz      ABCDEFGHIJ"


def every_check_policy() -> Policy:
    """Every built-in check on: duplicates as in ``Policy.default()``, the others out of
    the flood's reach."""
    checks: dict[str, dict[str, typing.Any]] = {
        name: {"count": 1_000_000, "interval": 60} for name in CHECK_NAMES
    }
    checks["max_duplicates"] = {"count": 5, "interval": 30, "accuracy": 90}
    return Policy.from_dict({"spam": {"levels": {0: {"punishment": "KICK", **checks}}}})


def flood(length: int, count: int, rng: random.Random) -> list[Message]:
    """``count`` messages of ``length`` characters: one text, each with its own first and
    last three characters (spam's usual counter, at both ends so that no common prefix
    or suffix spares the comparison any work)."""
    base = "".join(rng.choice(_ALPHABET) for _ in range(length - 6))
    messages = []
    for index in range(count):
        content = f"{rng.randrange(1000):03}{base}{rng.randrange(1000):03}"
        created_at = T0 + datetime.timedelta(seconds=index)
        messages.append(
            Message(
                id=index + 1, guild_id=1, channel_id=2, author_id=3, content=content,
                created_at=created_at,
            )
        )  # fmt: skip
    return messages


def time_last(policy: Policy, messages: Sequence[Message]) -> float:
    """Seconds ``Guard.process`` takes for the last of ``messages``, after the others."""
    guard = Guard(policy, load_entrypoints=False)
    for message in messages[:-1]:
        guard.process(message)
    start = time.perf_counter()
    guard.process(messages[-1])
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; the exit status is 0 unless something crashes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lengths", type=int, nargs="+", default=[200, 2000, 4000, 20_000, 100_000]
    )
    parser.add_argument("--flood", type=int, default=15, help="messages before the timed one")
    parser.add_argument("--repeat", type=int, default=5, help="passes per cell")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)
    policies = (("Policy.default()", Policy.default()), ("every check", every_check_policy()))
    print(
        f"one decision after {args.flood} near-identical messages; duplicates compared on "
        f"at most {COMPARED_LENGTH:,} characters; fastest / slowest of {args.repeat} passes"
    )
    print(f"{'characters':>10}  " + "  ".join(f"{name:>24}" for name, _ in policies))
    rng = random.Random(args.seed)
    for length in args.lengths:
        messages = flood(length, args.flood + 1, rng)
        cells = []
        for _name, policy in policies:
            runs = [time_last(policy, messages) for _ in range(args.repeat)]
            cells.append(f"{min(runs) * 1e3:9.2f} / {max(runs) * 1e3:9.2f} ms")
        print(f"{length:>10,}  " + "  ".join(f"{cell:>24}" for cell in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
