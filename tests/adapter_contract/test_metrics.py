"""``spamguard.contrib.metrics`` on a real bot of the library under test: gateway messages
decided, the stand-in's answers (a 403 on the timeout) counted, read back from a real
prometheus_client registry's exposition text."""

from __future__ import annotations

import typing

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

from spamguard.contrib.metrics import Metrics

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contract.conftest import GuardFactory
    from support.library_harness import LibraryHarness

    from spamguard.core import Policy


def _samples(registry: prometheus_client.CollectorRegistry) -> dict[str, float]:
    """``name{label="value",...}`` -> value, for every sample but the ``_created`` ones."""
    text = prometheus_client.generate_latest(registry).decode()
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def test_a_flood_a_moderator_and_a_refused_timeout_reach_the_registry(
    guard: GuardFactory,
    policy_factory: Callable[..., Policy],
    library: LibraryHarness,
) -> None:
    registry = prometheus_client.CollectorRegistry()
    policy = policy_factory("TIMEOUT", clean=True)
    failure = library.failure_kind(403)
    async with guard(
        policy, plugins=[Metrics(registry=registry)], action_timeout=library.failure_deadline
    ) as g:
        g.api.fail("PATCH", "/guilds/{g}/members/{u}", status=403, times=None)
        await g.spam(3)
        await g.send(author=g.world.moderator, content="calm down")
        await g.harness.settle()

    samples = _samples(registry)
    wanted = {
        "spamguard_messages_decided_total": 4,
        'spamguard_messages_skipped_total{reason="manage_messages"}': 1,
        'spamguard_violations_total{check="max_messages"}': 1,
        'spamguard_punishments_total{punishment="TIMEOUT"}': 1,
        'spamguard_actions_total{kind="timeout",outcome="failed"}': 1,
        f'spamguard_action_failures_total{{failure="{failure}",kind="timeout"}}': 1,
        "spamguard_messages_deleted_total": 3,
        "spamguard_decision_seconds_count": 4,
    }
    assert {name: samples.get(name) for name in wanted} == wanted
    assert 0 < samples["spamguard_decision_seconds_sum"] < 5
