"""Prometheus metrics: messages decided, violations, actions and how long deciding took.

Install the extra (``pip install 'spamguard[metrics]'``, which brings ``prometheus_client``)
and enable it in one line, then expose the registry the way your bot already serves
HTTP, or with prometheus_client's own server::

    import prometheus_client
    from spamguard.contrib.metrics import Metrics

    protection = spamguard.adapters.attach(bot, policy=policy, plugins=[Metrics()])
    prometheus_client.start_http_server(9108)  # http://localhost:9108/metrics

The plugin listens to three hooks: ``spamguard_report_decision`` (each message the runtime
decided, with the seconds it took), ``spamguard_report_outcome`` (each action carried
out) and ``spamguard_automod_execution``. What it exports (``spamguard`` is the
``namespace``):

- ``spamguard_messages_decided_total``: every message decided;
- ``spamguard_messages_skipped_total{reason}``: messages not checked (bots, exemptions...);
- ``spamguard_violations_total{check}``: checks that fired;
- ``spamguard_punishments_total{punishment}``: plans punishing (dry runs too);
- ``spamguard_actions_total{kind, outcome}``: actions carried out;
- ``spamguard_action_failures_total{kind, failure}``: actions that failed;
- ``spamguard_messages_deleted_total``: messages deleted;
- ``spamguard_automod_executions_total``: Discord AutoMod's actions reported;
- ``spamguard_decision_seconds``: a histogram of the time to decide a message.

An action is one request (a bulk delete of many messages is one ``delete``), hence the
count of the messages deleted beside it. ``outcome`` is ``done``, ``failed``, ``dry_run``
or ``skipped`` (nothing sent: the action's precondition no longer held); ``failure`` a
:class:`~spamguard.core.outcomes.FailureKind` (``forbidden``, ``not_found``...). Every
label takes a bounded set of values (check and action names, enums), so series stay few:
there is never a member label, and a ``guild`` label only with ``Metrics(per_guild=True)``
(one series per guild and value: for bots in a handful of guilds).

The core reads no clock: the decision time comes from the runtime, so a
:class:`~spamguard.core.Guard` used alone (a simulation, a replay) reports none.

The hooks add to plain integers (a message costs a few dictionary updates, no lock); the
registry turns them into metric families when Prometheus scrapes (:class:`MetricsCollector`).
"""

from __future__ import annotations

__all__ = ("DECISION_BUCKETS", "Metrics", "MetricsCollector", "MetricsError")

import bisect
import collections
import typing

from spamguard.core.hookspecs import hookimpl

try:
    import prometheus_client
    from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily
    from prometheus_client.registry import Collector
    from prometheus_client.utils import floatToGoString
except ImportError as error:  # pragma: no cover - the message is the point
    msg = (
        "spamguard.contrib.metrics needs prometheus_client: "
        "pip install 'spamguard[metrics]' (or prometheus-client)"
    )
    raise ImportError(msg) from error

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from prometheus_client.metrics_core import Metric

    from spamguard.core.events import AutomodExecution
    from spamguard.core.outcomes import ActionOutcome
    from spamguard.core.plan import Plan

NAME = "metrics"

DECISION_BUCKETS: tuple[float, ...] = (
    0.000_05,
    0.000_1,
    0.000_25,
    0.000_5,
    0.001,
    0.002_5,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    1.0,
)
"""Upper bounds (seconds) of the decision-time histogram: a decision from memory takes tens
of microseconds, one through Redis a round trip (a millisecond or more); prometheus_client's
default buckets start at 5 ms and would put every decision in the first."""

_NO_GUILD = "none"
"""The ``guild`` label of an event without a guild."""

Labels = tuple[str, ...]

_DECIDED = "messages_decided"

_COUNTERS: tuple[tuple[str, str, Labels], ...] = (
    (_DECIDED, "Messages decided.", ()),
    ("messages_skipped", "Messages not checked, by reason.", ("reason",)),
    ("violations", "Checks that fired, by check.", ("check",)),
    ("punishments", "Plans punishing, by punishment.", ("punishment",)),
    ("actions", "Actions carried out, by kind and outcome.", ("kind", "outcome")),
    ("action_failures", "Actions that failed, by kind and failure.", ("kind", "failure")),
    ("messages_deleted", "Messages deleted.", ()),
    ("automod_executions", "Discord AutoMod executions reported.", ()),
)
"""Each counter: name (after the namespace, before ``_total``), help text, label names
(the ``guild`` label comes last, when asked)."""


class MetricsError(ValueError):
    """The registry holds metrics of these names already (a second :class:`Metrics` on the
    same registry and namespace)."""


