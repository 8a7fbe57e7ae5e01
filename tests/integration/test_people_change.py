"""A council's people change while cases are open: an officer leaves or changes address,
a manager leaves, an officer moves team. What happens to the cases they had? Real app
(config file, CSV directory, database) on the memory mailbox; the CSV files are edited
as an administrator would, and the daemon's jobs run at the times given."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, parse_sent, rows, write_csv
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.status import format_status, gather_status
from mailbot.store.tables import CaseRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
ALEX = "alex.morgan@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
TRIAGE = "triage@council.gov.uk"
# Wednesday 25 November 2026, 10:00 London; read at noon.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en")]
OFFICERS = [
    ("Sam Patel", SAM, "highways", DANA, LEE),
    ("Lee Wong", LEE, "highways", DANA, ""),
    ("Dana Reed", DANA, "highways", "", ""),
    ("Alex Morgan", ALEX, "waste", "", ""),
    ("Triage", TRIAGE, "member services", "", ""),
]
HEADER = ("name", "email", "service", "manager_email", "deputy_email")


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=[ADMIN], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{TRIAGE}"\n',
    ) as made:
        yield made


def _edit_officers(council: Council, officers: Sequence[Sequence[str]]) -> None:
    """Save officers.csv again, as an administrator would (a later modification time)."""
    path = council.home / "officers.csv"
    before = path.stat().st_mtime_ns
    write_csv(path, HEADER, officers)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def _without(email: str) -> list[tuple[str, ...]]:
    return [o for o in OFFICERS if o[1] != email]


def _open_pothole(council: Council) -> dict[str, EmailMessage]:
    return by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole by no. 12.", cc=SAM
    )))


def _bounce(council: Council, original: EmailMessage, failed: str, now: datetime) -> bytes:
    council.count += 1
    return (
        "From: Mail Delivery System <MAILER-DAEMON@council.gov.uk>\r\n"
        f"To: {MAILBOX}\r\n"
        "Subject: Undeliverable: your message\r\n"
        f"Message-ID: <bounce{council.count}@council.gov.uk>\r\n"
        f"Date: {now.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"X-Failed-Recipients: {failed}\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe recipient's mailbox is disabled.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.2.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original['Message-ID']}\r\nSubject: {original['Subject']}\r\n\r\n"
        "--b--\r\n"
    ).encode()


def _cases(council: Council) -> list[CaseRow]:
    return sorted(rows(council.app, CaseRow), key=lambda case: case.id)


def _remind(council: Council, now: datetime) -> list[EmailMessage]:
    jobs.send_reminders(council.app, now)
    return council.flush(now)


# Wiltshire: 10 working days, so due Wednesday 9 December; reminders at 10:00 London.
DUE_DAY = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def test_a_leavers_bouncing_address_asks_someone_to_take_their_case(council: Council) -> None:
    _open_pothole(council)
    _edit_officers(council, _without(SAM))  # Sam has left; their mailbox is disabled
    due_day = _remind(council, DUE_DAY)
    assert [m["To"] for m in due_day] == [SAM]
    out = council.deliver(_bounce(council, due_day[0], SAM, DUE_DAY), now=DUE_DAY)
    # Nobody in the directory is Sam's deputy or manager now: the default officer is asked
    # to pass the case on, and told why.
    assert [m["To"] for m in out] == [TRIAGE]
    ask = out[0]
    text = body_text(ask, "plain")
    assert "could not be delivered" in text and "REASSIGN" in text
    # ... once: the next bounce of the dead address asks nobody again.
    assert council.deliver(_bounce(council, due_day[0], SAM, DUE_DAY), now=DUE_DAY) == []
    assert council.case().officer_email == SAM  # a person decides who takes it
    # The one asked can do it: a reply to that mail moves the case.
    out = council.deliver(council.reply(ask, TRIAGE, f"REASSIGN {LEE}"), now=DUE_DAY)
    assert council.case().officer_email == LEE
    assert sorted(m["To"] for m in out) == sorted([LEE, TRIAGE, JO])  # JO: who has it now


def _status(council: Council, now: datetime) -> str:
    """What `mailbot status` prints at `now`, from the directory as the CSV files say now."""
    council.app.directory.refresh()
    return format_status(gather_status(council.app, now))


def _cli(council: Council, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--config", str(council.home / "mailbot.toml")])
    return result.exit_code, result.output


def test_status_names_a_leaver_holding_open_cases_and_reassign_hands_them_over(
    council: Council,
) -> None:
    _open_pothole(council)
    council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Street light out",
                                 "The light by the school is out.", cc=SAM))
    assert [c.officer_email for c in _cases(council)] == [SAM, SAM]
    _edit_officers(council, _without(SAM))
    code, output = _cli(council, "status")
    assert (f"cases: 2 open case(s) with {SAM}, who is not in officers.csv (left, or a "
            f"changed address?): mailbot reassign --from {SAM} --to NEW") in output, output
    # Only a leaver is named: the default officer, the pack's teams and the people the
    # directory names as managers are not.
    assert output.count("not in officers.csv") == 1
    code, output = _cli(council, "case", "MB-2026-00001")
    assert (f"officer: {SAM}, who is NOT in officers.csv (left, or a changed address?): "
            "mailbot reassign MB-2026-00001 --to NEW") in output
    code, output = _cli(council, "reassign", "--from", SAM, "--to", "nobody@council.gov.uk")
    assert code == 1 and "nobody@council.gov.uk is not in the officers directory" in output
    code, output = _cli(council, "reassign", "--from", SAM, "--to", LEE, "--reason",
                        "Sam has left the council", "--by", ADMIN)
    assert code == 0, output
    assert "2 case(s) now with lee.wong@council.gov.uk: MB-2026-00001, MB-2026-00002" in output
    assert [c.officer_email for c in _cases(council)] == [LEE, LEE]
    out = council.flush(datetime.now(UTC) + timedelta(minutes=1))  # the CLI's own time
    assert [m["To"] for m in out if m["To"] != JO] == [LEE, LEE]
    assert len(out) == 4  # and each case's member is told who has it now
    text = body_text(out[0], "plain")
    assert "This case was with sam.patel@council.gov.uk; it has been handed over to you: " \
        "Sam has left the council." in text
    assert "A deep pothole by no. 12." in text  # the member's message, as in an assignment
    assert "not in officers.csv" not in _cli(council, "status")[1]
    assert council.events("reassigned")[-1].actor == ADMIN


ESCALATION_DAY = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)  # third overdue reminder


def test_a_new_manager_in_officers_csv_gets_the_escalation_without_waiting_for_mail(
    council: Council,
) -> None:
    _open_pothole(council)
    # Sam moves to Alex's team; no mail arrives after the edit, only the daemon's sweeps.
    _edit_officers(council, [("Sam Patel", SAM, "waste", ALEX, LEE), *_without(SAM)])
    out = _remind(council, ESCALATION_DAY)
    # Wiltshire 6.5.8: the member hears the date has passed (once), the manager is asked.
    assert [(m["To"], m["Cc"]) for m in out] == [(JO, None), (ALEX, SAM)]


def test_a_manager_without_a_row_is_named_with_file_and_line(
    council: Council, caplog: pytest.LogCaptureFixture
) -> None:
    _open_pothole(council)
    # Dana, Sam's and Lee's manager, leaves; their rows still name her.
    _edit_officers(council, _without(DANA))
    code, output = _cli(council, "check-config")
    path = council.home / "officers.csv"
    assert code == 0, output  # a warning: the file is usable
    assert (f"{path}:2: manager_email {DANA} has no row of its own in this file (left the "
            "council?); escalations and redirects to them go to that address") in output
    assert output.count(DANA) == 1  # once, at the first line naming her
    # The running daemon says so when it re-reads the file.
    with caplog.at_level("WARNING", logger="mailbot.directory"):
        jobs.send_reminders(council.app, DUE_DAY)
    assert f"manager_email {DANA} has no row" in caplog.text
    # And `mailbot status`, the first thing an administrator looks at.
    code, output = _cli(council, "status")
    assert "directory: 1 warning(s) (mailbot check-config lists them):" in output
    assert f"manager_email {DANA} has no row of its own" in output


def test_the_council_digest_shows_a_leavers_cases_as_not_in_officers_csv(
    tmp_path: Path,
) -> None:
    with Council(
        tmp_path / "digest", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=[ADMIN], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{TRIAGE}"\n'
        f'[digest]\nrecipients = ["{ADMIN}"]\nmanagers = false\n',
    ) as council:
        _open_pothole(council)
        _edit_officers(council, _without(SAM))
        preview = tmp_path / "digest.eml"
        code, output = _cli(council, "digest", "--preview", "--out", str(preview))
        assert code == 0, output
        text = body_text(parse_sent(preview.read_bytes()), "plain")
    assert "Not in officers.csv (left?)" in text
    assert SAM in text


def _auto_reply(council: Council, to: EmailMessage, sender: str, note: str) -> bytes:
    return council.mail(sender, f"Automatic reply: {to['Subject']}", note,
                        in_reply_to=str(to["Message-ID"]), extra="Auto-Submitted: auto-replied")


def test_a_leavers_auto_reply_naming_nobody_reaches_someone_who_can_act(
    council: Council,
) -> None:
    _open_pothole(council)
    _edit_officers(council, _without(SAM))
    due_day = _remind(council, DUE_DAY)
    out = council.deliver(_auto_reply(council, due_day[0], SAM,
                                      "I have now left Test Council. Thank you."), now=DUE_DAY)
    assert [m["To"] for m in out] == [TRIAGE]
    out = council.deliver(council.reply(out[0], TRIAGE, f"REASSIGN {ALEX}"), now=DUE_DAY)
    assert _cases(council)[0].officer_email == ALEX
    assert sorted(m["To"] for m in out) == sorted([ALEX, TRIAGE, JO])


def test_a_leavers_auto_reply_naming_a_colleague_hands_the_case_to_them(
    council: Council,
) -> None:
    _open_pothole(council)
    _edit_officers(council, _without(SAM))
    due_day = _remind(council, DUE_DAY)
    out = council.deliver(_auto_reply(
        council, due_day[0], SAM,
        f"I no longer work for Test Council. Please contact Lee Wong, {LEE}."), now=DUE_DAY)
    assert [m["To"] for m in out] == [LEE, JO]  # the member is told who has it now
    assert _cases(council)[0].officer_email == LEE


def test_a_leavers_overdue_case_is_escalated_to_someone_who_can_act(council: Council) -> None:
    _open_pothole(council)
    # Sam has left, and their mailbox still takes mail (kept for a while, read by nobody):
    # no bounce, no auto-reply. The escalation is what brings a person to the case.
    _edit_officers(council, _without(SAM))
    out = _remind(council, ESCALATION_DAY)
    assert [(m["To"], m["Cc"]) for m in out] == [(TRIAGE, SAM)]
    text = body_text(out[0], "plain")
    assert f"{SAM} is not in officers.csv" in text, text
    out = council.deliver(council.reply(out[0], TRIAGE, f"REASSIGN {LEE}"),
                          now=ESCALATION_DAY)
    assert _cases(council)[0].officer_email == LEE
    assert sorted(m["To"] for m in out) == sorted([LEE, TRIAGE, JO])


def test_a_routing_rule_for_a_leaver_gives_new_cases_to_the_default_officer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Council(
        tmp_path / "rules", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=[ADMIN], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{TRIAGE}"\n'
        f'[[routing.rules]]\nname = "highways"\nofficer = "{SAM}"\nkeywords = ["pothole"]\n',
    ) as council:
        # Sam leaves while the daemon runs; the rule in mailbot.toml still names Sam.
        _edit_officers(council, _without(SAM))
        with caplog.at_level("ERROR"):
            out = by_recipient(council.deliver(council.mail(
                f"Cllr Jo Bloggs <{JO}>", "Pothole on Mill Lane", "A pothole by the mill.")))
        assert set(out) == {JO, TRIAGE}
        assert _cases(council)[0].officer_email == TRIAGE
        assert f"routing.rules (number 1).officer: {SAM} ('highways') is not in the officers " \
            "directory" in caplog.text


def _edit_members(council: Council, members: Sequence[Sequence[str]]) -> None:
    path = council.home / "members.csv"
    before = path.stat().st_mtime_ns
    write_csv(path, ("name", "email", "ward", "language"), members)
    os.utime(path, ns=(before + 10**9, before + 10**9))


NEW_MEMBER = "pat.green@council.gov.uk"


def test_after_an_election_former_members_cases_carry_on_and_strangers_wait(
    council: Council,
) -> None:
    ack = _open_pothole(council)[JO]
    _edit_members(council, [("Cllr Pat Green", NEW_MEMBER, "Castle", "en")])  # Jo lost
    # Jo writes in the thread of the open case: added to it, Sam told; no reply to Jo.
    out = council.deliver(council.reply(ack, JO, "It is getting worse."))
    assert [m["To"] for m in out] == [SAM]
    assert len(_cases(council)) == 1
    # Jo's new mail is a stranger's: it waits for a person, with no automatic reply.
    out = council.deliver(council.mail(f"Jo Bloggs <{JO}>", "Bins", "Please collect the bins."))
    assert [m["To"] for m in out] == [TRIAGE]
    assert _cases(council)[-1].status == "needs_triage"
    # Pat, listed before their first mail, is answered at once.
    out = council.deliver(council.mail(f"Cllr Pat Green <{NEW_MEMBER}>", "Fly-tipping",
                                       "Fly-tipping on Mill Lane."))
    assert NEW_MEMBER in [m["To"] for m in out]


def test_a_new_members_first_mail_before_the_csv_listed_them_is_acknowledged_when_settled(
    council: Council,
) -> None:
    # Pat, elected last week, writes before the administrator has added them.
    out = council.deliver(council.mail(f"Cllr Pat Green <{NEW_MEMBER}>", "Fly-tipping",
                                       "Fly-tipping on Mill Lane."))
    assert NEW_MEMBER not in [m["To"] for m in out]
    case = _cases(council)[-1]
    assert case.status == "needs_triage"
    _edit_members(council, [*MEMBERS, ("Cllr Pat Green", NEW_MEMBER, "Mill", "en")])
    code, output = _cli(council, "relabel", case.ref, "enquiry", "--by", ADMIN)
    assert code == 0, output
    out = council.flush(datetime.now(UTC) + timedelta(minutes=1))  # the CLI's own time
    acks = [m for m in out if m["To"] == NEW_MEMBER]
    assert len(acks) == 1 and case.ref in str(acks[0]["Subject"])
    # Settling it again sends nothing more.
    _cli(council, "relabel", case.ref, "enquiry", "--by", ADMIN)
    assert council.flush(datetime.now(UTC) + timedelta(minutes=2)) == []


def test_an_officers_new_address_answers_their_open_case(council: Council) -> None:
    out = _open_pothole(council)
    ack = out[JO]
    new = "s.patel@council.gov.uk"  # name.surname@ became n.surname@
    _edit_officers(council, [("Sam Patel", new, "highways", DANA, LEE), *_without(SAM)])
    assert council.deliver(council.mail(
        f"Sam Patel <{new}>", f"RE: {ack['Subject']}", "Filled this morning.", cc=JO,
    )) == []
    assert _cases(council)[0].status == "responded"  # the clock stopped


def test_status_asks_for_the_row_of_an_officer_whose_auto_reply_says_they_left(
    council: Council,
) -> None:
    assignment = _open_pothole(council)[SAM]
    # Sam has gone, but nobody has told the administrator: Sam's row is still there.
    out = council.deliver(_auto_reply(council, assignment, SAM,
                                      "I have now left Test Council. Please contact Lee."))
    assert [m["To"] for m in out] == [LEE, JO]  # the deputy takes this case, as before
    line = (f"directory: {SAM} auto-replied on 2026-11-25 12:00 that they have left, but is "
            f"still in officers.csv: delete their row, then mailbot reassign --from {SAM} "
            "--to NEW")
    assert line in _status(council, NOW + timedelta(days=59))
    assert "auto-replied" not in _status(council, NOW + timedelta(days=61))  # long ago
    _edit_officers(council, _without(SAM))
    assert "auto-replied" not in _status(council, NOW)
    # An ordinary out-of-office says nothing of the kind.
    assignment = by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Bins", "Missed again.", cc=ALEX)))[ALEX]
    council.deliver(_auto_reply(council, assignment, ALEX, "I am on annual leave until 7 Dec."))
    assert "auto-replied" not in _status(council, NOW)


def test_an_unreadable_edit_keeps_the_last_directory_and_emails_the_admins_once(
    council: Council,
) -> None:
    path = council.home / "officers.csv"
    before = path.stat().st_mtime_ns
    # Saved from Excel (BOM, CRLF, a trailing empty column, "Surname, Name" quoted), with
    # Sam's row pasted twice and changed in the second copy.
    path.write_bytes(
        "\ufeffName,Email,Service,Manager Email,Deputy Email,\r\n"
        f'"Patel, Sam",{SAM},highways,{DANA},{LEE},\r\n'
        f"Lee Wong,{LEE},highways,{DANA},,\r\n"
        f"Dana Reed,{DANA},highways,,,\r\n"
        f'"Patel, Sam",{SAM.upper()},waste,{DANA},,\r\n'.encode()
    )
    os.utime(path, ns=(before + 10**9, before + 10**9))
    saturday_night = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    jobs.send_reminders(council.app, saturday_night)
    out = council.flush(saturday_night)
    assert [m["To"] for m in out] == [ADMIN]
    text = body_text(out[0], "plain")
    assert f"{path}:5: email {SAM} is listed twice (first officers.csv line 2)" in text
    assert "as it was before the change" in text
    # The last good directory is still in use, and the admins are not told twice.
    assert council.app.directory.officer(ALEX) is not None
    jobs.send_reminders(council.app, saturday_night + timedelta(minutes=15))
    assert council.flush(saturday_night + timedelta(minutes=15)) == []
    # Put right, the file is read (Excel's form and all); nothing more is sent.
    path.write_bytes(path.read_bytes().rsplit(b'"Patel, Sam"', 1)[0])
    os.utime(path, ns=(before + 2 * 10**9, before + 2 * 10**9))
    jobs.send_reminders(council.app, saturday_night + timedelta(minutes=30))
    assert council.flush(saturday_night + timedelta(minutes=30)) == []
    assert council.app.directory.officer(SAM).name == "Patel, Sam"
    assert council.app.directory.officer(ALEX) is None


def test_reassign_that_moves_nothing_says_nothing_changed(council: Council) -> None:
    # "0 case(s) now with ..." after a mistyped --from read like a hand-over done.
    _open_pothole(council)
    code, output = _cli(council, "reassign", "--from", "sam.patel@counci.gov.uk", "--to", LEE)
    assert code == 0, output
    assert "nothing changed: no open case is with sam.patel@counci.gov.uk" in output
    code, output = _cli(council, "reassign", "mb-2026-1", "--to", SAM)  # typed short
    assert code == 0, output
    assert f"nothing changed: MB-2026-00001 already with {SAM}" in output
    code, output = _cli(council, "case", "mb-2026-1")
    assert code == 0 and "MB-2026-00001" in output, output
    assert [c.officer_email for c in _cases(council)] == [SAM]
    assert council.flush(datetime.now(UTC) + timedelta(minutes=1)) == []


def test_cases_officer_given_a_name_says_it_wants_the_address(council: Council) -> None:
    _open_pothole(council)
    code, output = _cli(council, "cases", "--officer", "Sam Patel")
    assert code == 2, output
    assert output.strip() == ("mailbot: error: --officer 'Sam Patel' is not an email address: "
                              "give the officer's address, as officers.csv has it")
    code, output = _cli(council, "cases", "--officer", SAM.upper(), "--json")
    assert code == 0 and '"ref": "MB-2026-00001"' in output, output


def test_reassign_without_by_records_the_login_as_the_other_admin_commands(
    council: Council,
) -> None:
    # Run by hand without --by, the timeline said 'root' (the bare login), where relabel,
    # quarantine, relay, person and outbox record 'admin:root'.
    _open_pothole(council)
    code, output = _cli(council, "reassign", "MB-2026-00001", "--to", LEE)
    assert code == 0, output
    login = getpass.getuser()
    [event] = council.events("reassigned")
    assert event.actor == f"admin:{login}"
    assert event.detail == f"to {LEE} from {SAM} by admin:{login}"
    out = council.flush(datetime.now(UTC) + timedelta(minutes=1))  # the CLI's own time
    [handover] = [m for m in out if m["To"] == LEE]
    for part in ("plain", "html"):
        text = " ".join(body_text(handover, part).split())
        assert "This case was with Sam Patel; it has been handed over to you." in text
        # Lee is not shown the login, with or without 'admin:'.
        assert "admin:" not in text and f" {login} " not in text and f" {login}." not in text
