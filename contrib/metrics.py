"""Prometheus metrics: messages decided, violations, actions and how long deciding took.

Install the extra (``pip install 'spamguard[metrics]'``, which brings ``prometheus_client``)
and enable it in one line, then expose the registry the way your bot already serves
HTTP, or with prometheus_client's own server::

    import prometheus_client
    from spamguard.contrib.metrics import Metrics

    protection = spamguard.adapters.attach(bot, policy=policy, plugins=[Metrics()])
    prometheus_client.start_http_server(9108)  # http://localhost:9108/metrics

The plugin listens to two hooks: ``spamguard_report_decision`` (each message the runtime
decided, with the seconds it took) and ``spamguard_report_outcome`` (each action carried
out), plus ``spamguard_automod_execution``. What it exports (``spamguard`` is the
``namespace``):

=============================================  ===================  ==========================
metric                                         labels               counts
=============================================  ===================  ==========================
``spamguard_messages_decided_total``                                every message decided
``spamguard_messages_skipped_total``           ``reason``           messages not checked
``spamguard_violations_total``                 ``check``            checks that fired
``spamguard_punishments_total``                ``punishment``       plans punishing
``spamguard_actions_total``                    ``kind, outcome``    actions carried out
``spamguard_action_failures_total``            ``kind, failure``    actions that failed
``spamguard_messages_deleted_total``                                messages deleted
``spamguard_automod_executions_total``                              Discord AutoMod's actions
``spamguard_decision_seconds`` (histogram)                          time to decide a message
=============================================  ===================  ==========================

An action is one request (a bulk delete of many messages is one ``delete``), hence the
count of the messages deleted beside it. ``outcome`` is ``done``, ``failed``, ``dry_run``
or ``skipped`` (nothing sent: the action's precondition no longer held); ``failure`` a
:class:`~spamguard.core.outcomes.FailureKind` (``forbidden``, ``not_found``...). Every
label takes a bounded set of values (check and action names, enums), so series stay few:
there is never a member label, and a ``guild`` label only with ``Metrics(per_guild=True)``
(one series per guild and value: for bots in a handful of guilds).

The core reads no clock: the decision time comes from the runtime, so a
:class:`~spamguard.core.Guard` used alone (a simulation, a replay) reports none.
"""

from __future__ import annotations

__all__ = ("DECISION_BUCKETS", "Metrics", "MetricsError")

import typing

from spamguard.core.hookspecs import hookimpl

try:
    import prometheus_client
except ImportError as error:  # pragma: no cover - the message is the point
    msg = (
        "spamguard.contrib.metrics needs prometheus_client: "
        "pip install 'spamguard[metrics]' (or prometheus-client)"
    )
    raise ImportError(msg) from error

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

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


class MetricsError(ValueError):
    """The registry holds metrics of these names already (a second :class:`Metrics` on the
    same registry and namespace)."""


class _Family:
    """One metric and its labelled children, kept so the per-message path looks a child up
    in a dict instead of prometheus_client's ``labels()`` (argument checks and a lock)."""

    __slots__ = ("children", "labelled", "metric")

    def __init__(self, metric: typing.Any, labelled: bool) -> None:
        self.metric = metric
        self.labelled = labelled
        self.children: dict[tuple[str, ...], typing.Any] = {}

    def child(self, values: tuple[str, ...]) -> typing.Any:
        """The child of these label values (the metric itself when it has no labels)."""
        if not self.labelled:
            return self.metric
        found = self.children.get(values)
        if found is None:
            found = self.children[values] = self.metric.labels(*values)
        return found


class Metrics:
    """The metrics plugin: register one per registry (``attach(bot, plugins=[Metrics()])``).

    Args:
        registry: where the metrics are registered (default: prometheus_client's global
            ``REGISTRY``, the one ``start_http_server`` and ``make_asgi_app`` serve); None
            registers them nowhere (read them through :attr:`collectors`).
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
        self.registry = registry
        guild: tuple[str, ...] = ("guild",) if per_guild else ()
        self._registered: list[typing.Any] = []

        def family(kind: typing.Any, name: str, text: str, labels: tuple[str, ...]) -> _Family:
            names = (*labels, *guild)
            options: dict[str, typing.Any] = {"namespace": namespace, "registry": None}
            if kind is prometheus_client.Histogram:
                options["buckets"] = tuple(buckets)
            metric = kind(name, text, names, **options)
            self._registered.append(metric)
            return _Family(metric, bool(names))

        counter = prometheus_client.Counter
        self._decided = family(counter, "messages_decided", "Messages decided.", ())
        self._skipped = family(
            counter, "messages_skipped", "Messages not checked, by reason.", ("reason",)
        )
        self._violations = family(counter, "violations", "Checks that fired, by check.", ("check",))
        self._punishments = family(
            counter, "punishments", "Plans punishing, by punishment.", ("punishment",)
        )
        self._actions = family(
            counter, "actions", "Actions carried out, by kind and outcome.", ("kind", "outcome")
        )
        self._failures = family(
            counter,
            "action_failures",
            "Actions that failed, by kind and failure.",
            ("kind", "failure"),
        )
        self._deleted = family(counter, "messages_deleted", "Messages deleted.", ())
        self._automod = family(
            counter, "automod_executions", "Discord AutoMod executions reported.", ()
        )
        self._seconds = family(
            prometheus_client.Histogram,
            "decision_seconds",
            "Seconds the runtime took to decide a message (guard and store).",
            (),
        )
        if registry is not None:
            self._register(registry)

    @property
    def collectors(self) -> tuple[typing.Any, ...]:
        """The prometheus_client metrics this plugin updates."""
        return tuple(self._registered)

    def _register(self, registry: prometheus_client.CollectorRegistry) -> None:
        done: list[typing.Any] = []
        for metric in self._registered:
            try:
                registry.register(metric)
            except ValueError as error:
                for registered in done:
                    registry.unregister(registered)
                msg = (
                    f"{error}: the registry holds spamguard's metrics already; register one "
                    "Metrics per registry (or give another registry= or namespace=)"
                )
                raise MetricsError(msg) from error
            done.append(metric)

    def unregister(self) -> None:
        """Remove the metrics from their registry (a plugin replaced, a test's end)."""
        if self.registry is None:
            return
        for metric in self._registered:
            self.registry.unregister(metric)
        self.registry = None

    def _guild(self, guild_id: int | None) -> tuple[str, ...]:
        if not self.per_guild:
            return ()
        return (_NO_GUILD if guild_id is None else str(guild_id),)

    @hookimpl
    def spamguard_report_decision(self, plan: Plan, seconds: float) -> None:
        guild = self._guild(plan.guild_id)
        self._decided.child(guild).inc()
        self._seconds.child(guild).observe(seconds)
        if plan.skipped_reason is not None:
            self._skipped.child((str(plan.skipped_reason), *guild)).inc()
            return
        for violation in plan.violations:
            self._violations.child((violation.check, *guild)).inc()
        if plan.punishment != "NONE":
            self._punishments.child((plan.punishment, *guild)).inc()

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
                self._deleted.child(guild).inc(len(deleted))
        else:
            result = "failed"
            failure = str(outcome.failure or "error")
            self._failures.child((kind, failure, *guild)).inc()
        self._actions.child((kind, result, *guild)).inc()

    @hookimpl
    def spamguard_automod_execution(self, execution: AutomodExecution) -> None:
        self._automod.child(self._guild(execution.guild_id)).inc()
