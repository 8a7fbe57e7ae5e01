"""The retention purge on a real SQLite app: a member's case answered by an officer, an
out-of-office, a quarantined message and a case still open, all received on one day;
then purges at times just before and just after each [retention] limit, judged by the
rows left in the database and the corrections file."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from helpers import JO, NOW, RHIAN, AppFactory, eml, rows, run, sent_to
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from mailbot import corrections_file, jobs, retention
from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryServer
from mailbot.classify.data import read_jsonl
from mailbot.cli import app as cli
from mailbot.model import Kind
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow
from mailbot.triage import relabel_case

DAY = timedelta(days=1)
JO_ENQUIRY = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
SAM_REPLY = "<AM0PR02MB5555B0B0B0B0B0B0@AM0PR02MB5555.eurprd02.prod.outlook.com>"
OUT_OF_OFFICE = "<ooo-cy-1e2f@mail.wiltshire.gov.uk>"
RHIAN_ENQUIRY = "<open-case-1@wiltshire.gov.uk>"


def _rhian_enquiry() -> bytes:
    return (
        f"From: {RHIAN[0]} <{RHIAN[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        "Subject: Broken street light on Heol y Bont\r\n"
        f"Message-ID: {RHIAN_ENQUIRY}\r\n"
        "Date: Wed, 25 Nov 2026 09:30:00 +0000\r\n\r\n"
        "The street light outside number 3 has been out for a week; please could it be "
        "repaired?\r\n"
    ).encode()


@dataclass
class World:
    app: App
    server: MemoryServer
    received: datetime  # when everything arrived
    answered: datetime  # when Sam's answer closed Jo's case

    def message(self, message_id: str) -> MessageRow:
        [row] = rows(self.app, MessageRow, MessageRow.message_id == message_id)
        return row

    def case_of(self, email: str) -> CaseRow:
        [case] = rows(self.app, CaseRow, CaseRow.root_message_id == self._root(email))
        return case

    def _root(self, email: str) -> str:
        return JO_ENQUIRY if email == JO[1] else RHIAN_ENQUIRY

    def outbox_for(self, email: str) -> list[OutboxRow]:
        case = self.case_of(email)
        return rows(self.app, OutboxRow, OutboxRow.case_id == case.id)


def _world(app: App, server: MemoryServer, received: datetime = NOW) -> World:
    """Jo's pothole enquiry (acknowledged), Rhian's Welsh out-of-office (automatic), a
    message with a CR in its From (quarantined) and Rhian's own enquiry (left open);
    the next day Sam answers Jo, copying the shared mailbox, which closes Jo's case."""
    for raw in (eml("member_enquiry.eml"), eml("ooo_welsh_no_headers.eml"),
                eml("raw_cr_in_from_name.eml"), _rhian_enquiry()):
        server.deliver(raw)
    run(app, received)
    answered = received + DAY
    server.deliver(eml("officer_reply_cc.eml"))
    run(app, answered)
    world = World(app, server, received, answered)
    assert world.message(OUT_OF_OFFICE).status == "automatic"
    assert [m.status for m in rows(app, MessageRow, MessageRow.status == "quarantined")]
    assert world.case_of(JO[1]).status == "responded"
    assert world.case_of(RHIAN[1]).status == "open"
    assert all(o.status == "sent" for o in rows(app, OutboxRow))
    return world


@pytest.fixture
def world(app_factory: AppFactory) -> World:
    app, server = app_factory()
    return _world(app, server)


def _quarantined(app: App) -> MessageRow:
    [row] = rows(app, MessageRow, MessageRow.status == "quarantined")
    return row


def _kept(row: MessageRow) -> bool:
    return bool(row.raw) and row.purged_at is None


def _erased(row: MessageRow, at: datetime) -> bool:
    """Content gone, the row and its Message-ID (the dedup ledger) still there."""
    return (row.raw, row.sender, row.subject, row.purged_at) == (b"", "", "", at) and bool(
        row.message_id
    )


