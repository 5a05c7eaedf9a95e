"""A raid on a real bot of the library under test: many members flood one channel within a
second and a half, and spamguard handles it with close to the fewest requests Discord
needs (one timeout per raider, one bulk delete per 100 messages), deleting every raid
message exactly once and timing out every raider exactly once.

The raid is `support.raid`'s (shared with ``benchmarks/bench_raid.py``): real gateway
MESSAGE_CREATE events fed over real time without waiting for the listeners, so they
overlap as with a real gateway, spamguard attached with its default options.
"""

from __future__ import annotations

import collections
import typing

from support.raid import run_raid

if typing.TYPE_CHECKING:
    from support.library_harness import LibraryHarness

RAIDERS = 12
MESSAGES = 8
SECONDS = 1.5


async def test_a_raid_is_handled_with_at_most_a_quarter_more_requests_than_the_floor(
    library: LibraryHarness,
) -> None:
    raid = await run_raid(
        library, raiders=RAIDERS, messages=MESSAGES, seconds=SECONDS, count=5, cap=10.0
    )

    assert raid.floor == RAIDERS + 1
    # Every raid message deleted exactly once, every raider timed out exactly once
    # (compared as {times: how many}).
    assert collections.Counter(raid.deletions().values()) == {1: RAIDERS * MESSAGES}
    assert collections.Counter(raid.timeouts().values()) == {1: RAIDERS}
    # The member came with each message: nothing is fetched.
    assert raid.kinds()["GET member"] == 0
    requests = len(raid.requests)
    assert requests <= 1.25 * raid.floor, raid.kinds()
