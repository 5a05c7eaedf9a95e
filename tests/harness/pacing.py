"""The pacing check every library harness runs: a burst of concurrent requests on one
rate limit bucket of the stand-in, which the library must spread over the bucket's
windows by itself, from the headers.

Shared by `test_hikari_harness` and `dpy_contract` (not collected on its own).
"""

from __future__ import annotations

__all__ = ("assert_burst_is_paced",)

import asyncio
import math
import time
import typing

if typing.TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from support.discord_api import DiscordAPI


async def assert_burst_is_paced(
    api: DiscordAPI,
    send: Callable[[int], Awaitable[object]],
    *,
    count: int = 12,
    refused_at_most: int = 0,
) -> float:
    """Run ``send(1)`` .. ``send(count)`` at once, each one request on the same bucket;
    check that each reached the route once and was answered 2xx, no later than the
    bucket's windows allow, with at most ``refused_at_most`` 429s (retried) on the way;
    return the seconds the burst took."""
    before = len(api.requests)
    started = time.monotonic()
    await asyncio.gather(*(send(n) for n in range(1, count + 1)))
    elapsed = time.monotonic() - started

    sent = api.requests[before:]
    served = [r for r in sent if r.rate_limit_scope is None]
    assert len({r.bucket for r in sent}) == 1
    assert [r.status // 100 for r in served] == [2] * count
    assert len({r.path for r in served}) == count
    assert len(sent) - len(served) <= refused_at_most
    assert api.rate_limits is not None
    limit = api.rate_limits.bucket
    waited = (math.ceil(count / limit.requests) - 1) * limit.per
    assert waited * 0.95 <= elapsed < waited + 2
    return elapsed
