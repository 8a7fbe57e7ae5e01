"""`mailbot person find / export / erase` on a real app: Jo's pothole enquiry answered by
Sam, Jo's forward of a resident's (Pat's) email still open, Rhian's enquiry, and a
correction to Jo's case; all run through the pipeline, then the commands run as a DPO
would run them. Judged by the files written, the rows left and what the commands say."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import JO, NOW, RHIAN, SAM, AppFactory, eml, rows, run, sent_to
from typer.testing import CliRunner, Result

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.cli import app as cli
from mailbot.model import Kind
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow
from mailbot.triage import relabel_case

POTHOLE = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
SAM_REPLY = "<AM0PR02MB5555B0B0B0B0B0B0@AM0PR02MB5555.eurprd02.prod.outlook.com>"
BINS = "<DB9PR01MB7361ATT0A1B2C3D@DB9PR01MB7361.eurprd01.prod.outlook.com>"
PAT = ("Pat Resident", "pat.resident@example.net")


def _rhian_enquiry() -> bytes:
    return (
        f"From: {RHIAN[0]} <{RHIAN[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        "Subject: Broken street light on Heol y Bont\r\nMessage-ID: <rhian-1@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:30:00 +0000\r\n\r\n"
        "The street light outside number 3 has been out for a week.\r\n"
    ).encode()


def _sam_answers_the_bins() -> bytes:
    return (
        f"From: {SAM[0]} <{SAM[1]}>\r\nTo: {JO[0]} <{JO[1]}>\r\n"
        "Cc: memberenquiries@wiltshire.gov.uk\r\n"
        "Subject: RE: FW: Bins not collected on Mill Lane\r\n"
        "Message-ID: <sam-bins@wiltshire.gov.uk>\r\n"
        f"In-Reply-To: {BINS}\r\nReferences: {BINS}\r\n"
        "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\n"
        "Dear Cllr Bloggs, the crew will collect Mill Lane's bins on Monday.\r\n"
    ).encode()


@dataclass
class World:
    app: App
    server: MemoryServer
    config: str

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["person", *args, "--config", self.config])

    def case(self, root: str) -> CaseRow:
        [case] = rows(self.app, CaseRow, CaseRow.root_message_id == root)
        return case

    def message(self, message_id: str) -> MessageRow:
        [row] = rows(self.app, MessageRow, MessageRow.message_id == message_id)
        return row


@pytest.fixture
def world(app_factory: AppFactory) -> World:
    app, server = app_factory()
    for raw in (eml("member_enquiry.eml"), eml("member_forwards_resident_email_as_attachment.eml"),
                _rhian_enquiry()):
        server.deliver(raw)
    run(app, NOW)
    server.deliver(eml("officer_reply_cc.eml"))
    run(app, NOW + timedelta(days=1))
    world = World(app, server, str(app.settings.config_path))
    relabel_case(app, world.case(POTHOLE).ref, Kind.ENQUIRY, who="triage@wiltshire.gov.uk",
                 now=NOW + timedelta(hours=1))
    assert world.case(POTHOLE).status == "responded"
    assert world.case(BINS).status == "open" and world.case(BINS).member_email == JO[1]
    return world


def _snapshot(app: App) -> list[object]:
    return [
        [(m.raw, m.sender, m.subject, m.purged_at) for m in rows(app, MessageRow)],
        [(o.mime, o.recipients, o.purged_at) for o in rows(app, OutboxRow)],
        [(c.member_email, c.member_name, c.subject, c.anonymised_at) for c in rows(app, CaseRow)],
        [(e.actor, e.detail) for e in rows(app, EventRow)],
        [(c.who, c.why) for c in rows(app, ClockEventRow)],
    ]


def test_find_lists_a_members_cases_and_mail_and_changes_nothing(world: World) -> None:
    before = _snapshot(world.app)
    result = world.cli("find", "--address", JO[1])
    assert result.exit_code == 0, result.output
    pothole, bins = world.case(POTHOLE).ref, world.case(BINS).ref
    assert f"case {pothole} (enquiry, responded" in result.output
    assert f"case {bins} (enquiry, open" in result.output
    assert "the member" in result.output
    assert world.case(POTHOLE).ref in result.output and RHIAN[1] not in result.output
    assert "line(s) of the classifier corrections file" in result.output
    assert f"listed in {world.app.directory.members_path}: a member, {JO[0]}" in result.output
    assert _snapshot(world.app) == before
    assert rows(world.app, EventRow, EventRow.action == "subject access export") == []


def test_export_writes_each_mail_as_it_was_and_a_readme(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "sar-jo"
    result = world.cli("export", str(folder), "--address", JO[1])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert all(stat.S_IMODE((folder / f).stat().st_mode) == 0o600 for f in files)

    # Every message Jo sent or was sent, byte for byte as received.
    received = json.loads((folder / "received-mail.json").read_text(encoding="utf-8"))
    by_id = {m["message_id"]: m for m in received}
    assert set(by_id) == {POTHOLE, SAM_REPLY, BINS}
    assert (folder / by_id[POTHOLE]["file"]).read_bytes() == eml("member_enquiry.eml")
    assert (folder / by_id[SAM_REPLY]["file"]).read_bytes() == eml("officer_reply_cc.eml")
    assert "To" in by_id[SAM_REPLY]["found_by"]

    # The acknowledgements as sent.
    sent = json.loads((folder / "sent-mail.json").read_text(encoding="utf-8"))
    acks = [m for m in sent if m["purpose"] == "ack"]
    assert len(acks) == 2 and all(m["recipients"] == JO[1] for m in acks)
    for ack in acks:
        [row] = rows(world.app, OutboxRow, OutboxRow.id == ack["row"])
        assert (folder / ack["file"]).read_bytes() == row.mime
    assert len(sent_to(world.server, JO[1])) == 2

    cases = json.loads((folder / "cases.json").read_text(encoding="utf-8"))
    assert {c["ref"] for c in cases} == {world.case(POTHOLE).ref, world.case(BINS).ref}
    assert all(c["member_email"] == JO[1] for c in cases)
    trail = json.loads((folder / "audit-trail.json").read_text(encoding="utf-8"))
    assert {e["action"] for e in trail["events"]} >= {"opened", "responded", "relabelled"}
    [line] = (folder / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["headers"]["from"].endswith(f"<{JO[1]}>")

    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert f"- the address {JO[1]}" in readme
    assert "- 2 case(s): cases.json" in readme and "- 3 message(s) received" in readme
    assert "NOT COVERED" in readme and "Article 15(4)" in readme
    kept_copy = world.app.settings.data_dir / "directory"
    assert f"the daemon's copy of them in {kept_copy}" in readme.split("NOT COVERED")[1]
    assert RHIAN[1] not in "".join(p.read_text(encoding="utf-8", errors="replace")
                                   for p in folder.rglob("*") if p.is_file())

    # Recorded, with counts and no one's details.
    [event] = rows(world.app, EventRow, EventRow.action == "subject access export")
    assert event.actor.startswith("admin:") and "@" not in event.detail
    assert "received_mail 3" in event.detail


def test_export_never_writes_into_an_existing_folder_or_through_a_symlink(
    world: World, tmp_path: Path
) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    result = world.cli("export", str(existing), "--address", JO[1])
    assert result.exit_code == 1
    assert result.stderr == (f"mailbot: error: {existing} already exists: give a new folder "
                             "(nothing is written into or over an existing one)\n")
    assert list(existing.iterdir()) == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    result = world.cli("export", str(tmp_path / "link"), "--address", JO[1])
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert rows(world.app, EventRow, EventRow.action == "subject access export") == []


def test_a_resident_is_found_only_by_searching_the_text(world: World, tmp_path: Path) -> None:
    """Pat wrote to Jo, who forwarded Pat's email as an attachment: no header of ours
    names Pat, so only --in-text finds the forward (and our assignment quoting it)."""
    plain = world.cli("find", "--address", PAT[1], "--name", PAT[0])
    assert plain.exit_code == 0 and plain.output == "nothing\n"

    for args in (["--address", PAT[1]], ["--name", "pat  resident"]):
        found = world.cli("find", *args, "--in-text")
        assert found.exit_code == 0, found.output
        assert f"received mail row {world.message(BINS).id}" in found.output
        assert "text" in found.output
        assert world.case(BINS).ref in found.output
        assert f"received mail row {world.message(POTHOLE).id}" not in found.output

    folder = tmp_path / "sar-pat"
    result = world.cli("export", str(folder), "--address", PAT[1], "--in-text")
    assert result.exit_code == 0, result.output
    [message] = json.loads((folder / "received-mail.json").read_text(encoding="utf-8"))
    assert (folder / message["file"]).read_bytes() == eml(
        "member_forwards_resident_email_as_attachment.eml"
    )
    assert "- the text of mail" in (folder / "README.txt").read_text(encoding="utf-8")


def test_erase_shows_first_then_anonymises_a_members_answered_case_and_keeps_the_open_one(
    world: World,
) -> None:
    app = world.app
    before = _snapshot(app)
    corrections = app.settings.corrections_path.read_bytes()
    pothole, bins = world.case(POTHOLE), world.case(BINS)

    dry = world.cli("erase", "--address", JO[1])
    assert dry.exit_code == 0, dry.output
    assert f"would anonymise case {pothole.ref}" in dry.output
    assert (f"kept: case {bins.ref} is open: it is still being answered, so nothing of it is "
            "erased (--include-open erases it too)") in dry.output
    assert dry.output.endswith("nothing was changed: run again with --yes to erase it\n")
    assert _snapshot(app) == before
    assert app.settings.corrections_path.read_bytes() == corrections

    done = world.cli("erase", "--address", JO[1], "--yes")
    assert done.exit_code == 0, done.output
    assert f"anonymise case {pothole.ref}" in done.output and "would" not in done.output

    case = world.case(POTHOLE)
    assert (case.member_email, case.member_name, case.subject) == ("", "", "")
    assert case.anonymised_at is not None and case.ref == pothole.ref
    assert (case.kind, case.status, case.response_due) == (
        pothole.kind, pothole.status, pothole.response_due
    )
    for message_id in (POTHOLE, SAM_REPLY):
        row = world.message(message_id)
        assert (row.raw, row.sender, row.subject) == (b"", "", "") and row.purged_at
    assert all(o.mime == b"" and o.recipients == ""
               for o in rows(app, OutboxRow, OutboxRow.case_id == case.id))
    # No audit text anywhere still gives Jo's address, outside the open case.
    open_id = world.case(BINS).id
    assert not [e for e in rows(app, EventRow) if e.case_id != open_id
                and (JO[1] in e.detail or e.actor == JO[1])]
    assert app.settings.corrections_path.read_text(encoding="utf-8") == ""

    # The open case, its mail and its acknowledgement are untouched.
    kept = world.case(BINS)
    assert kept.member_email == JO[1] and kept.subject and kept.anonymised_at is None
    assert world.message(BINS).raw == eml("member_forwards_resident_email_as_attachment.eml")
    assert all(o.mime for o in rows(app, OutboxRow, OutboxRow.case_id == kept.id))

    [event] = rows(app, EventRow, EventRow.action == "erasure")
    assert event.actor.startswith("admin:") and event.case_id is None
    assert "@" not in event.detail and "Bloggs" not in event.detail
    assert f"cases_anonymised 1 ({pothole.ref})" in event.detail
    assert f"open cases kept 1 ({bins.ref})" in event.detail

    # The same mail delivered again (a mailbox resync) is still known: nothing is sent.
    sent_before = len(world.server.outgoing)
    world.server.deliver(eml("member_enquiry.eml"))
    run(app, NOW + timedelta(days=2))
    assert len(world.server.outgoing) == sent_before
    assert len(rows(app, CaseRow)) == 3

    # Once told, the open case goes too.
    again = world.cli("erase", "--address", JO[1], "--include-open", "--yes")
    assert again.exit_code == 0, again.output
    assert f"anonymise case {bins.ref}" in again.output
    assert world.case(BINS).anonymised_at is not None
    assert world.message(BINS).raw == b""
    assert rows(app, CaseRow, CaseRow.member_email == JO[1]) == []


def test_erasing_a_resident_blanks_the_forward_but_not_the_members_case(world: World) -> None:
    app = world.app
    world.server.deliver(_sam_answers_the_bins())
    run(app, NOW + timedelta(days=2))
    assert world.case(BINS).status == "responded"

    done = world.cli("erase", "--address", PAT[1], "--name", PAT[0], "--in-text", "--yes")
    assert done.exit_code == 0, done.output
    assert f"erase received mail row {world.message(BINS).id}" in done.output
    forward = world.message(BINS)
    assert (forward.raw, forward.sender, forward.subject) == (b"", "", "")
    case = world.case(BINS)
    assert case.member_email == JO[1] and case.anonymised_at is None  # Jo's case stays
    assert world.message(POTHOLE).raw == eml("member_enquiry.eml")
    # Nothing mailbot still holds names Pat.
    after = world.cli("find", "--address", PAT[1], "--name", PAT[0], "--in-text")
    assert after.output == "nothing\n"


def test_an_officer_is_refused_and_nothing_changes(world: World) -> None:
    before = _snapshot(world.app)
    for args in (["--address", SAM[1]], ["--name", SAM[0]]):
        result = world.cli("erase", *args, "--yes")
        assert result.exit_code == 1
        assert result.stderr.startswith("mailbot: error: this is an officer: ")
        assert "staff details are kept" in result.stderr.lower()
        assert result.stderr.count("\n") == 1
    assert _snapshot(world.app) == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], "give the person's --address, --name, or both"),
        (["--address", "jo bloggs"], "--address 'jo bloggs' is not an email address"),
        (["--address", "MemberEnquiries@wiltshire.gov.uk"],
         "--address memberenquiries@wiltshire.gov.uk is the shared mailbox itself, not a person"),
        (["--name", "J."], "--name 'J.' is too short to search for"),
    ],
)
def test_a_person_not_given_well_is_one_line(world: World, args: list[str], error: str) -> None:
    for command in ("find", "erase"):
        result = world.cli(command, *args)
        assert result.exit_code == 2
        assert result.stderr == f"mailbot: error: {error}\n"


def test_help_names_every_command() -> None:
    result = CliRunner().invoke(cli, ["person", "--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in ("find", "export", "erase"))
    assert "person" in CliRunner().invoke(cli, ["--help"]).output


def _jo_copies_in_two_residents() -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        "Cc: =?utf-8?q?Si=C3=A2n_Pr=C3=BBs?= <s.p@example.net>,\r\n"
        " Dai Jones <DAI.JONES@example.net>\r\n"
        "Subject: Flooding on Church Street\r\nMessage-ID: <jo-flood@wiltshire.gov.uk>\r\n"
        "Date: Thu, 26 Nov 2026 09:30:00 +0000\r\n\r\n"
        "Mrs Ceri Morgan at number 9 says the drain is blocked again.\r\n"
    ).encode()


@pytest.mark.parametrize("args", [
    ["--name", "siân prûs"],  # only in an encoded display name
    ["--address", "dai.jones@example.net"],  # in capitals, on a folded Cc line
    ["--name", "Jones Dai"],
], ids=["encoded name", "address", "name"])
def test_someone_copied_in_is_found_by_the_headers(world: World, args: list[str]) -> None:
    """The search reads the headers of only the mail that may name the person, so a name
    or address copied in, however written, must still be found."""
    world.server.deliver(_jo_copies_in_two_residents())
    run(world.app, NOW + timedelta(days=1, hours=1))
    flood = world.message("<jo-flood@wiltshire.gov.uk>")
    found = world.cli("find", *args)
    assert found.exit_code == 0, found.output
    assert f"received mail row {flood.id}" in found.output


def test_someone_named_only_in_the_body_is_found_only_with_in_text(world: World) -> None:
    world.server.deliver(_jo_copies_in_two_residents())
    run(world.app, NOW + timedelta(days=1, hours=1))
    flood = world.message("<jo-flood@wiltshire.gov.uk>")
    assert world.cli("find", "--name", "Ceri Morgan").output == "nothing\n"
    found = world.cli("find", "--name", "Ceri Morgan", "--in-text")
    assert found.exit_code == 0 and f"received mail row {flood.id}" in found.output


def test_export_names_the_other_people_in_each_mail(world: World, tmp_path: Path) -> None:
    """Before sending an export on, the DPO redacts other people's data (UK GDPR Article
    15(4)): each mail saved says whom else it gives by address (Sam, who answered; Pat,
    whose email Jo forwarded) and the files attached, and README.txt lists them with
    their files. Jo herself and the shared mailbox are not listed."""
    folder = tmp_path / "sar-jo"
    result = world.cli("export", str(folder), "--address", JO[1], "--name", JO[0])
    assert result.exit_code == 0, result.output
    received = {m["message_id"]: m for m in
                json.loads((folder / "received-mail.json").read_text(encoding="utf-8"))}
    assert received[SAM_REPLY]["other_people"] == [f"{SAM[0]} <{SAM[1]}>"]
    assert received[BINS]["other_people"] == [PAT[1], f"{SAM[0]} <{SAM[1]}>"]
    assert received[BINS]["attachments"] == []
    sent = json.loads((folder / "sent-mail.json").read_text(encoding="utf-8"))
    [assignment] = [m for m in sent if m["purpose"] == "assignment"
                    and m["case"] == world.case(BINS).ref]
    assert SAM[1] in " ".join(assignment["other_people"])
    assert all(JO[1] not in " ".join(m["other_people"] or []) for m in [*received.values(), *sent])

    readme = (folder / "README.txt").read_text(encoding="utf-8")
    others = readme.split("OTHER PEOPLE IN THESE FILES")[1].split("\n\n")[0]
    pat, sam = (line for line in others.splitlines() if line.startswith("- "))
    assert pat == f"- {PAT[1]}: {received[BINS]['file']}, {assignment['file']}"
    assert sam.startswith(f"- {SAM[0]} <{SAM[1]}>: {received[BINS]['file']}, ")
    assert sam.endswith(", cases.json")
    assert "memberenquiries@" not in others and JO[1] not in others