def test_each_kind_is_erased_just_after_its_limit_and_not_before(world: World) -> None:
    app, t0, t1 = world.app, world.received, world.answered

    early = t0 + 29 * DAY
    assert retention.purge(app, early).total == 0
    assert all(_kept(m) for m in rows(app, MessageRow))

    # 30 days: the out-of-office's raw bytes go; nothing else does.
    at = t0 + 31 * DAY
    report = retention.purge(app, at)
    assert report.counts()["dropped_mail"] == 1 and report.total == 1
    assert _erased(world.message(OUT_OF_OFFICE), at)
    assert world.message(OUT_OF_OFFICE).status == "automatic"
    assert _kept(_quarantined(app)) and _kept(world.message(JO_ENQUIRY))

    # 90 days: the quarantined message.
    assert retention.purge(app, t0 + 89 * DAY).total == 0
    at = t0 + 91 * DAY
    assert retention.purge(app, at).counts()["quarantined_mail"] == 1
    assert _erased(_quarantined(app), at) and _quarantined(app).reason == ""

    # 365 days after the answer: Jo's case's mail (hers and Sam's) and our ack to her.
    assert retention.purge(app, t1 + 364 * DAY).total == 0
    at = t1 + 366 * DAY
    report = retention.purge(app, at)
    assert (report.closed_case_mail, report.sent_mail, report.total) == (2, 1, 3)
    assert _erased(world.message(JO_ENQUIRY), at) and _erased(world.message(SAM_REPLY), at)
    [ack] = world.outbox_for(JO[1])
    assert (ack.mime, ack.purged_at) == (b"", at)
    assert ack.recipients == JO[1] and ack.message_id  # still threads a late reply
    case = world.case_of(JO[1])
    assert case.member_email == JO[1] and case.anonymised_at is None  # details stay for now

    # Six years after the answer: Jo's case is anonymised; the statistics stay.
    assert retention.purge(app, t1 + 2189 * DAY).total == 0
    before = world.case_of(JO[1])
    at = t1 + 2191 * DAY
    assert retention.purge(app, at).counts()["cases_anonymised"] == 1
    case = world.case_of(JO[1])
    assert (case.member_email, case.member_name, case.subject, case.anonymised_at) == (
        "", "", "", at
    )
    for field in ("ref", "kind", "priority", "status", "officer_email", "received_at",
                  "ack_due", "response_due", "acknowledged_at", "responded_at", "policy"):
        assert getattr(case, field) == getattr(before, field), field
    [ack] = world.outbox_for(JO[1])
    assert ack.recipients == ""
    trail = rows(app, EventRow, EventRow.case_id == case.id)
    assert trail and all(e.detail == "" and "jo.bloggs" not in e.actor for e in trail)
    assert "responded" in {e.action for e in trail}  # what happened, and when, stays
    clock = rows(app, ClockEventRow, ClockEventRow.case_id == case.id)
    assert all(c.why == "" and "jo.bloggs" not in c.who for c in clock)

    # Rhian's case is still open six years on: none of its data was touched.
    open_case = world.case_of(RHIAN[1])
    assert open_case.member_email == RHIAN[1] and open_case.subject and not open_case.anonymised_at
    assert _kept(world.message(RHIAN_ENQUIRY))
    assert all(o.mime and o.purged_at is None for o in world.outbox_for(RHIAN[1]))

    # One audit event per run, with counts and no personal data.
    runs = rows(app, EventRow, EventRow.action == "purge")
    assert len(runs) == 8
    assert all(e.actor == "retention" and "@" not in e.detail for e in runs)
    assert "cases_anonymised 1" in runs[-1].detail


def test_message_id_dedup_and_threading_survive_the_purge(world: World) -> None:
    app, server = world.app, world.server
    at = world.answered + 366 * DAY
    assert retention.purge(app, at).closed_case_mail == 2
    sent_before = len(server.outgoing)

    # The same message delivered again (a mailbox resync): still one case, no second ack.
    server.deliver(eml("member_enquiry.eml"))
    run(app, at)
    assert len(rows(app, CaseRow)) == 2
    assert world.message(JO_ENQUIRY).duplicates == 1
    assert len(server.outgoing) == sent_before

    # Jo writes again in the old thread: her mail still finds the old case by its
    # Message-ID, and the new case is linked to it.
    server.deliver(
        (
            f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            "Subject: Re: Pothole outside 14 Castle Street\r\n"
            "Message-ID: <again-1@wiltshire.gov.uk>\r\n"
            f"In-Reply-To: {SAM_REPLY}\r\nReferences: {JO_ENQUIRY} {SAM_REPLY}\r\n"
            "Date: Fri, 26 Nov 2027 09:00:00 +0000\r\n\r\n"
            "The pothole is back; please could someone look again?\r\n"
        ).encode()
    )
    run(app, at + DAY)
    [new] = rows(app, CaseRow, CaseRow.root_message_id == "<again-1@wiltshire.gov.uk>")
    assert new.parent_id == world.case_of(JO[1]).id


