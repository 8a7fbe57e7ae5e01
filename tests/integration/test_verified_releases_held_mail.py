"""Mail in a member's name that their own domain disowns (dmarc=fail) waits in triage
unacknowledged, and its officer is told to check with the member another way. Once they
have (by phone, say) and it is the member's, VERIFIED in reply to the assignment (or
`mailbot verify REF` for an administrator) releases it: the case is open, the timeline
says who checked and when, the member gets the acknowledgement they would have had, once,
with the dates counted from when their mail was received, and the officer is told so.
VERIFIED on a case that was never held changes nothing and says so."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, eml, rows
from paused_council import JO, SAM, SAM_PATEL, paused_council, words
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.model import Kind
from mailbot.render import long_date
from mailbot.store.tables import EventRow, OutboxRow
from mailbot.triage import relabel_case

HELD_MAIL = "member_enquiry_dmarc_fail.eml"
MEMBER_MESSAGE_ID = "<AM0PR02MB5521F0E1D2C3B4A5@AM0PR02MB5521.eurprd02.prod.outlook.com>"
LEE = "lee.wong@council.gov.uk"
LEE_WONG = ("Lee Wong", LEE, "Highways", "", "")
RECEIVED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday: the mail comes in
CHECKED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # the next Tuesday: rang the member


def _council(tmp_path: Path) -> Council:
    return paused_council(tmp_path / "c", [SAM_PATEL, LEE_WONG], default_officer=SAM)


def _held(council: Council) -> EmailMessage:
    """The disowned mail delivered: nothing to the member; Sam's assignment."""
    out = council.deliver(eml(HELD_MAIL), now=RECEIVED)
    assert [m for m in out if m["To"] == JO] == []
    [assignment] = [m for m in out if m["To"] == SAM]
    assert council.case().status == "needs_triage"
    return assignment


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_the_assignment_of_held_mail_says_how_to_release_it(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        assignment = _held(council)
    for part in ("plain", "html"):
        said = words(assignment, part)
        assert "Check with the member another way before acting on it" in said
        assert "reply VERIFIED once you have checked with them that it is theirs" in said


def test_verified_by_its_officer_releases_it_and_acknowledges_the_member_once(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        assignment = _held(council)
        held = council.case()
        due = held.response_due  # counted from receipt, as the protocol says
        assert due is not None

        out = council.deliver(council.reply(
            assignment, SAM, "VERIFIED - rang Cllr Bloggs, it is hers", date=CHECKED),
            now=CHECKED)

        [ack] = [m for m in out if m["To"] == JO]
        assert ack["In-Reply-To"] == MEMBER_MESSAGE_ID
        assert held.ref in ack["Subject"]
        text = words(ack)
        assert "Thank you for your enquiry" in text
        assert long_date(due) in text
        [confirmation] = [m for m in out if m["To"] == SAM]
        said = words(confirmation)
        assert f"{held.ref} is released" in said
        assert "checked with the member" in said
        assert f"The member ({JO}) is sent the acknowledgement" in said
        assert long_date(due) in said

        case = council.case()
        assert case.status == "open"
        assert case.response_due == due
        assert _as_utc(case.acknowledged_at) == CHECKED  # type: ignore[arg-type]
        [verified] = council.events("verified")
        assert verified.actor == SAM
        assert _as_utc(verified.at) == CHECKED
        assert "checked with the member" in verified.detail

        # The same command again (Sam's second reply): nothing more to the member.
        out = council.deliver(council.reply(
            assignment, SAM, "VERIFIED", date=CHECKED), now=CHECKED)
        assert [m for m in out if m["To"] == JO] == []
        [again] = [m for m in out if m["To"] == SAM]
        assert f"{held.ref} was already released" in words(again)
        assert len(council.events("verified")) == 1
        acks = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
    assert [(r.recipients, r.status) for r in acks] == [(JO, "sent")]


def test_verified_on_mail_that_was_not_held_changes_nothing(tmp_path: Path) -> None:
    plain = eml(HELD_MAIL).split(b"\r\n", 1)[1]  # without our server's dmarc=fail verdict
    with _council(tmp_path) as council:
        out = council.deliver(plain, now=RECEIVED)
        [assignment] = [m for m in out if m["To"] == SAM]
        assert "VERIFIED" not in words(assignment)
        assert len([m for m in out if m["To"] == JO]) == 1
        before = council.case()

        out = council.deliver(council.reply(assignment, SAM, "VERIFIED", date=CHECKED),
                              now=CHECKED)
        assert [m for m in out if m["To"] == JO] == []
        [reply] = [m for m in out if m["To"] == SAM]
        assert (f"{before.ref} was not held as possibly forged: its member has had the "
                "acknowledgement; nothing changed") in words(reply)
        after = council.case()
        assert (after.status, after.acknowledged_at) == (before.status, before.acknowledged_at)
        assert council.events("verified") == []
        assert len(rows(council.app, OutboxRow, OutboxRow.purpose == "ack")) == 1

        # HELP lists it.
        out = council.deliver(council.reply(assignment, SAM, "HELP", date=CHECKED),
                              now=CHECKED)
        [help_mail] = [m for m in out if m["To"] == SAM]
        assert "VERIFIED" in words(help_mail)


def test_verified_from_another_officer_is_refused(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        _held(council)
        ref = council.case().ref
        out = council.deliver(council.mail(LEE, f"[{ref}] checked", "VERIFIED", date=CHECKED),
                              now=CHECKED)
        assert [m for m in out if m["To"] == JO] == []
        [refusal] = [m for m in out if m["To"] == LEE]
        assert f"VERIFIED was not applied to {ref}" in words(refusal)
        assert council.case().status == "needs_triage"
        assert council.events("verified") == []
        assert rows(council.app, OutboxRow, OutboxRow.purpose == "ack") == []


def test_an_administrator_releases_it_with_mailbot_verify(tmp_path: Path) -> None:
    config = str(tmp_path / "c" / "mailbot.toml")
    with _council(tmp_path) as council:
        _held(council)
        held = council.case()
        runner = CliRunner()
        result = runner.invoke(cli, ["verify", held.ref, "--by", "Dee Okafor",
                                     "--config", config])
        assert result.exit_code == 0, result.output
        assert f"{held.ref} is released" in result.output
        assert f"the acknowledgement to {JO} goes with the next outbox flush" in result.output
        out = council.flush(datetime.now(UTC))
        [ack] = [m for m in out if m["To"] == JO]
        assert long_date(held.response_due) in words(ack)  # type: ignore[arg-type]
        [verified] = rows(council.app, EventRow, EventRow.action == "verified")
        assert verified.actor == "Dee Okafor"
        assert council.case().status == "open"

        result = runner.invoke(cli, ["verify", held.ref, "--config", config])
        assert result.exit_code == 0, result.output
        assert f"nothing changed: {held.ref} was already released" in result.output
        assert [m for m in council.flush(datetime.now(UTC)) if m["To"] == JO] == []
        result = runner.invoke(cli, ["verify", "MB-2026-09999", "--config", config])
        assert result.exit_code == 2
        assert "no case MB-2026-09999" in result.output


def test_a_stranger_verified_is_acknowledged_once_members_csv_lists_them(
    tmp_path: Path,
) -> None:
    """A new councillor's first mail, disowned by their domain and sent before
    members.csv listed them: VERIFIED says it is theirs but writes to nobody not listed;
    the relabel once they are listed sends the acknowledgement (not refused as forged)."""
    newcomer = "new.member@council.gov.uk"
    raw = eml(HELD_MAIL).replace(JO.encode(), newcomer.encode())
    with _council(tmp_path) as council:
        out = council.deliver(raw, now=RECEIVED)
        [assignment] = [m for m in out if m["To"] == SAM]
        out = council.deliver(council.reply(assignment, SAM, "VERIFIED", date=CHECKED),
                              now=CHECKED)
        assert [m for m in out if m["To"] == newcomer] == []
        [confirmation] = [m for m in out if m["To"] == SAM]
        said = words(confirmation)
        assert f"It stays in triage: {newcomer} is not in the members directory" in said
        assert "The member was NOT written to" in said
        case = council.case()
        assert case.status == "needs_triage"

        members = council.home / "members.csv"
        with members.open("a", encoding="utf-8") as handle:
            handle.write(f"Cllr New Member,{newcomer},Castle,en\n")
        os.utime(members, ns=(1, 4_000_000_000_000_000_000))
        council.app.directory.refresh()
        for _ in range(2):
            relabel_case(council.app, case.ref, Kind.ENQUIRY, who="admin@council.gov.uk",
                         now=CHECKED)
        [ack] = [m for m in council.flush(CHECKED) if m["To"] == newcomer]
        assert long_date(case.response_due) in words(ack)  # type: ignore[arg-type]
        assert council.case().status == "open"
