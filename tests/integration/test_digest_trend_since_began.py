"""A council's first digests showed "Last 12 weeks" with a row of noughts for every week
before mailbot began, which a committee reads as weeks in which no member wrote, and the
KPIs said "Cases received" from a day mailbot never saw. The trend now starts at the week
mailbot began, says so, and the KPIs count from that day; once mailbot has run 12 weeks
the digest is as before."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, parse_sent, queued_digests, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import OutboxRow

WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # mailbot's first day
NEXT_MONDAY = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)


def council(home: Path, policy: str = "wiltshire") -> Council:
    domain = f"{policy}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", policy=policy, threshold=0.0,
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam.patel@{domain}", "Highways", "", "")],
        config=f'[digest]\nday = "monday"\ntime = "08:00"\n'
               f'recipients = ["chief.executive@{domain}"]\nmanagers = false\n',
    )


def enquiry(place: Council, now: datetime) -> None:
    domain = place.app.mailbox_address.rpartition("@")[2]
    place.deliver(place.mail(f"jo.bloggs@{domain}", "Pothole on Castle Road",
                             "Please get it filled.", date=now), now)


def the_digest(place: Council, now: datetime) -> EmailMessage:
    (digest,) = queued_digests(place, now).values()
    return digest


def trend_rows(text: str, heading: str) -> list[str]:
    table = text.split(heading, 1)[1].split("Confidential cases", 1)[0]
    return re.findall(r"^\s+\d{1,2} [A-Z][a-z]{2}\s+\d", table, flags=re.MULTILINE)


def images(mail: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in mail.walk()
            if part.get_content_maintype() == "image"]


def test_the_first_digest_shows_only_the_week_mailbot_began_in(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        enquiry(place, WEDNESDAY)
        digest = the_digest(place, NEXT_MONDAY)
        text, html = body_text(digest, "plain"), body_text(digest, "html")
        since = "Since mailbot began on Wednesday 25 November 2026"
        assert "Last 12 weeks" not in text
        rows = trend_rows(text, since)
        assert len(rows) == 1 and rows[0].split()[:2] == ["23", "Nov"]
        assert re.search(r"23 Nov\s+1\s", text)
        assert "cases received Wednesday 25 November 2026 to Sunday 29 November 2026" in text
        assert f">{since}</h2>" in html
        assert "for the weeks since mailbot began on Wednesday 25 November 2026" in html
        assert images(digest) == ["image/png"]


def test_after_twelve_weeks_the_digest_shows_all_twelve(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        began = WEDNESDAY - timedelta(weeks=13)
        enquiry(place, began)
        text = body_text(the_digest(place, NEXT_MONDAY), "plain")
        assert "Since mailbot began" not in text
        assert len(trend_rows(text, "Last 12 weeks (week beginning)")) == 12
        assert "cases received Monday 7 September 2026 to Sunday 29 November 2026" in text


def test_a_digest_by_hand_on_the_first_day_has_no_week_to_show(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        enquiry(place, datetime.now(UTC))
        config = place.app.settings.config_path
        assert config is not None
        result = CliRunner().invoke(cli, ["digest", "--config", str(config)])
        assert result.exit_code == 0, result.output
        (digest,) = [parse_sent(row.mime) for row in
                     rows(place.app, OutboxRow, OutboxRow.purpose == "digest")]
        text = body_text(digest, "plain")
        assert "No full week yet." in text
        assert images(digest) == []


def test_a_bilingual_digest_says_since_when_in_both_languages(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as place:
        enquiry(place, WEDNESDAY)
        digest = the_digest(place, NEXT_MONDAY)
        text, html = body_text(digest, "plain"), body_text(digest, "html")
        for body in (text, html):
            assert "Ers i mailbot ddechrau ar" in body
            assert "Since mailbot began on Wednesday 25 November 2026" in body
            assert "Y 12 wythnos diwethaf" not in body
