"""The digest's trend chart: a small PNG drawn with matplotlib's Agg canvas.

The Figure API is used directly (no pyplot): no global state, safe in the scheduler's
threads, no display needed. The same numbers go in the digest's text table, so a reader
whose mail client blocks images loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

from mailbot.render import MONTHS_SHORT, MONTHS_SHORT_CY

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class WeekPoint:
    start: date  # the Monday the week starts on
    opened: int
    answered: int
    on_time: int
    overdue: int  # open and past due at the end of the week


@dataclass(frozen=True)
class ChartWords:
    """What the chart says, in the digest's language(s)."""

    title: str
    opened: str
    answered: str
    overdue: str
    # The months' short names, one set per language; a bilingual chart's weeks are "7 Sep"
    # over "Medi". (It said "7/9": the 9th of July to a reader of American dates.)
    months: tuple[tuple[str, ...], ...] = (MONTHS_SHORT,)
    # Whether every week has its year, below its month: the digest's trend_years (when any
    # week shown is not in the digest's own year), the rule its tables follow.
    years: bool = False

    def week(self, start: date, *, one_line: bool = False) -> str:
        """A week on the axis, by its Monday: "7 Sep", a bilingual chart's month's names one
        under the other, then its year if `years` ("28 Dec" over "2026"); on `one_line`,
        as the digest's tables write it, "28 Dec/Rhag 2026"."""
        names = [months[start.month - 1] for months in self.months]
        months, year = ("/", " ") if one_line else ("\n", "\n")
        label = f"{start.day} " + months.join(names)
        return f"{label}{year}{start.year}" if self.years else label

    def lines(self) -> int:
        """How many lines high a week's label is."""
        return len(self.months) + self.years

    def then(self, other: ChartWords) -> ChartWords:
        """Both languages, this one first: "Agorwyd / Opened"."""
        return ChartWords(
            f"{self.title} / {other.title}",
            f"{self.opened} / {other.opened}",
            f"{self.answered} / {other.answered}",
            f"{self.overdue} / {other.overdue}",
            months=self.months + other.months,
            years=self.years or other.years,
        )


ENGLISH_WORDS = ChartWords("Last 12 weeks", "Opened", "Answered", "Overdue at week end")
# The words of the bilingual digest's own table (templates/_partials/digest.bilingual.*).
WELSH_WORDS = ChartWords(
    "Y 12 wythnos diwethaf", "Agorwyd", "Atebwyd", "Yn hwyr ar y diwedd", (MONTHS_SHORT_CY,)
)


def trend_png(weeks: Sequence[WeekPoint], words: ChartWords = ENGLISH_WORDS) -> bytes:
    """The chart of `draw_trend` as PNG bytes, with its words as the PNG's Description (for
    a reader that reads images aloud): its title and its weeks as the axis names them."""
    figure = draw_trend(weeks, words)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None,
                                                   "Description": described(weeks, words)})
    return buffer.getvalue()


def described(weeks: Sequence[WeekPoint], words: ChartWords = ENGLISH_WORDS) -> str:
    """The chart in words, one line: "Last 12 weeks. Weeks: 2 Nov, 9 Nov." ("2 Nov/Tach"
    in a bilingual chart, as its table)."""
    return f"{words.title}. Weeks: {', '.join(words.week(w.start, one_line=True) for w in weeks)}."


def draw_trend(weeks: Sequence[WeekPoint], words: ChartWords = ENGLISH_WORDS) -> Figure:
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
        label=words.opened,
        color="#4878a8",
    )
    axes.bar(
        [i + width / 2 for i in x],
        [w.answered for w in weeks],
        width,
        label=words.answered,
        color="#8cb369",
    )
    axes.plot(
        x,
        [w.overdue for w in weeks],
        color="#c0392b",
        marker="o",
        linewidth=1.8,
        label=words.overdue,
    )
    axes.set_xticks(x, [words.week(w.start) for w in weeks], fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(words.title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Below the axes, where no bar can reach it, and below the weeks' labels (a bilingual
    # chart's are two lines high, three with the year).
    below = -0.12 - 0.07 * (words.lines() - 1)
    axes.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, below), ncols=3)
    figure.tight_layout()
    return figure
