"""`mailbot relabel` moves a case to the route of its new kind (an enquiry found to be an
FOI request goes to the FOI team): the new holder gets the assignment, and the officer
who had it was told nothing, so they kept working on a case that was no longer theirs.
They now get a short notice: which case, who has it now and why, and that they need do
nothing more. Not when the case stays with the same person."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import EventRow, OutboxRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PURPOSE = "moved_away"


def _council(
    home: Path, policy: str, foi_team: str, admins: tuple[str, ...] = ()
) -> Council:
    domain = f"{policy}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", policy=policy, admins=admins,
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en"),
                 ("Cllr Siân Evans", f"sian@{domain}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", ""),
                  ("FOI Team", f"foi@{domain}", "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n'
               f'[policy.routing]\nfoi_team = "{foi_team}"\n',
    )


def _relabel(
    council: Council, ref: str, kind: str, by: tuple[str, ...] = ("--by", "admin@council.gov.uk")
) -> list[EmailMessage]:
    result = CliRunner().invoke(cli, [
        "relabel", ref, kind, *by, "--config", str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    # The command line queues its mail at the real time: the daemon's next flush sends it.
    return council.flush(datetime.now(UTC))


def _words(mail: EmailMessage, part: str = "plain") -> str:
    return " ".join(body_text(mail, part).split())


def test_the_officer_who_had_the_case_is_told_it_has_moved(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire", "foi@wiltshire.gov.uk") as council:
        council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Potholes on Castle Road",
            "When will the potholes on Castle Road be filled?", date=RECEIVED), RECEIVED)
        case = council.case()
        assert case.kind == "enquiry" and case.officer_email == "sam@wiltshire.gov.uk"
        out = _relabel(council, case.ref, "foi")
        assert council.case().officer_email == "foi@wiltshire.gov.uk"
        [notice] = [m for m in out if m["To"] == "sam@wiltshire.gov.uk"]
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == PURPOSE)
    assert row.recipients == "sam@wiltshire.gov.uk" and row.status == "sent"
    assert case.ref in notice["Subject"] and "No longer with you" in notice["Subject"]
    for part in ("plain", "html"):
        text = _words(notice, part)
        assert f"{case.ref} is no longer with you" in text
        assert "Cllr Jo Bloggs" in text and "Potholes on Castle Road" in text
        assert "relabelled from an enquiry to a request for information" in text
        assert "now with FOI Team (foi@wiltshire.gov.uk)" in text
        assert "You need do nothing more" in text
        assert "Annwyl" not in text


def test_a_bilingual_council_tells_them_in_welsh_too(tmp_path: Path) -> None:
    with _council(tmp_path, "cardiff", "foi@cardiff.gov.uk") as council:
        council.deliver(council.mail(
            "Cllr Siân Evans <sian@cardiff.gov.uk>", "Tyllau yn Heol y Castell",
            "Pryd fydd y tyllau yn Heol y Castell yn cael eu llenwi?", date=RECEIVED), RECEIVED)
        case = council.case()
        assert (case.kind, case.officer_email) == ("enquiry", "sam@cardiff.gov.uk")
        out = _relabel(council, case.ref, "foi")
        [notice] = [m for m in out if m["To"] == "sam@cardiff.gov.uk"]
    text = _words(notice)
    assert f"Nid yw {case.ref} gyda chi mwyach" in text
    assert "Nid oes angen i chi wneud dim mwy" in text
    assert "You need do nothing more" in text
    assert text.index("Annwyl") < text.index("Dear")


def test_nobody_is_told_when_the_case_stays_with_them(tmp_path: Path) -> None:
    # The FOI team is Sam: relabelled, the case stays with Sam, who has nothing to hear.
    with _council(tmp_path, "wiltshire", "sam@wiltshire.gov.uk") as council:
        council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Potholes on Castle Road",
            "When will the potholes on Castle Road be filled?", date=RECEIVED), RECEIVED)
        case = council.case()
        out = _relabel(council, case.ref, "foi")
        assert council.case().kind == "foi"
        assert council.case().officer_email == "sam@wiltshire.gov.uk"
        assert [m for m in out if m["To"] == "sam@wiltshire.gov.uk"] == []
        assert rows(council.app, OutboxRow, OutboxRow.purpose == PURPOSE) == []


def _relabelled_without_by(
    tmp_path: Path, policy: str, member: tuple[str, str, str], admins: tuple[str, ...]
) -> tuple[EmailMessage, list[EventRow]]:
    """Sam's notice when an administrator ran `mailbot relabel REF foi` with no --by, and
    the case's 'relabelled' timeline entries."""
    domain = f"{policy}.gov.uk"
    with _council(tmp_path, policy, f"foi@{domain}", admins) as council:
        council.deliver(council.mail(*member, date=RECEIVED), RECEIVED)
        out = _relabel(council, council.case().ref, "foi", by=())
        [notice] = [m for m in out if m["To"] == f"sam@{domain}"]
        events = rows(council.app, EventRow, EventRow.action == "relabelled")
    return notice, events


POTHOLES = ("Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Potholes on Castle Road",
            "When will the potholes on Castle Road be filled?")


def test_without_by_the_notice_names_the_administrators_not_the_login(tmp_path: Path) -> None:
    # Run as root on the server, the notice said 'by root': words that mean nothing to
    # Sam. It names who the council's administrators are; the timeline keeps the login.
    notice, [event] = _relabelled_without_by(
        tmp_path, "wiltshire", POTHOLES, ("it.support@wiltshire.gov.uk",))
    login = getpass.getuser()
    for part in ("plain", "html"):
        text = _words(notice, part)
        assert ("relabelled from an enquiry to a request for information by an "
                "administrator (it.support@wiltshire.gov.uk), so it is now with FOI Team") in text
        assert f"by {login}," not in text
    assert event.actor == f"admin:{login}"


def test_without_by_or_admins_the_notice_says_an_administrator(tmp_path: Path) -> None:
    notice, [event] = _relabelled_without_by(tmp_path, "wiltshire", POTHOLES, ())
    text = _words(notice)
    assert "to a request for information by an administrator, so it is now with" in text
    assert event.actor == f"admin:{getpass.getuser()}"


def test_without_by_the_welsh_says_gweinyddwr(tmp_path: Path) -> None:
    notice, _ = _relabelled_without_by(
        tmp_path, "cardiff",
        ("Cllr Siân Evans <sian@cardiff.gov.uk>", "Tyllau yn Heol y Castell",
         "Pryd fydd y tyllau yn Heol y Castell yn cael eu llenwi?"),
        ("it.support@cardiff.gov.uk",))
    for part in ("plain", "html"):
        text = _words(notice, part)
        assert "gan weinyddwr (it.support@cardiff.gov.uk), felly" in text
        assert "by an administrator (it.support@cardiff.gov.uk), so" in text
        assert f"gan {getpass.getuser()}," not in text
