"""Instructions per message through the runtime, without and with ``contrib.metrics``.

The benchmark stream (``workload.py``) goes through :meth:`Runtime.handle
<spamguard.adapters.runtime.Runtime.handle>` (in-memory store, one event loop) under
``bench_guard.py``'s comparable policy in dry run: every plan is decided and its actions
reported through ``spamguard_report_outcome`` as a dry run's, with no request and no
timing-dependent gathering of deletions, so the count does not depend on how fast the
machine (or valgrind) runs. Three scenarios, counted in one run:

- ``off``: no plugin listens to ``spamguard_report_decision``: the runtime reads no
  performance counter (one cached look-up a message);
- ``listener``: one plugin whose ``spamguard_report_decision`` does nothing: the hook's
  own cost (two counter reads and the call);
- ``metrics``: :class:`spamguard.contrib.metrics.Metrics` on a fresh
  ``CollectorRegistry``: the counters, the histogram and the outcome counters.

Counted like ``bench_instructions.py`` (valgrind's callgrind, the slope between N and 2N
messages, building the messages subtracted). ``--baseline PYTHON`` also counts ``off`` on
another install (one from before the decision hook): what the hook costs a bot that does
not use it. Needs ``prometheus_client`` (the ``spamguard[metrics]`` extra) and valgrind::

    python benchmarks/bench_metrics.py
    python benchmarks/bench_metrics.py --messages 400 --jobs 2 --baseline old/bin/python
"""

from __future__ import annotations

import asyncio
import copy
import pathlib
import sys
import typing

from spamguard.core import FailureKind, hookimpl

if typing.TYPE_CHECKING:
    from collections.abc import Sequence

HERE = pathlib.Path(__file__).resolve().parent
SCENARIOS = ("build", "off", "listener", "metrics")


class _Quiet:
    """An executor that is never asked to act (the policy runs dry)."""

    async def refuse(self, action: object) -> str | None:
        return None

    async def execute(self, action: object) -> int | None:
        return None

    def classify(self, error: BaseException) -> FailureKind:
        return FailureKind.ERROR


class _Listener:
    """Listens to every decision and does nothing with it."""

    name = "listener"

    @hookimpl
    def spamguard_report_decision(self, plan: object, seconds: float) -> None:
        return None


def plugins_of(scenario: str) -> list[object]:
    """The plugins a scenario registers."""
    if scenario == "listener":
        return [_Listener()]
    if scenario == "metrics":
        import prometheus_client

        from spamguard.contrib.metrics import Metrics

        return [Metrics(registry=prometheus_client.CollectorRegistry())]
    return []


def child(scenario: str, messages: int) -> None:
    """The measured program: build the messages and, unless only building, run them
    through a started runtime."""
    sys.path.insert(0, str(HERE))
    import workload
    from bench_guard import COMPARABLE_POLICY

    from spamguard.adapters.runtime import Runtime
    from spamguard.adapters.store_memory import MemoryStore
    from spamguard.core import Guard, Policy

    built = workload.spamguard_messages(workload.generate(messages=messages))
    plugins = plugins_of(scenario)  # imported in every scenario but build: same start-up
    if scenario == "build":
        return
    document = copy.deepcopy(COMPARABLE_POLICY)
    document["dry_run"] = True
    guard = Guard(Policy.from_dict(document), plugins=plugins)

    async def run() -> None:
        runtime = Runtime(guard, _Quiet(), store=MemoryStore())
        await runtime.start()
        for message in built:
            await runtime.handle(message)
        await runtime.stop()

    asyncio.run(run())


def main(argv: Sequence[str] | None = None) -> None:
    sys.path.insert(0, str(HERE))
    from bench_instructions import build_of, measuring_one_install, per_message, ran_as_child

    parser = measuring_one_install(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--baseline",
        metavar="PYTHON",
        help="also measure 'off' on this interpreter's install (one without the decision hook)",
    )
    args = parser.parse_args(argv)
    if ran_as_child(args, child):
        return
    result = per_message(args.python, args.messages, args.jobs, SCENARIOS, __file__)
    off = result["off"]
    print(
        f"instructions per message through the runtime (callgrind; slope between "
        f"{args.messages} and {2 * args.messages} messages; building the messages excluded)"
    )
    for scenario, label in (
        ("off", "no decision listener"),
        ("listener", "an empty decision listener"),
        ("metrics", "contrib.metrics"),
    ):
        value = result[scenario]
        print(f"  {label + ':':<30}{value:>12,.0f}  ({value - off:+,.0f}, x{value / off:.3f})")
    print(f"  spamguard {build_of(args.python)} ({args.python})")
    if args.baseline:
        before = per_message(args.baseline, args.messages, args.jobs, ("build", "off"), __file__)
        value = before["off"]
        print(
            f"  {'baseline, no listener:':<30}{value:>12,.0f}  ({off - value:+,.0f} for the hook)"
        )
        print(f"  baseline: spamguard {build_of(args.baseline)} ({args.baseline})")


if __name__ == "__main__":
    main()
