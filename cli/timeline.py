"""``spamguard replay LOG --timeline replay.png``: a replay as a picture (PNG, SVG or PDF,
as the file's extension says).

Two panels over the same time axis (seconds from the first message): messages per time
bin, flagged ones stacked on top; and one row per member (the punished first, then the
most active), a dot per message coloured by what the guard made of it, a cross on every
message a plan deletes and a bar for every timeout or mute.

Needs matplotlib (``pip install 'spamguard[plot]'``); it is imported only when a
timeline is asked for, and drawn without pyplot (no global state, no display).
"""

from __future__ import annotations

__all__ = ("FORMATS", "PLOT_HINT", "Timeline", "require_matplotlib", "timeline_format")

import collections
import dataclasses
import importlib
import os
import pathlib
import typing

from spamguard.cli.output import CliError
from spamguard.reporting.describe import format_seconds

if typing.TYPE_CHECKING:
    import datetime

    from spamguard.core import Message, Plan

PLOT_HINT = "--timeline needs matplotlib: pip install 'spamguard[plot]'"

FORMATS = ("png", "svg", "pdf")
"""The picture formats ``--timeline`` writes, named by the file's extension."""

MAX_ROWS = 24
"""Members drawn on rows of their own; the rest share an ``others`` row."""

COLOURS = {
    "ok": "#9aa5b1",
    "skipped": "#7cb7e8",
    "violation": "#f0a030",
    "punished": "#d62728",
}


_BIN_WIDTHS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)


def require_matplotlib() -> None:
    """Fail early, before a long replay, when matplotlib is missing.

    Raises:
        CliError: matplotlib cannot be imported.
    """
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        raise CliError(PLOT_HINT) from None


def timeline_format(path: str | os.PathLike[str]) -> str:
    """The format of the picture at ``path``: its extension, one of :data:`FORMATS`.

    Raises:
        CliError: another extension, or none (checked before a long replay).
    """
    extension = pathlib.PurePath(path).suffix.lower().removeprefix(".")
    if extension not in FORMATS:
        shown = f"'.{extension}'" if extension else "no extension"
        msg = (
            f"--timeline {path}: {shown} is not a picture format it writes; "
            f"name the file .png, .svg or .pdf"
        )
        raise CliError(msg)
    return extension


@dataclasses.dataclass(slots=True)
class _Dot:
    t: float
    member: tuple[int | None, int]
    kind: str


