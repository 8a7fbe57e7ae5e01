"""`mailbot relabel REF complaint` of an enquiry Sam had, which the member's words show is a
complaint about Sam, sends it up Sam's line (Pat Moss). Sam was then sent the usual 'No
longer with you' notice: the case's subject, that it is now a complaint, and that Pat has
it. The officer a complaint is about is never shown it: Sam's notice now only says the
case has moved away from him and he need do nothing more, as a confidential case is shown
but without its new kind or holder, and the routing records that it is about Sam."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.complained_about import COMPLAINT_ABOUT
from mailbot.store.tables import EventRow, OutboxRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SUBJECT = "Castle Road potholes: Sam Patel's promise"
TEXT = ("Sam Patel told my residents the potholes on Castle Road would be filled by "
        "October. When will they be filled?")


def _council(home: Path, policy: str) -> Council:
    domain = f"{policy}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", policy=policy,
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en"),
                 ("Cllr Siân Evans", f"sian@{domain}", "Tref", "cy")],
        officers=[
            ("Sam Patel", f"sam@{domain}", "Highways", f"pat@{domain}", ""),
            ("Pat Moss", f"pat@{domain}", "Place", "", ""),
            ("Jamie Fox", f"complaints@{domain}", "Complaints", "", ""),
        ],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n'
               f'[policy.routing]\ncomplaints = "complaints@{domain}"\n',
    )


def _relabelled(council: Council, sender: str) -> list[EmailMessage]:
    council.deliver(council.mail(sender, SUBJECT, TEXT, date=RECEIVED), RECEIVED)
    case = council.case()
    assert (case.kind, case.officer_email) == ("enquiry", council.case().officer_email)
    result = CliRunner().invoke(cli, [
        "relabel", case.ref, "complaint", "--by", "admin@council.gov.uk",
        "--config", str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    return council.flush(datetime.now(UTC))


def _words(mail: EmailMessage, part: str) -> str:
    return " ".join(body_text(mail, part).split())


def test_the_officer_complained_about_gets_a_neutral_notice(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as council:
        out = _relabelled(council, "Cllr Jo Bloggs <jo@wiltshire.gov.uk>")
        case = council.case()
        about = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "moved_away")
    assert (case.kind, case.officer_email) == ("complaint", "pat@wiltshire.gov.uk")
    assert [event.detail for event in about] == ["sam@wiltshire.gov.uk"]
    assert row.recipients == "sam@wiltshire.gov.uk" and row.status == "sent"
    [notice] = [m for m in out if m["To"] == "sam@wiltshire.gov.uk"]
    assert case.ref in notice["Subject"] and "No longer with you" in notice["Subject"]
    for said in ("omplaint", "Castle Road", "promise", "Pat Moss", "pat@"):
        assert said not in notice["Subject"]
    for part in ("plain", "html"):
        text = _words(notice, part)
        assert f"{case.ref} is no longer with you" in text
        assert "You need do nothing more" in text
        for said in ("omplaint", "Castle Road", "potholes", "Pat Moss", "pat@", "relabelled"):
            assert said not in text, (part, said)
    # Pat, who has it now, is sent the complaint as usual.
    [assignment] = [m for m in out if m["To"] == "pat@wiltshire.gov.uk"]
    assert "Sam Patel" in _words(assignment, "plain")


def test_in_welsh_too(tmp_path: Path) -> None:
    with _council(tmp_path, "cardiff") as council:
        out = _relabelled(council, "Cllr Siân Evans <sian@cardiff.gov.uk>")
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "pat@cardiff.gov.uk")
    [notice] = [m for m in out if m["To"] == "sam@cardiff.gov.uk"]
    text = _words(notice, "plain")
    assert f"Nid yw {case.ref} gyda chi mwyach" in text
    assert "Nid oes angen i chi wneud dim mwy" in text
    for said in ("omplaint", "gŵyn", "cwyn", "Castle Road", "Pat Moss", "ailddosbarthu"):
        assert said not in text, said
