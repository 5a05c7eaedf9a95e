"""``spamguard.contrib.metrics`` through the shared runtime: real decisions and outcomes
into a real prometheus_client registry, read back from the exposition text a Prometheus
server scrapes."""

from __future__ import annotations

import typing

import prometheus_client
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.executors import RecordingExecutor
from support.messages import Messages

from spamguard.adapters.runtime import Runtime
from spamguard.adapters.store_memory import MemoryStore
from spamguard.contrib.metrics import DECISION_BUCKETS, Metrics, MetricsError
from spamguard.core import Guard, Plan, Policy, hookimpl

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(registry: prometheus_client.CollectorRegistry) -> Samples:
    """Every sample of the registry's exposition text, by name and labels."""
    text = prometheus_client.generate_latest(registry).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


class Seconds:
    """Keeps the seconds the runtime reports, to compare with the histogram."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    @hookimpl
    def spamguard_report_decision(self, plan: Plan, seconds: float) -> None:
        self.seen.append(seconds)


def _policy(**top: object) -> Policy:
    level = {"punishment": "TIMEOUT", "clean": True, "max_messages": {"count": 3, "interval": 10}}
    return Policy.from_dict({"version": 1, "spam": {"levels": {0: level}}, **top})


async def _decide(plugins: Iterable[object], messages: Iterable[object], **top: object) -> None:
    guard = Guard(_policy(**top), plugins=list(plugins), load_entrypoints=False)
    runtime = Runtime(guard, RecordingExecutor(), store=MemoryStore(), delete_window=0.01)
    await runtime.start()
    try:
        for message in messages:
            await runtime.handle(message)  # type: ignore[arg-type]
    finally:
        await runtime.stop()


@pytest.fixture
def registry() -> prometheus_client.CollectorRegistry:
    return prometheus_client.CollectorRegistry()


async def test_a_flood_and_a_bot_are_counted_and_every_decision_timed(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    seconds = Seconds()
    flood = [msg(f"spam {i}", t=i * 0.1) for i in range(5)]
    bot = msg("beep", t=1, author_id=9, author_is_bot=True)
    await _decide([Metrics(registry=registry), seconds], [*flood, bot])

    s = scrape(registry)
    assert value(s, "spamguard_messages_decided_total") == 6
    assert value(s, "spamguard_messages_skipped_total", reason="bot") == 1
    # The third, fourth and fifth message each reach the limit; one incident, one timeout.
    assert value(s, "spamguard_violations_total", check="max_messages") == 3
    assert value(s, "spamguard_punishments_total", punishment="TIMEOUT") == 1
    assert value(s, "spamguard_actions_total", kind="timeout", outcome="done") == 1
    # Deletions of a channel gather into bulk requests: fewer actions than messages.
    deletes = value(s, "spamguard_actions_total", kind="delete", outcome="done")
    assert deletes is not None
    assert 1 <= deletes <= 5
    assert value(s, "spamguard_messages_deleted_total") == 5
    assert value(s, "spamguard_decision_seconds_count") == 6
    assert value(s, "spamguard_decision_seconds_sum") == pytest.approx(sum(seconds.seen))
    assert value(s, "spamguard_decision_seconds_bucket", le="+Inf") == 6
    # Each bucket holds the decisions at most its bound, as reported to the hook.
    for bound in DECISION_BUCKETS:
        expected = sum(1 for took in seconds.seen if took <= bound)
        assert value(s, "spamguard_decision_seconds_bucket", le=str(bound)) == expected


async def test_no_label_names_a_member_or_a_guild_unless_asked(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    messages = [msg(f"spam {i}", t=i * 0.1, author_id=100 + i % 2) for i in range(8)]
    messages.append(msg("elsewhere", t=2, guild_id=msg.OTHER_GUILD))
    await _decide([Metrics(registry=registry)], messages)

    label_names = {name for _, labels in scrape(registry) for name, _ in labels}
    # Two members, two guilds: neither appears; "le" is the histogram's bucket.
    assert label_names == {"check", "punishment", "kind", "outcome", "le"}


async def test_per_guild_adds_the_guild_label_to_every_metric(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    here = [msg(f"spam {i}", t=i * 0.1) for i in range(3)]
    there = msg("hi", t=1, guild_id=msg.OTHER_GUILD)
    await _decide([Metrics(registry=registry, per_guild=True)], [*here, there])

    s = scrape(registry)
    guild, other = str(msg.GUILD), str(msg.OTHER_GUILD)
    assert value(s, "spamguard_messages_decided_total", guild=guild) == 3
    assert value(s, "spamguard_messages_decided_total", guild=other) == 1
    assert value(s, "spamguard_violations_total", check="max_messages", guild=guild) == 1
    assert value(s, "spamguard_actions_total", kind="timeout", outcome="done", guild=guild) == 1
    assert value(s, "spamguard_decision_seconds_count", guild=other) == 1
    assert all(("guild", guild) in labels or ("guild", other) in labels for _, labels in s)


async def test_a_dry_run_counts_its_actions_as_dry_run(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    flood = [msg(f"spam {i}", t=i * 0.1) for i in range(3)]
    await _decide([Metrics(registry=registry)], flood, dry_run=True)

    s = scrape(registry)
    assert value(s, "spamguard_actions_total", kind="timeout", outcome="dry_run") == 1
    assert value(s, "spamguard_actions_total", kind="timeout", outcome="done") is None
    assert value(s, "spamguard_punishments_total", punishment="TIMEOUT") == 1


async def test_a_guild_that_disables_metrics_is_not_counted(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    messages = [msg("here", t=0), msg("there", t=0, guild_id=msg.OTHER_GUILD)]
    guilds = {str(msg.OTHER_GUILD): {"disabled_extensions": ["metrics"]}}
    await _decide([Metrics(registry=registry)], messages, guilds=guilds)

    assert value(scrape(registry), "spamguard_messages_decided_total") == 1


async def test_automod_executions_are_counted(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    msg = Messages()
    guard = Guard(_policy(), plugins=[Metrics(registry=registry)], load_entrypoints=False)
    runtime = Runtime(guard, RecordingExecutor(), store=MemoryStore())
    await runtime.start()
    try:
        await runtime.handle_automod(msg.automod_execution(t=0))
    finally:
        await runtime.stop()

    assert value(scrape(registry), "spamguard_automod_executions_total") == 1


def test_a_second_metrics_on_one_registry_is_refused_and_the_first_stays(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    first = Metrics(registry=registry)
    with pytest.raises(MetricsError, match="one Metrics per registry"):
        Metrics(registry=registry)
    names = {name for name, _ in scrape(registry)}
    assert "spamguard_messages_decided_total" in names

    Metrics(registry=registry, namespace="other")
    first.unregister()
    Metrics(registry=registry)  # the names are free again


def test_the_default_registry_is_prometheus_clients_global_one() -> None:
    metrics = Metrics()
    try:
        assert metrics.registry is prometheus_client.REGISTRY
        assert "spamguard_decision_seconds" in prometheus_client.generate_latest().decode()
    finally:
        metrics.unregister()
    assert "spamguard_decision_seconds" not in prometheus_client.generate_latest().decode()


def test_before_any_message_the_totals_read_zero(
    registry: prometheus_client.CollectorRegistry,
) -> None:
    Metrics(registry=registry)

    s = scrape(registry)
    assert value(s, "spamguard_messages_decided_total") == 0
    assert value(s, "spamguard_messages_deleted_total") == 0
    assert value(s, "spamguard_decision_seconds_count") is None