@pytest.mark.parametrize("status", ["pending", "sending", "uncertain"])
def test_mail_that_may_still_be_sent_is_never_erased(world: World, status: str) -> None:
    app = world.app
    [ack] = world.outbox_for(JO[1])
    with app.store.transaction() as session:  # as if the send was cut off mid-way
        row = session.get(OutboxRow, ack.id)
        assert row is not None
        row.status = status
    retention.purge(app, world.answered + 2191 * DAY)
    [ack] = world.outbox_for(JO[1])
    assert ack.mime and ack.recipients == JO[1] and ack.purged_at is None
    assert world.case_of(JO[1]).anonymised_at is not None  # the rest of the case went


def _snapshot(app: App) -> list[object]:
    return [
        [(m.raw, m.sender, m.subject, m.reason, m.purged_at) for m in rows(app, MessageRow)],
        [(o.mime, o.recipients, o.purged_at) for o in rows(app, OutboxRow)],
        [(c.member_email, c.member_name, c.subject, c.anonymised_at) for c in rows(app, CaseRow)],
        [(e.actor, e.detail) for e in rows(app, EventRow)],
    ]


def test_a_dry_run_counts_and_changes_nothing(world: World) -> None:
    app = world.app
    path = app.settings.corrections_path
    path.write_text(json.dumps({"id": "c1", "text": "x", "when": "2020-01-01T00:00:00+00:00"})
                    + "\n{\"id\": \"c2\", \"text\": \"undated\"}\n", encoding="utf-8")
    before, file_before = _snapshot(app), path.read_bytes()
    at = world.answered + 2191 * DAY
    dry = retention.purge(app, at, dry_run=True)
    assert dry.counts() == {
        "dropped_mail": 1, "quarantined_mail": 1, "closed_case_mail": 2, "sent_mail": 1,
        "cases_anonymised": 1, "corrections_lines": 1, "corrections_undated": 1,
    }
    assert _snapshot(app) == before and path.read_bytes() == file_before
    # The real run erases exactly what the dry run counted.
    assert retention.purge(app, at).counts() == dry.counts()


def _with_config(app: App, extra: str) -> App:
    """The same database and mailbox with lines added to the config file."""
    config = app.settings.config_path
    assert config is not None
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return build_app(load_settings(config), backend=app.backend_override,
                     classifier=app.classifier_override)


def test_small_batches_get_through_everything(app_factory: AppFactory) -> None:
    app, server = app_factory()
    app = _with_config(app, "[retention]\nbatch_size = 2\n")
    try:
        for n in range(5):
            raw = eml("ooo_welsh_no_headers.eml").replace(b"ooo-cy-1e2f", f"ooo-{n}".encode())
            server.deliver(raw)
        run(app, NOW)
        assert len(rows(app, MessageRow, MessageRow.status == "automatic")) == 5
        assert retention.purge(app, NOW + 31 * DAY).dropped_mail == 5
        assert all(m.raw == b"" for m in rows(app, MessageRow))
    finally:
        app.close()


def test_zero_means_keep_for_ever(app_factory: AppFactory) -> None:
    app, server = app_factory()
    app = _with_config(app, "[retention]\n" + "".join(
        f"{key} = 0\n" for key in ("dropped_mail_days", "quarantined_mail_days",
                                   "closed_case_mail_days", "sent_mail_days",
                                   "anonymise_cases_days", "corrections_days")))
    try:
        world = _world(app, server)
        assert retention.purge(app, world.answered + 20 * 365 * DAY).total == 0
        assert all(_kept(m) for m in rows(app, MessageRow))
        assert world.case_of(JO[1]).member_email == JO[1]
        lines = retention.describe(retention.purge(app, NOW, dry_run=True), app.settings.retention)
        kept = "raw quarantined mail, kept for ever (quarantined_mail_days = 0)"
        assert f"would erase      0  {kept}" in lines
    finally:
        app.close()


