"""The digest's trend chart speaks the digest's language(s): a bilingual council's managers
get the chart's title, legend and dates in Welsh and English, as the rest of the digest."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import make_app, sent, shared_rules_classifier
from matplotlib.text import Text
from test_digest import ANN, BOB, CHIEF, MAX, MONDAY_8AM, PAT, SAM, seed

from mailbot import jobs
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.chart import ENGLISH_WORDS, WELSH_WORDS, WeekPoint, draw_trend
from mailbot.digest.send import chart_words
from mailbot.languages import ENGLISH, ENGLISH_FIRST, WELSH_FIRST
from mailbot.settings import load_settings

WEEKS = [WeekPoint(date(2026, 9, 7) + timedelta(weeks=i), 10 + i, 8, 7, i % 3) for i in range(12)]


def drawn_words(languages: tuple[str, ...]) -> set[str]:
    figure = draw_trend(WEEKS, chart_words(languages))
    return {text.get_text() for text in figure.findobj(Text) if text.get_text()}


def test_an_english_council_draws_english_words_and_short_month_names() -> None:
    words = drawn_words(ENGLISH)
    assert {"Last 12 weeks", "Opened", "Answered", "Overdue at week end"} <= words
    assert {"7 Sep", "23 Nov"} <= words
    assert not any("Agorwyd" in word for word in words)


@pytest.mark.parametrize(
    ("languages", "title", "opened"),
    [
        (ENGLISH_FIRST, "Last 12 weeks / Y 12 wythnos diwethaf", "Opened / Agorwyd"),
        (WELSH_FIRST, "Y 12 wythnos diwethaf / Last 12 weeks", "Agorwyd / Opened"),
    ],
)
def test_a_bilingual_digest_draws_both_languages_in_its_order(
    languages: tuple[str, ...], title: str, opened: str
) -> None:
    words = drawn_words(languages)
    assert title in words and opened in words
    # Weeks in words in both languages, the digest's first on top; "7/9" was the 9th of
    # July to a reader of American dates.
    first, second = ("Sep", "Medi"), ("Nov", "Tach")
    if languages == WELSH_FIRST:
        first, second = ("Medi", "Sep"), ("Tach", "Nov")
    assert {f"7 {first[0]}\n{first[1]}", f"23 {second[0]}\n{second[1]}"} <= words
    assert not any(re.fullmatch(r"\d+/\d+", word) for word in words)


def _digest_png(tmp_path: Path, policy: str) -> bytes:
    first, server = make_app(tmp_path, officers=(MAX, SAM, ANN, PAT, BOB), policy=policy)
    first.close()
    config = tmp_path / "mailbot.toml"
    config.write_text(config.read_text() + f'[digest]\nrecipients = ["{CHIEF}"]\n')
    app = build_app(
        load_settings(config), backend=MemoryMailbox(server), classifier=shared_rules_classifier()
    )
    try:
        seed(app)
        jobs.send_digests(app, MONDAY_8AM)
        jobs.flush_outbox(app, MONDAY_8AM)
    finally:
        app.close()
    (digest,) = [m for _, m in sent(server) if m["To"] == CHIEF]
    (image,) = [part for part in digest.walk() if part.get_content_type() == "image/png"]
    return bytes(image.get_content())


@pytest.mark.own_database  # three councils with the same cases, each its own SQLite file
def test_the_welsh_councils_digest_carries_the_bilingual_chart(tmp_path: Path) -> None:
    """What leaves: the PNG in a bilingual council's digest is the bilingual drawing."""
    welsh = _digest_png(tmp_path / "cardiff", "cardiff")
    english = _digest_png(tmp_path / "wiltshire", "wiltshire")
    assert welsh != english  # the same cases, drawn with other words
    assert chart_words(ENGLISH_FIRST) == ENGLISH_WORDS.then(WELSH_WORDS)
    assert english == _digest_png(tmp_path / "wiltshire-again", "wiltshire")  # no noise


def test_weeks_across_a_new_year_are_drawn_with_their_year() -> None:
    """The axis itself, as context.py's trend_years asks: each week's year on a line of its
    own below its month (the PNG's Description is tested as it leaves, in
    tests/integration/test_digest_chart_years.py)."""
    weeks = [WeekPoint(date(2026, 10, 19) + timedelta(weeks=i), 1, 1, 1, 0) for i in range(12)]
    english = draw_trend(weeks, chart_words(ENGLISH, years=True))
    drawn = {text.get_text() for text in english.findobj(Text)}
    assert {"19 Oct\n2026", "28 Dec\n2026", "4 Jan\n2027"} <= drawn
    bilingual = draw_trend(weeks, chart_words(ENGLISH_FIRST, years=True))
    assert "28 Dec\nRhag\n2026" in {text.get_text() for text in bilingual.findobj(Text)}
