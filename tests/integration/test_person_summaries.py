"""A member's subject access and erasure reach the mail mailbot wrote about several cases
at once: an officer's daily reminder summary (the member's name, address, ward and each
case's subject) and a manager's weekly digest (each case's subject). Neither belongs to
one case, and neither names the member in its headers, so `mailbot person find` without
--in-text did not list them and `erase` left them whole after anonymising the cases.
Judged by what the commands print and by the outbox rows left.

Wiltshire's pack: more than 3 reminders to one officer on one day go as one summary. Jo
Bloggs sends Sam four drain enquiries on Monday 30 November 2026; Rhian one about a street
light, which goes to Sam too. The summary goes to Sam on Thursday 10 December, the digest
to the chief executive on Monday 14 December; Sam answers every case that day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, parse_sent, rows
from typer.testing import CliRunner, Result

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, OutboxRow

D = "wiltshire.gov.uk"
JO, RHIAN = f"jo@{D}", f"rhian@{D}"
SAM, DANA, CHIEF = f"sam.patel@{D}", f"dana.reed@{D}", f"chief.executive@{D}"
MAILBOX = f"memberenquiries@{D}"


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)  # GMT: UTC is London


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    yield from _council(tmp_path)


def _council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"),
                 ("Cllr Rhian Evans", RHIAN, "Tref", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nrecipients = ["{CHIEF}"]\n'
               "managers = false\n",
        mail_headers=PLAIN_UTF8,
    ) as place:
        opened = at(date(2026, 11, 30), 10)
        for n in range(1, 5):
            place.deliver(place.mail(
                f"Cllr Jo Bloggs <{JO}>", f"Blocked drain on Mill Lane ({n})",
                f"The drain outside {n} Mill Lane is blocked again.", date=opened), opened)
        place.deliver(place.mail(
            f"Cllr Rhian Evans <{RHIAN}>", "Street light out on Church Road",
            "The street light outside the church has been out for a week.", date=opened),
            opened)
        jobs.send_reminders(place.app, at(date(2026, 12, 10)))
        place.flush(at(date(2026, 12, 10)))
        jobs.send_digests(place.app, at(date(2026, 12, 14), 8))
        place.flush(at(date(2026, 12, 14), 8))
        for case in rows(place.app, CaseRow):  # Sam answers every case
            place.deliver(place.mail(SAM, f"RE: [{case.ref}]", "DONE",
                                     date=at(date(2026, 12, 14), 10)), at(date(2026, 12, 14), 10))
        assert {case.status for case in rows(place.app, CaseRow)} == {"responded"}
        yield place


def person(place: Council, *args: str) -> Result:
    return CliRunner().invoke(cli, ["person", *args, "--config",
                                    str(place.home / "mailbot.toml")])


def caseless(place: Council, purpose: str) -> OutboxRow:
    [row] = rows(place.app, OutboxRow, OutboxRow.purpose == purpose)
    assert row.case_id is None
    return row


def text_of(row: OutboxRow) -> str:
    message = parse_sent(row.mime)
    return "\n".join(str(part.get_content()) for part in message.walk()
                     if part.get_content_maintype() == "text")


def test_the_summary_and_digest_naming_a_members_cases_are_theirs(
    council: Council, tmp_path: Path
) -> None:
    summary, digest = caseless(council, "reminder_summary"), caseless(council, "digest")
    assert JO in text_of(summary) and "Blocked drain on Mill Lane (1)" in text_of(digest)

    found = person(council, "find", "--address", JO)
    assert found.exit_code == 0, found.output
    assert f"sent mail row {summary.id}, reminder_summary to {SAM}" in found.output
    assert f"sent mail row {digest.id}, digest to {CHIEF}" in found.output
    assert "names their case MB-2026-00001" in found.output

    folder = tmp_path / "sar-jo"
    assert person(council, "export", str(folder), "--address", JO).exit_code == 0
    sent = {m["row"]: m for m in json.loads((folder / "sent-mail.json").read_text("utf-8"))}
    assert (folder / sent[summary.id]["file"]).read_bytes() == summary.mime
    assert (folder / sent[digest.id]["file"]).read_bytes() == digest.mime

    # Rhian's case is listed in both too: by it, and by nothing of Jo's.
    rhian = person(council, "find", "--address", RHIAN)
    assert (f"sent mail row {digest.id}, digest to {CHIEF}, sent 2026-12-14 08:00: "
            "names their case MB-2026-00005\n") in rhian.output
    assert "MB-2026-00001" not in rhian.output


def test_erasing_a_member_blanks_the_summary_and_digest_that_named_their_cases(
    council: Council,
) -> None:
    erased = person(council, "erase", "--address", JO, "--yes")
    assert erased.exit_code == 0, erased.output
    assert f"erase sent mail row {caseless(council, 'reminder_summary').id}" in erased.output
    for purpose in ("reminder_summary", "digest"):
        row = caseless(council, purpose)
        assert row.mime == b"" and row.purged_at is not None
    left = b"".join(row.mime for row in rows(council.app, OutboxRow))
    assert b"Mill Lane" not in left and JO.encode() not in left


def test_mail_naming_only_cases_kept_open_is_kept(council: Council) -> None:
    """Jo writes again on each of her cases, which reopens them: without --include-open
    nothing of them goes, so neither do the summary and digest that named only them."""
    for case in rows(council.app, CaseRow, CaseRow.member_email == JO):
        council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: [{case.ref}] again",
                                     "It is blocked again.", date=at(date(2026, 12, 14))),
                        at(date(2026, 12, 14)))
        assert council.case(case.ref).status == "open"
    erased = person(council, "erase", "--address", JO, "--yes")
    assert erased.exit_code == 0, erased.output
    assert "kept: case MB-2026-00001 is open" in erased.output
    assert b"Mill Lane (1)" in caseless(council, "reminder_summary").mime
    assert caseless(council, "digest").purged_at is None
