"""The digest's trend chart: a small PNG drawn with matplotlib's Agg canvas.

The Figure API is used directly (no pyplot): no global state, safe in the scheduler's
threads, no display needed. The same numbers go in the digest's text table, so a reader
whose mail client blocks images loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO


@dataclass(frozen=True)
class WeekPoint:
    label: str  # "7 Sep": the Monday the week starts on
    opened: int
    answered: int
    on_time: int
    overdue: int  # open and past due at the end of the week


def trend_png(weeks: Sequence[WeekPoint], title: str = "Last 12 weeks") -> bytes:
    """Bars for cases opened and answered each week, a line for those overdue at its end."""
    # Imported here: matplotlib takes half a second to load, and only the digest needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.2, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = list(range(len(weeks)))
    width = 0.38
    axes.bar(
        [i - width / 2 for i in x],
        [w.opened for w in weeks],
        width,
        label="Opened",
        color="#4878a8",
    )
    axes.bar(
        [i + width / 2 for i in x],
        [w.answered for w in weeks],
        width,
        label="Answered",
        color="#8cb369",
    )
    axes.plot(
        x,
        [w.overdue for w in weeks],
        color="#c0392b",
        marker="o",
        linewidth=1.8,
        label="Overdue at week end",
    )
    axes.set_xticks(x, [w.label for w in weeks], fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize=7, frameon=False, loc="upper left", ncols=3)
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
