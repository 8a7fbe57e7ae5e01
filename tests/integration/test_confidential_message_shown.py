"""A confidential case's message is never repeated in officers' mail, the digest or
`mailbot cases`: its officer is told to read it in the shared mailbox or to ask an
administrator for `mailbot case REF --message`. That command printed it and recorded
nothing, so nobody could later say who had read a confidentiality request through
mailbot (UK GDPR Article 5(2), accountability). Now printing a confidential case's
message is recorded in its timeline: who (admin:<login>) and what, never the text; an
ordinary case's is not. Judged by the command's output and the case's audit trail."""

from __future__ import annotations

from pathlib import Path

from helpers import PLAIN_UTF8, Council, rows
from typer.testing import CliRunner, Result

from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, EventRow

D = "wiltshire.gov.uk"
JO, SAM = f"jo@{D}", f"sam.patel@{D}"
SECRET = "a family in my ward is in debt to the council"


def case(place: Council, *args: str) -> Result:
    return CliRunner().invoke(cli, ["case", *args, "--config", str(place.home / "mailbot.toml")])


def test_reading_a_confidential_message_is_recorded(tmp_path: Path) -> None:
    with Council(tmp_path, mailbox=f"memberenquiries@{D}",
                 members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
                 officers=[("Sam Patel", SAM, "Highways", "", "")],
                 config=f'[routing]\ndefault_officer = "{SAM}"\n',
                 mail_headers=PLAIN_UTF8) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "In confidence please",
                                 f"Please keep this confidential: {SECRET}.",
                                 extra="Sensitivity: Private"))
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Street",
                                 "There is a pothole on Castle Street."))
        secret, pothole = rows(place.app, CaseRow)
        assert secret.confidential and not pothole.confidential

        shown = case(place, secret.ref, "--message")
        assert shown.exit_code == 0, shown.output
        assert SECRET in shown.output
        [event] = rows(place.app, EventRow, EventRow.action == "message shown")
        assert event.case_id == secret.id and event.actor.startswith("admin:")
        assert SECRET not in event.detail and "mailbot case --message" in event.detail
        timeline = case(place, secret.ref).output
        [line] = [line for line in timeline.splitlines() if " message shown " in line]
        assert line.split()[4:6] == [event.actor, "confidential"], line

        assert case(place, pothole.ref, "--message").exit_code == 0
        assert len(rows(place.app, EventRow, EventRow.action == "message shown")) == 1