def test_the_corrections_file_keeps_only_recent_lines(world: World) -> None:
    """A person's relabelling writes a dated line; a year later it is still there, two
    years later it is gone, and the file is still good training data."""
    app = world.app
    case = world.case_of(RHIAN[1])
    relabelled = world.received + 2 * DAY
    relabel_case(app, case.ref, Kind.COMPLAINT, who="triage@wiltshire.gov.uk", now=relabelled)
    path = app.settings.corrections_path
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["when"] == relabelled.isoformat()
    with path.open("a", encoding="utf-8") as handle:  # a later one, added by hand
        handle.write(json.dumps({"id": "hand", "text": "Please fix the bins.", "kind": "enquiry",
                                 "when": (relabelled + 400 * DAY).isoformat()}) + "\n")

    assert retention.purge(app, relabelled + 729 * DAY).corrections_lines == 0
    report = retention.purge(app, relabelled + 731 * DAY)
    assert report.corrections_lines == 1
    assert [m.id for m in read_jsonl(path)] == ["hand"]
    assert not list(path.parent.glob(".*.purge"))  # no temporary file left behind


def test_undated_and_unreadable_corrections_lines(tmp_path: Path) -> None:
    path = tmp_path / "corrections.jsonl"
    old = json.dumps({"id": "old", "when": "2024-01-02T10:00:00+00:00"})
    new = json.dumps({"id": "new", "when": "2026-11-01T10:00:00"})  # naive: read as UTC
    undated = json.dumps({"id": "undated", "text": "Cllr Smith's resident at 4 Elm Road"})
    path.write_text(f"{old}\n{new}\n\n{undated}\nnot json at all\n", encoding="utf-8")
    cutoff = NOW - 730 * DAY
    assert corrections_file.prune_corrections(path, cutoff, NOW) == (1, 1)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == new and lines[1] == "" and lines[3] == "not json at all"
    assert json.loads(lines[2]) == {**json.loads(undated), "retention_from": NOW.isoformat()}
    # The undated line now ages from today: kept 700 days on, gone after 730.
    assert corrections_file.prune_corrections(path, cutoff + 700 * DAY, NOW + 700 * DAY) == (0, 0)
    assert corrections_file.prune_corrections(path, NOW + DAY, NOW + 731 * DAY) == (2, 0)
    assert path.read_text(encoding="utf-8") == "\nnot json at all\n"
    assert corrections_file.prune_corrections(tmp_path / "absent.jsonl", cutoff, NOW) == (0, 0)


def _analysed(app: App) -> set[str] | None:
    """The big tables SQLite holds query statistics for (sqlite_stat1 exists once ANALYZE
    ran); None on PostgreSQL, whose autovacuum keeps its own."""
    if app.store.engine.dialect.name != "sqlite":
        return None
    with app.store.engine.connect() as connection:
        if not connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            return set()
        return {row[0] for row in connection.exec_driver_sql("SELECT tbl FROM sqlite_stat1")
                if row[0] in ("messages", "outbox", "cases", "events")}