@dataclasses.dataclass(slots=True)
class Timeline:
    """What a replay did, kept for drawing; feed it with :meth:`add`, then :meth:`save`."""

    dots: list[_Dot] = dataclasses.field(default_factory=list)
    names: dict[tuple[int | None, int], str] = dataclasses.field(default_factory=dict)
    where: dict[int, tuple[float, tuple[int | None, int]]] = dataclasses.field(default_factory=dict)
    deleted: list[int] = dataclasses.field(default_factory=list)
    muted: list[tuple[tuple[int | None, int], float, float]] = dataclasses.field(
        default_factory=list
    )
    removed: list[tuple[tuple[int | None, int], float, str]] = dataclasses.field(
        default_factory=list
    )

    def add(self, offset: float, message: Message, plan: Plan, now: datetime.datetime) -> None:
        """Record one decided message, ``offset`` seconds after the first."""
        member = (message.guild_id, message.author_id)
        name = message.author_name or str(message.author_id)
        self.names.setdefault(member, name if message.guild_id is not None else f"{name} (DM)")
        if plan.skipped_reason is not None:
            kind = "skipped"
        elif plan.punishment != "NONE":
            kind = "punished"
        elif plan.violations:
            kind = "violation"
        else:
            kind = "ok"
        self.dots.append(_Dot(offset, member, kind))
        self.where[message.id] = (offset, member)
        for action in plan.actions:
            data = typing.cast("typing.Any", action)
            match action.kind:
                case "delete":
                    self.deleted.extend(data.message_ids)
                case "timeout":
                    length = (data.until - now).total_seconds()
                    self.muted.append(((message.guild_id, data.user_id), offset, length))
                case "add_role":
                    self.muted.append(((message.guild_id, data.user_id), offset, -1.0))
                case "kick" | "ban":
                    self.removed.append(((message.guild_id, data.user_id), offset, action.kind))

    def _rows(self) -> list[tuple[int | None, int]]:
        activity = collections.Counter(dot.member for dot in self.dots)
        punished = {dot.member for dot in self.dots if dot.kind == "punished"}
        return sorted(activity, key=lambda m: (m not in punished, -activity[m], self.names[m]))

    def save(self, path: pathlib.Path, *, title: str) -> None:
        """Draw the timeline into the file at ``path``, in the format its extension names
        (:func:`timeline_format`).

        Raises:
            CliError: matplotlib is missing, the extension names no format it writes, or
                the file cannot be written.
        """
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            from matplotlib.lines import Line2D
        except ImportError:
            raise CliError(PLOT_HINT) from None
        ordered = self._rows()
        shown = ordered[:MAX_ROWS]
        row_of = {member: index for index, member in enumerate(shown)}
        others = len(shown)
        labels = [self.names[m] for m in shown] + (["others"] if len(ordered) > MAX_ROWS else [])
        end = max((dot.t for dot in self.dots), default=0.0)
        span = max(end, 1.0)

        figure = Figure(figsize=(11, 2.6 + 0.32 * max(len(labels), 3)), dpi=110)
        FigureCanvasAgg(figure)
        grid = figure.add_gridspec(2, 1, height_ratios=(1, max(len(labels), 3) / 4), hspace=0.08)
        rate = figure.add_subplot(grid[0])
        rows = figure.add_subplot(grid[1], sharex=rate)

        # Messages per bin, flagged ones stacked on the quiet ones.
        width = next((w for w in _BIN_WIDTHS if w >= span / 60), span / 60)
        bins: collections.Counter[int] = collections.Counter()
        flagged: collections.Counter[int] = collections.Counter()
        for dot in self.dots:
            key = int(dot.t // width)
            bins[key] += 1
            if dot.kind in ("violation", "punished"):
                flagged[key] += 1
        keys = sorted(bins)
        lefts = [k * width for k in keys]
        quiet = [bins[k] - flagged[k] for k in keys]
        rate.bar(lefts, quiet, width=width, align="edge", color=COLOURS["ok"], label="messages")
        rate.bar(
            lefts,
            [flagged[k] for k in keys],
            width=width,
            bottom=quiet,
            align="edge",
            color=COLOURS["punished"],
            label="fired a check",
        )
        rate.set_ylabel(f"messages per {format_seconds(width)}", fontsize=8)
        rate.legend(loc="upper left", fontsize=8, frameon=False)
        rate.set_title(title, fontsize=10)
        rate.tick_params(labelbottom=False)

        def row(member: tuple[int | None, int]) -> int:
            return row_of.get(member, others)

        for member, start, length in self.muted:
            stop = span * 1.02 if length < 0 else start + length
            rows.barh(
                row(member),
                stop - start,
                left=start,
                height=0.6,
                color=COLOURS["punished"],
                alpha=0.15,
            )
        for kind in ("ok", "skipped", "violation", "punished"):
            picked = [dot for dot in self.dots if dot.kind == kind]
            if picked:
                rows.scatter(
                    [d.t for d in picked],
                    [row(d.member) for d in picked],
                    s=60 if kind == "punished" else 18,
                    c=COLOURS[kind],
                    marker="D" if kind == "punished" else "o",
                    zorder=3,
                    edgecolors="none",
                )
        gone = [self.where[mid] for mid in self.deleted if mid in self.where]
        if gone:
            rows.scatter(
                [t for t, _m in gone],
                [row(m) for _t, m in gone],
                s=30,
                c="black",
                marker="x",
                linewidths=0.8,
                zorder=4,
            )
        for member, start, kind in self.removed:
            rows.scatter(
                [start],
                [row(member)],
                s=90,
                c="black",
                marker="|" if kind == "kick" else "X",
                zorder=5,
            )

        rows.set_yticks(range(len(labels)), labels, fontsize=8)
        rows.set_ylim(len(labels) - 0.5, -0.5)
        rows.set_xlim(-span * 0.01, span * 1.02)
        rows.set_xlabel("seconds from the first message")
        rows.grid(axis="x", alpha=0.3)
        handles = [
            Line2D([], [], marker="o", linestyle="", color=COLOURS["ok"], label="passed"),
            Line2D([], [], marker="o", linestyle="", color=COLOURS["skipped"], label="skipped"),
            Line2D(
                [], [], marker="o", linestyle="", color=COLOURS["violation"], label="fired, merged"
            ),
            Line2D([], [], marker="D", linestyle="", color=COLOURS["punished"], label="punished"),
            Line2D([], [], marker="x", linestyle="", color="black", label="deleted"),
            Line2D(
                [], [], linewidth=6, alpha=0.3, color=COLOURS["punished"], label="timed out / muted"
            ),
        ]
        rows.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=6,
            fontsize=8,
            frameon=False,
        )
        try:
            figure.savefig(path, format=timeline_format(path), bbox_inches="tight")
        except OSError as exc:
            msg = f"cannot write the timeline {path}: {exc.strerror or exc}"
            raise CliError(msg) from None
