"""An open case whose member's details and subject were erased on request (`mailbot
person erase --include-open`) is listed in the digest as "(erased on request)": it said
"(no subject)", as if the councillor had written none, sending a manager to ask them.
In English and in a bilingual council's digest."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # due Wednesday 25 November
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("policy", "listed"), [
    ("wiltshire", "Enquiry: (erased on request)"),
    ("cardiff", "Enquiry / Ymholiad: (erased on request) / (dilëwyd ar gais)"),
])
def test_an_erased_case_says_so_where_its_subject_was(
    tmp_path: Path, policy: str, listed: str
) -> None:
    member, sam = f"ann.lee@{policy}.gov.uk", f"sam.patel@{policy}.gov.uk"
    with _council(tmp_path, policy) as place:
        place.deliver(place.mail(member, "Noise from 3 Elm Road", "The music goes on all night.",
                                 cc=sam, date=RECEIVED), RECEIVED)
        erased = CliRunner().invoke(cli, [
            "person", "erase", "--address", member, "--include-open", "--yes",
            "--config", str(place.home / "mailbot.toml")])
        assert erased.exit_code == 0, erased.output
        assert place.case().subject == ""
        jobs.send_digests(place.app, MONDAY)
        [row] = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text, html = body_text(message, "plain"), body_text(message, "html")
    [line] = [line for line in text.splitlines() if "wd overdue" in line]
    assert line.endswith(listed), line
    assert "(no subject)" not in text and "(no subject)" not in html
    assert "(erased on request)" in html


@pytest.mark.parametrize(("policy", "erased", "none"), [
    ("wiltshire", "Enquiry: (erased on request)", "Enquiry: (no subject)"),
    ("cardiff", "Enquiry / Ymholiad: (erased on request) / (dilëwyd ar gais)",
     "Enquiry / Ymholiad: (no subject) / (dim pwnc)"),
])
def test_a_subject_blanked_because_it_named_someone_erased_says_so(
    tmp_path: Path, policy: str, erased: str, none: str
) -> None:
    """A resident erased on request (`--name ... --in-text`) takes the subject of the
    councillor's case that named them ("Noise from Pat Quinn's house"): that case is
    not the resident's, so it is not anonymised, only its subject blanked. The digest
    said "(no subject)" for it, as for a mail sent without one; it now says it was erased,
    and a case that never had a subject still says "(no subject)"."""
    member, sam = f"ann.lee@{policy}.gov.uk", f"sam.patel@{policy}.gov.uk"
    with _council(tmp_path, policy) as place:
        place.deliver(place.mail(member, "Noise from Pat Quinn's house",
                                 "The music goes on all night.", cc=sam, date=RECEIVED),
                      RECEIVED)
        named = place.case().ref
        place.deliver(place.mail(member, "", "https://maps.example/abbey-road-drain",
                                 cc=sam, date=RECEIVED), RECEIVED)
        blank = place.case().ref
        assert named != blank
        erasure = CliRunner().invoke(cli, [
            "person", "erase", "--name", "Pat Quinn", "--in-text", "--include-open", "--yes",
            "--config", str(place.home / "mailbot.toml")])
        assert erasure.exit_code == 0, erasure.output
        assert place.case(named).subject == "" and place.case(named).anonymised_at is None
        jobs.send_digests(place.app, MONDAY)
        [row] = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text, html = body_text(message, "plain"), body_text(message, "html")
    [named_line] = [line for line in text.splitlines() if line.startswith(f"  {named} ")]
    [blank_line] = [line for line in text.splitlines() if line.startswith(f"  {blank} ")]
    assert named_line.endswith(erased), named_line
    assert blank_line.endswith(none), blank_line
    assert "Pat Quinn" not in text and "Pat Quinn" not in html
    assert html.count("(erased on request)") == 1 and html.count("(no subject)") == 1


def _council(tmp_path: Path, policy: str) -> Council:
    """Cllr Ann Lee, Sam Patel and a chief executive's digest, under `policy`."""
    domain = f"{policy}.gov.uk"
    return Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", policy=policy,
        members=[("Cllr Ann Lee", f"ann.lee@{domain}", "Abbey", "en")],
        officers=[("Sam Patel", f"sam.patel@{domain}", "Highways", "", "")],
        config=f'[digest]\nrecipients = ["chief.executive@{domain}"]\n',
        mail_headers=PLAIN_UTF8,
    )
