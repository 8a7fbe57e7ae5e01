"""Header values past the database's column sizes (a From address of 400 characters, a
member's name of 300): PostgreSQL refuses a value longer than its VARCHAR, where SQLite
stores it. Such a mail must be handled or quarantined like any other, never stop the poll
for the mail behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import AppFactory, rows, run
from sqlalchemy.exc import DataError

from mailbot import ledger
from mailbot.model import ParsedMessage
from mailbot.policy import default_packs_dir
from mailbot.store.tables import CaseRow, MessageRow

LONG_LOCAL = "a" * 390


def _mail(from_header: str, message_id: str, subject: str = "Pothole on Mill Lane") -> bytes:
    return (
        f"From: {from_header}\r\nTo: memberenquiries@example.gov.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{message_id}@example.org>\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nPlease can someone look at it.\r\n"
    ).encode()


@pytest.mark.parametrize(
    "from_header",
    [
        f"{LONG_LOCAL}@example.org",
        f'"{"Councillor " * 40}" <jo.bloggs@councillors.example.gov.uk>',
        f"Someone <x@{'sub.' * 80}example.org>",
    ],
)
def test_an_oversized_from_does_not_stop_the_poll(
    app_factory: AppFactory, from_header: str
) -> None:
    app, server = app_factory()
    server.deliver(_mail(from_header, "oversized"))
    server.deliver(_mail("Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>", "after"))
    report, _ = run(app)
    assert len(report.outcomes) == 2
    recorded = {row.message_id: row for row in rows(app, MessageRow)}
    assert set(recorded) == {"<oversized@example.org>", "<after@example.org>"}
    assert recorded["<after@example.org>"].status == "processed"
    assert recorded["<oversized@example.org>"].raw
    assert server.inbox == {}


JO_ADDRESS = b"<jo.bloggs@councillors.example.gov.uk>"
RAW_HEADERS = [  # raw 8-bit, NUL bytes, RFC 2047 words that decode to nothing valid
    b"Subject: Caf\xe9 on Mill Lane \x00 again\r\nFrom: Cllr Jo Bloggs " + JO_ADDRESS,
    b"Subject: =?utf-8?b?/w==?= \xff\xfe\r\nFrom: =?utf-8?q?Jo_=ff=00Bloggs?= " + JO_ADDRESS,
    b"Subject: Bins\r\nFrom: \"Jo \xc3\x28 \x00\" <jo.bloggs\xff@councillors.example.gov.uk>",
]


@pytest.mark.parametrize("headers", RAW_HEADERS)
def test_undecodable_headers_do_not_stop_the_poll(app_factory: AppFactory, headers: bytes) -> None:
    app, server = app_factory()
    server.deliver(
        headers + b"\r\nTo: memberenquiries@example.gov.uk\r\nMessage-ID: <odd@example.org>\r\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nBody \x00 with \xff bytes\r\n"
    )
    server.deliver(_mail("Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>", "after"))
    report, _ = run(app)
    assert len(report.outcomes) == 2
    recorded = {row.message_id: row for row in rows(app, MessageRow)}
    assert set(recorded) == {"<odd@example.org>", "<after@example.org>"}
    assert server.inbox == {}


def test_a_message_whose_sender_cannot_be_stored_is_kept_by_its_bytes(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the database refuses about a message's sender or subject (here, every
    attempt to store them fails), its bytes are still recorded and quarantined, and the
    mail behind it is handled."""
    app, server = app_factory()
    refused = "odd@example.org"
    real_note_parsed = ledger.note_parsed

    def refusing(row: MessageRow, parsed: object) -> None:
        real_note_parsed(row, parsed)  # type: ignore[arg-type]
        if isinstance(parsed, ParsedMessage) and parsed.sender and parsed.sender.email == refused:
            raise DataError("INSERT INTO messages", {}, ValueError("value refused"))

    monkeypatch.setattr(ledger, "note_parsed", refusing)
    server.deliver(_mail(f"Odd <{refused}>", "refused"))
    server.deliver(_mail("Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>", "after"))
    report, _ = run(app)
    assert len(report.outcomes) == 2
    recorded = {row.message_id: row for row in rows(app, MessageRow)}
    kept = recorded["<refused@example.org>"]
    assert (kept.status, kept.sender) == ("quarantined", "")
    assert "value refused" in kept.reason
    assert kept.raw.startswith(b"From: Odd")
    assert recorded["<after@example.org>"].status == "processed"
    assert server.inbox == {}


def test_a_council_pack_with_a_long_name_opens_cases(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """A council's own pack is named after its file unless it says otherwise; a long,
    descriptive name must not make every case fail to open on PostgreSQL."""
    pack = tmp_path / f"{'member-officer-protocol-adopted-by-full-council-' * 3}2026.toml"
    pack.write_text((default_packs_dir() / "wiltshire.toml").read_text(encoding="utf-8"))
    app, server = app_factory(policy=str(pack))
    assert len(app.policy.name) > 100
    server.deliver(_mail("Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>", "long-pack"))
    run(app)
    [message] = rows(app, MessageRow)
    assert message.status == "processed", message.reason
    [case] = rows(app, CaseRow)
    assert app.policy.name.startswith(case.policy)
