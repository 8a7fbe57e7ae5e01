"""The officer's "Update:" mail, sent when the member writes again on an open case, said
"Received" beside the day the case opened, days before the mail it quotes came: the
officer read the new mail as an old one. It now says when the new mail came, and shows
the case's opening day only under its own label. The assignment, which quotes the first
mail, keeps the one "Received" line. Read as the mail that left, English and Welsh."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def words(message: EmailMessage, part: str) -> str:
    """The text of `part`, tags taken out of HTML, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", body_text(message, part)).split())


def lines(message: EmailMessage) -> list[str]:
    return [" ".join(line.split()) for line in body_text(message, "plain").splitlines()]


def assignment_and_update(it: Council, who: str) -> tuple[EmailMessage, EmailMessage]:
    """`who` writes on Monday 23 November and again, in the thread, on Thursday 26th: the
    officer's assignment and the update that followed."""
    domain = it.mailbox.partition("@")[2]
    member = f"Cllr {who.title()} <{who}@{domain}>"
    left = it.deliver(it.mail(member, "Streetlight out on Mill Lane",
                              "Could someone fix the street light on Mill Lane please?",
                              date=MONDAY), MONDAY)
    [assigned] = [m for m in left if str(m["To"]) == f"sam@{domain}"]
    [ack] = [m for m in left if str(m["To"]) == f"{who}@{domain}"]
    left = it.deliver(it.reply(ack, member, "The one outside the school on Church Road is "
                               "out as well now, and the junction is very dark.",
                               date=THURSDAY), THURSDAY)
    [update] = [m for m in left if str(m["To"]) == f"sam@{domain}"]
    assert "Update" in str(update["Subject"])
    assert it.case().status == "open"
    return assigned, update


def test_an_english_update_says_when_the_new_mail_came(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as it:
        assigned, update = assignment_and_update(it, "jo")
    said = lines(update)
    assert "Received: Thursday 26 November 2026" in said
    assert "Case opened: Monday 23 November 2026" in said
    assert "Received: Monday 23 November 2026" not in said
    html = words(update, "html")
    assert "Received Thursday 26 November 2026" in html
    assert "Case opened Monday 23 November 2026" in html
    assert "Received Monday 23 November 2026" not in html
    # The assignment quotes the first mail: the day it came is the day the case opened.
    first = lines(assigned)
    assert "Received: Monday 23 November 2026" in first
    assert not any(line.startswith("Case opened") for line in first)
    assert "Case opened" not in words(assigned, "html")


@pytest.mark.parametrize("who", ["jo", "rhian"])
def test_a_welsh_councils_update_says_it_in_both(tmp_path: Path, who: str) -> None:
    with council_with_sam(tmp_path, "cardiff") as it:
        assigned, update = assignment_and_update(it, who)
    said = lines(update)
    assert "Received: Thursday 26 November 2026" in said
    assert "Case opened: Monday 23 November 2026" in said
    assert "Derbyniwyd: dydd Iau 26 Tachwedd 2026" in said
    assert "Agorwyd yr achos: dydd Llun 23 Tachwedd 2026" in said
    assert "Derbyniwyd: dydd Llun 23 Tachwedd 2026" not in said
    html = words(update, "html")
    assert "Derbyniwyd dydd Iau 26 Tachwedd 2026" in html
    assert "Agorwyd yr achos dydd Llun 23 Tachwedd 2026" in html
    assert "Derbyniwyd dydd Llun 23 Tachwedd 2026" not in html
    first = lines(assigned)
    assert "Derbyniwyd: dydd Llun 23 Tachwedd 2026" in first
    assert not any(line.startswith("Agorwyd yr achos") for line in first)
