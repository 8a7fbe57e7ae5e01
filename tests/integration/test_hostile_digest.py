"""Template syntax and format fields written by a hostile sender travel as text into every
letter that shows them, the weekly digest included: the sandboxed renderer only ever
substitutes them, never runs them. Real mail through the real pipeline, then the digest job
at its hour; assertions on the mail that left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

from mailbot import jobs

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
MAX = "max.boss@council.gov.uk"
CHIEF = "chief.executive@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MONDAY_8AM = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

# Jinja, str.format, %-format and an HTML tag: what a renderer or a formatter that ran
# the text would change.
HOSTILE = "{{ 7*7 }} {% if 1 %}ran{% endif %} {0} {0.__class__} %s %(x)s <b>bold</b>"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX,
        members=[(f"Cllr Jo {HOSTILE}", JO, f"Castle {HOSTILE}", "en")],
        officers=[(f"Sam {HOSTILE}", SAM, f"highways {HOSTILE}", MAX, ""),
                  ("Max Boss", MAX, "highways", "", "")],
        threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nrecipients = ["{CHIEF}"]\n',
    ) as made:
        yield made


def _shown_as_written(text: str) -> None:
    assert HOSTILE in text
    assert "49 ran" not in text and "<class" not in text


def test_hostile_fields_are_text_in_the_ack_the_assignment_the_extension_and_the_digest(
    council: Council,
) -> None:
    out = by_recipient(council.deliver(council.mail(
        f"Cllr Jo <{JO}>", f"Pothole {HOSTILE}", "A deep pothole.", date=NOW)))
    extended = by_recipient(council.deliver(council.reply(
        out[SAM], SAM, f'EXTEND 5 "waiting {HOSTILE}"', date=NOW)))
    council.deliver(council.mail(
        f"Stranger {HOSTILE} <pat@example.net>", f"Bins {HOSTILE}", "Help.", date=NOW))
    jobs.send_digests(council.app, MONDAY_8AM)
    digests = {str(m["To"]): m for m in council.flush(MONDAY_8AM)
               if "digest" in str(m["Subject"]).lower()}
    assert set(digests) >= {CHIEF, MAX}
    letters = [out[JO], out[SAM], extended[JO], digests[CHIEF], digests[MAX]]
    for letter in letters:
        _shown_as_written(str(letter["Subject"]) + body_text(letter, "plain"))
        html = body_text(letter, "html")
        assert "<b>bold</b>" not in html  # escaped, so shown as text rather than made bold
        assert "&lt;b&gt;bold&lt;/b&gt;" in html and "49 ran" not in html
    _shown_as_written(body_text(digests[CHIEF], "plain"))


def test_the_digest_preview_is_for_its_owner_alone_and_not_written_through_a_link(
    council: Council, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app as command_line

    council.deliver(council.mail(f"Cllr Jo <{JO}>", "Pothole by no. 12", "Deep.", date=NOW))
    config = str(council.home / "mailbot.toml")
    out = tmp_path / "preview.eml"
    out.write_bytes(b"an older preview")
    out.chmod(0o644)
    result = CliRunner().invoke(command_line, ["digest", "--preview", "--out", str(out),
                                               "--config", config])
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600 and b"Weekly digest" in out.read_bytes()

    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"keep me")
    link = tmp_path / "link.eml"
    link.symlink_to(precious)
    result = CliRunner().invoke(command_line, ["digest", "--preview", "--out", str(link),
                                               "--config", config])
    assert result.exit_code == 1 and "cannot write" in result.output
    assert result.output.count("\n") == 1  # one line, no traceback
    assert precious.read_bytes() == b"keep me"
