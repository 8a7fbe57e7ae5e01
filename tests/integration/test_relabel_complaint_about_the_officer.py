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

from complaint_council import at, complain, complaint_council, words
from helpers import Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.complained_about import COMPLAINT_ABOUT
from mailbot.store.tables import EventRow, OutboxRow

SUBJECT = "Castle Road potholes: Sam Patel's promise"
TEXT = ("Sam Patel told my residents the potholes on Castle Road would be filled by "
        "October. When will they be filled?")


def _council(home: Path, policy: str) -> Council:
    """Sam Patel, the default officer, under Pat Moss."""
    sam, pat = at("sam", policy), at("pat", policy)
    return complaint_council(home, policy=policy, welsh_member=True, default_officer=sam,
                             officers=[("Sam Patel", sam, "Highways", pat, ""),
                                       ("Pat Moss", pat, "Place", "", "")])


def _relabelled(council: Council, sender: str, *, subject: str = SUBJECT,
                text: str = TEXT) -> list[EmailMessage]:
    complain(council, subject, text, sender=sender)
    case = council.case()
    assert (case.kind, case.officer_email) == ("enquiry", council.case().officer_email)
    result = CliRunner().invoke(cli, [
        "relabel", case.ref, "complaint", "--by", "admin@council.gov.uk",
        "--config", str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    return council.flush(datetime.now(UTC))


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
        text = words(notice, part)
        assert f"{case.ref} is no longer with you" in text
        assert "You need do nothing more" in text
        for said in ("omplaint", "Castle Road", "potholes", "Pat Moss", "pat@", "relabelled"):
            assert said not in text, (part, said)
    # Pat, who has it now, is sent the complaint as usual.
    [assignment] = [m for m in out if m["To"] == "pat@wiltshire.gov.uk"]
    assert "Sam Patel" in words(assignment, "plain")


def test_in_welsh_too(tmp_path: Path) -> None:
    with _council(tmp_path, "cardiff") as council:
        out = _relabelled(council, "Cllr Siân Evans <sian@cardiff.gov.uk>")
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "pat@cardiff.gov.uk")
    [notice] = [m for m in out if m["To"] == "sam@cardiff.gov.uk"]
    text = words(notice, "plain")
    assert f"Nid yw {case.ref} gyda chi mwyach" in text
    assert "Nid oes angen i chi wneud dim mwy" in text
    for said in ("omplaint", "gŵyn", "cwyn", "Castle Road", "Pat Moss", "ailddosbarthu"):
        assert said not in text, said


def test_an_officer_it_may_be_about_gets_the_neutral_notice_too(tmp_path: Path) -> None:
    """Raj Patel, the default officer, had the enquiry naming 'Mr Patel'; relabelled a
    complaint, it may be about Raj (or Sam Patel), so it goes to the complaints team and
    Raj is told only that it has moved away, not its subject nor who has it."""
    sam, raj, pat = at("sam"), at("raj"), at("pat")
    with complaint_council(tmp_path, default_officer=raj,
                           officers=[("Sam Patel", sam, "Highways", pat, ""),
                                     ("Raj Patel", raj, "Highways", pat, ""),
                                     ("Pat Moss", pat, "Place", "", "")]) as council:
        out = _relabelled(council, f"Cllr Jo Bloggs <{at('jo')}>",
                          subject=SUBJECT.replace("Sam Patel", "Mr Patel"),
                          text=TEXT.replace("Sam Patel", "Mr Patel"))
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", at("complaints"))
    [notice] = [m for m in out if m["To"] == raj]
    assert "No longer with you" in notice["Subject"]
    for part in ("plain", "html"):
        text = words(notice, part)
        assert f"{case.ref} is no longer with you" in text
        for said in ("omplaint", "Castle Road", "potholes", "Jamie Fox", "complaints@"):
            assert said not in text, (part, said)