def test_statistics_that_cannot_be_refreshed_do_not_fail_the_purge(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """ANALYZE after the purge can meet a locked database; the erasing is done by then."""
    def locked() -> None:
        raise OperationalError("ANALYZE", {}, sqlite3.OperationalError("database is locked"))

    world.app.store.refresh_statistics = locked  # type: ignore[method-assign]
    report = jobs.purge(world.app, NOW + 31 * DAY)
    assert report.total >= 1
    assert "query statistics were not refreshed: " in caplog.text


def test_mailbot_purge_command(app_factory: AppFactory) -> None:
    """The command uses the real clock, so this world is dated more than a year ago."""
    app, server = app_factory()
    world = _world(app, server, received=NOW - 400 * DAY)
    config = str(app.settings.config_path)
    before = _snapshot(app)

    dry = CliRunner().invoke(cli, ["purge", "--dry-run", "--config", config])
    assert dry.exit_code == 0, dry.output
    assert "would erase      2  raw mail of answered or closed cases, after 365 days" in dry.output
    assert "would erase      0  member details of answered or closed cases" in dry.output
    assert _snapshot(app) == before
    assert not _analysed(app)  # a dry run changes nothing, statistics included

    done = CliRunner().invoke(cli, ["purge", "--config", config])
    assert done.exit_code == 0, done.output
    assert "erased      1  raw mail that joined no case (automatic, ignored), after 30 days" in (
        done.output
    )
    assert world.message(JO_ENQUIRY).raw == b"" and world.message(RHIAN_ENQUIRY).raw
    assert len(sent_to(server, JO[1])) == 1
    assert _analysed(app) in ({"messages", "outbox", "cases", "events"}, None)

    helped = CliRunner().invoke(cli, ["purge", "--help"])
    assert helped.exit_code == 0 and "--dry-run" in helped.output


def test_the_daemon_purges_nightly(world: World) -> None:
    """Once a night from 03:30 (Europe/London), never twice a night, whenever the daemon
    runs: a daemon that was not running at 03:30 (a server switched off at night, a
    restart) purges at its first sweep after it starts, instead of skipping the night."""
    from zoneinfo import ZoneInfo

    from mailbot.health import MailboxHealth
    from mailbot.scheduler import daemon_jobs

    london = ZoneInfo("Europe/London")
    night = (world.received + 31 * DAY).astimezone(london).date()
    times = [datetime.combine(night, time(3, 29), tzinfo=london),  # never purged: now
             datetime.combine(night, time(7, 45), tzinfo=london),  # off at 03:30: now
             datetime.combine(night, time(8, 0), tzinfo=london),  # done for tonight
             datetime.combine(night + DAY, time(3, 30), tzinfo=london)]  # the next night
    clock = {"now": world.received}
    daemon = daemon_jobs(world.app, MailboxHealth(world.app), lambda: clock["now"])
    purges = []
    for moment in times:
        clock["now"] = moment
        daemon["purge"]()
        purges.append(len(rows(world.app, EventRow, EventRow.action == "purge")))
    assert purges == [1, 2, 2, 3]
    assert _erased(world.message(OUT_OF_OFFICE), times[0])


def test_config_errors_name_the_key_and_the_file(tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(
        "[retention]\nquarantined_mail_days = 3\nsent_mail_days = -1\nraw_days = 30\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    where = f"mailbot: error: {config.resolve()}: "
    assert f"{where}retention.sent_mail_days: must be 0 or more" in errors
    assert any(e.startswith(f"{where}retention.raw_days: unknown key") for e in errors)
    config.write_text("[retention]\nquarantined_mail_days = 3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{where}retention.quarantined_mail_days: must be 0")


def test_a_reply_to_an_anonymised_case_opens_a_new_one(world: World) -> None:
    """Years on, Jo answers the old thread: the anonymised case cannot take her mail (it
    no longer knows her), so she gets a new case and an acknowledgement."""
    app, server = world.app, world.server
    at = world.answered + 2191 * DAY
    assert retention.purge(app, at).cases_anonymised == 1
    acks_before = len(sent_to(server, JO[1]))
    server.deliver(
        (
            f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            "Subject: Re: Pothole outside 14 Castle Street [MB-2026-00001]\r\n"
            "Message-ID: <years-later@wiltshire.gov.uk>\r\n"
            f"In-Reply-To: {SAM_REPLY}\r\nReferences: {JO_ENQUIRY} {SAM_REPLY}\r\n"
            "Date: Mon, 20 Nov 2032 09:00:00 +0000\r\n\r\n"
            "The pothole on Castle Street is back; could it be repaired again?\r\n"
        ).encode()
    )
    run(app, at)
    [new] = rows(app, CaseRow, CaseRow.root_message_id == "<years-later@wiltshire.gov.uk>")
    assert new.member_email == JO[1] and new.status == "open"
    assert len(sent_to(server, JO[1])) == acks_before + 1
    assert world.case_of(JO[1]).member_email == ""  # the old case stays anonymised


def test_an_anonymised_case_leaves_no_address_in_the_audit_trail(world: World) -> None:
    """The outbox's entries ("sent", "suppressed", "failed") name the mail's recipients:
    they are the case's too, so anonymising it blanks them with the rest of its trail."""
    app = world.app
    assert [e for e in rows(app, EventRow) if JO[1] in e.detail]
    retention.purge(app, world.answered + 2191 * DAY)
    assert [(e.action, e.detail) for e in rows(app, EventRow)
            if JO[1] in e.detail or e.actor == JO[1]] == []
    assert [e for e in rows(app, EventRow) if RHIAN[1] in e.detail]  # her case is open
