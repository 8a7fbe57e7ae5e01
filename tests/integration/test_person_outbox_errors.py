"""A mail mailbot held back or could not send keeps why in the outbox row's error: for an
acknowledgement over the per-recipient cap, 'over 1 automatic mails to jo@... in 24h'.
Erasing the member on request (`mailbot person erase`) and the retention purge's
anonymising of an old case blanked the row's MIME and recipients but left that error, so
the member's address stayed in the outbox (and in `mailbot outbox list --suppressed`)
after their case was erased, where `mailbot person find` did not look for it. Judged by
the outbox rows, the commands' output and the purge's counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import NOW, PLAIN_UTF8, Council, rows
from typer.testing import CliRunner, Result

from mailbot import retention
from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, OutboxRow

D = "wiltshire.gov.uk"
JO, SAM = f"jo@{D}", f"sam.patel@{D}"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    """Jo writes twice within minutes: the second acknowledgement is over the cap of one
    automatic mail to a recipient in the window, and is suppressed."""
    with Council(
        tmp_path, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[loops]\nmax_per_recipient = 1\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Street",
                                 "There is a pothole on Castle Street."))
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Bins on Mill Lane",
                                 "The bins on Mill Lane were not collected."),
                      NOW + timedelta(minutes=5))
        [held] = rows(place.app, OutboxRow, OutboxRow.status == "suppressed")
        assert JO in held.last_error
        yield place


def command(place: Council, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])


def errors_left(place: Council) -> list[str]:
    return [row.last_error for row in rows(place.app, OutboxRow) if JO in row.last_error]


def test_erasure_blanks_the_error_that_names_the_member(council: Council) -> None:
    erased = command(council, "person", "erase", "--address", JO, "--include-open", "--yes")
    assert erased.exit_code == 0, erased.output
    assert errors_left(council) == []
    listed = command(council, "outbox", "list", "--suppressed")
    assert listed.exit_code == 0 and JO not in listed.output


def test_the_purge_blanks_it_with_the_case(council: Council) -> None:
    for case in rows(council.app, CaseRow):
        council.deliver(council.mail(SAM, f"RE: [{case.ref}]", "DONE"), NOW + timedelta(hours=1))
    assert {case.status for case in rows(council.app, CaseRow)} == {"responded"}
    report = retention.purge(council.app, NOW + timedelta(days=2191))
    assert report.cases_anonymised == 2
    assert errors_left(council) == []


def test_an_error_left_by_an_earlier_anonymising_is_found_and_erased(council: Council) -> None:
    """A case anonymised before this change kept the error: the row's MIME and recipients
    are gone and the case no longer names the member, so only the error does."""
    [held] = rows(council.app, OutboxRow, OutboxRow.status == "suppressed")
    for case in rows(council.app, CaseRow):
        council.deliver(council.mail(SAM, f"RE: [{case.ref}]", "DONE"), NOW + timedelta(hours=1))
    retention.purge(council.app, NOW + timedelta(days=2191))
    with council.app.store.transaction() as session:
        row = session.get(OutboxRow, held.id)
        assert row is not None and row.mime == b"" and row.recipients == ""
        row.last_error = held.last_error  # as the purge left it before
    found = command(council, "person", "find", "--address", JO)
    assert found.exit_code == 0, found.output
    [line] = [line for line in found.output.splitlines()
              if line.startswith(f"sent mail row {held.id}, ack")]
    assert line.endswith(": its error"), line
    erased = command(council, "person", "erase", "--address", JO, "--yes")
    assert erased.exit_code == 0, erased.output
    assert errors_left(council) == []


def test_a_persons_resend_is_erased_with_the_case(council: Council) -> None:
    """An administrator's 'outbox resend' and 'mark-sent' are recorded with the mail's
    recipients ('row 3 (ack to jo@...) was suppressed; released to be sent'): the entry
    carried no case, so anonymising the case left the member's address in the audit
    trail for ever. It is now the case's, and blanked with it."""
    [held] = rows(council.app, OutboxRow, OutboxRow.status == "suppressed")
    resent = command(council, "outbox", "resend", str(held.id))
    assert resent.exit_code == 0, resent.output
    council.flush(NOW + timedelta(minutes=10))
    [entry] = council.events("outbox resend")
    assert JO in entry.detail
    for case in rows(council.app, CaseRow):
        council.deliver(council.mail(SAM, f"RE: [{case.ref}]", "DONE"), NOW + timedelta(hours=1))
    retention.purge(council.app, NOW + timedelta(days=2191))
    assert [e.detail for e in council.events("outbox resend")] == [""]