class _Histogram:
    """One series of the decision-time histogram: a count per bucket (not cumulative:
    one increment per observation) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self, buckets: int) -> None:
        self.counts = [0] * (buckets + 1)  # the last one: above every bound (+Inf)
        self.total = 0.0


class MetricsCollector(Collector):
    """The counts :class:`Metrics` keeps, as prometheus_client metric families.

    Registered in the registry given to :class:`Metrics`; ``collect`` runs in the thread
    that serves the scrape and reads copies of the counts, so a scrape never blocks, nor
    is blocked by, a decision.
    """

    def __init__(self, namespace: str, per_guild: bool, buckets: Sequence[float]) -> None:
        self.namespace = namespace
        self.guild: Labels = ("guild",) if per_guild else ()
        self.bounds = tuple(sorted(float(bound) for bound in buckets))
        # The "le" labels as prometheus_client writes them (its helper is untyped).
        go_float = typing.cast("Callable[[float], str]", floatToGoString)
        self.les = tuple(go_float(bound) for bound in (*self.bounds, float("inf")))
        self.counts: dict[str, collections.Counter[Labels]] = {
            name: collections.Counter() for name, _, _ in _COUNTERS
        }
        self.histograms: dict[Labels, _Histogram] = {}

    def series(self, guild: Labels) -> _Histogram:
        """The decision-time series of ``guild`` (its labels; ``()`` without them)."""
        found = self.histograms.get(guild)
        if found is None:
            found = self.histograms[guild] = _Histogram(len(self.bounds))
        return found

    def describe(self) -> Iterator[Metric]:
        """The families without samples: how the registry learns the names it holds."""
        return self._families(samples=False)

    def collect(self) -> Iterator[Metric]:
        """The families with every series counted so far."""
        return self._families(samples=True)

    def _families(self, *, samples: bool) -> Iterator[Metric]:
        for name, text, labels in _COUNTERS:
            family = CounterMetricFamily(
                f"{self.namespace}_{name}", text, labels=(*labels, *self.guild)
            )
            if samples:
                counts = self.counts[name].copy()
                if name == _DECIDED:
                    # Every decision is observed once in the histogram: its count.
                    counts.update({g: sum(h.counts) for g, h in self.histograms.copy().items()})
                if not counts and not labels and not self.guild:
                    counts[()] = 0  # a total is there from the start, at zero
                for values, count in counts.items():
                    family.add_metric(values, count)
            yield family
        histogram = HistogramMetricFamily(
            f"{self.namespace}_decision_seconds",
            "Seconds the runtime took to decide a message (guard and store).",
            labels=self.guild,
        )
        if samples:
            for values, series in self.histograms.copy().items():
                per_bucket, total = list(series.counts), series.total
                running = 0
                buckets: list[tuple[str, float]] = []
                for le, count in zip(self.les, per_bucket, strict=True):
                    running += count
                    buckets.append((le, running))
                histogram.add_metric(values, buckets, total)
        yield histogram


class Metrics:
    """The metrics plugin: register one per registry (``attach(bot, plugins=[Metrics()])``).

    Args:
        registry: where the metrics are registered (default: prometheus_client's global
            ``REGISTRY``, the one ``start_http_server`` and ``make_asgi_app`` serve); None
            registers them nowhere (register :attr:`collector` yourself).
        per_guild: add a ``guild`` label (the guild id) to every metric. Off by default:
            a bot in many guilds would make thousands of series.
        namespace: the metrics' name prefix.
        buckets: the decision-time histogram's upper bounds, seconds (default
            :data:`DECISION_BUCKETS`).

    Raises:
        MetricsError: ``registry`` holds metrics of these names already.
    """

    name: typing.ClassVar[str] = NAME

    def __init__(
        self,
        *,
        registry: prometheus_client.CollectorRegistry | None = prometheus_client.REGISTRY,
        per_guild: bool = False,
        namespace: str = "spamguard",
        buckets: Sequence[float] = DECISION_BUCKETS,
    ) -> None:
        self.per_guild = per_guild
        self.collector = MetricsCollector(namespace, per_guild, buckets)
        """What the registry scrapes."""
        counts = self.collector.counts
        self._bounds = self.collector.bounds
        self._series = self.collector.histograms
        self._skipped = counts["messages_skipped"]
        self._violations = counts["violations"]
        self._punishments = counts["punishments"]
        self._actions = counts["actions"]
        self._failures = counts["action_failures"]
        self._deleted = counts["messages_deleted"]
        self._automod = counts["automod_executions"]
        self.registry: prometheus_client.CollectorRegistry | None = None
        if registry is not None:
            try:
                registry.register(self.collector)
            except ValueError as error:
                msg = (
                    f"{error}: the registry holds spamguard's metrics already; register one "
                    "Metrics per registry (or give another registry= or namespace=)"
                )
                raise MetricsError(msg) from error
            self.registry = registry

    def unregister(self) -> None:
        """Remove the metrics from their registry (a plugin replaced, a test's end)."""
        if self.registry is not None:
            self.registry.unregister(self.collector)
            self.registry = None

    def _guild(self, guild_id: int | None) -> Labels:
        if not self.per_guild:
            return ()
        return (_NO_GUILD if guild_id is None else str(guild_id),)

    @hookimpl
    def spamguard_report_decision(self, plan: Plan, seconds: float) -> None:
        # Called for every message: the histogram's series counts the decision too
        # (messages_decided is read from it), and no call is made that can be saved.
        guild = self._guild(plan.guild_id) if self.per_guild else ()
        series = self._series.get(guild)
        if series is None:
            series = self.collector.series(guild)
        series.counts[bisect.bisect_left(self._bounds, seconds)] += 1
        series.total += seconds
        if plan.skipped_reason is not None:
            self._skipped[(str(plan.skipped_reason), *guild)] += 1
            return
        for violation in plan.violations:
            self._violations[(violation.check, *guild)] += 1
        if plan.punishment != "NONE":
            self._punishments[(plan.punishment, *guild)] += 1

    @hookimpl
    def spamguard_report_outcome(self, outcome: ActionOutcome) -> None:
        guild = self._guild(outcome.guild_id)
        kind = outcome.action.kind
        if outcome.dry_run:
            result = "dry_run"
        elif outcome.skipped:
            result = "skipped"
        elif outcome.ok:
            result = "done"
            deleted = getattr(outcome.action, "message_ids", None)
            if kind == "delete" and deleted:
                self._deleted[guild] += len(deleted)
        else:
            result = "failed"
            self._failures[(kind, str(outcome.failure or "error"), *guild)] += 1
        self._actions[(kind, result, *guild)] += 1

    @hookimpl
    def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
        self._automod[self._guild(execution.guild_id)] += 1
