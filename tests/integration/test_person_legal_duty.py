"""Erasure on request and the cases the council must still deal with by law. `mailbot
person erase --include-open` erased an open FOI request and an open complaint as it
erases an open enquiry: the FOI team lost the request it must answer within 20 working
days (Freedom of Information Act 2000, section 10), the complaints officer the complaint,
and the command said nothing of it. UK GDPR Article 17(3)(b) takes from the right to
erasure what a legal obligation needs. Now an open FOI request or complaint is kept,
even with --include-open, and the command says why and when to run it again; an open
enquiry is erased as before. Judged by what the command prints and the rows left."""

from __future__ import annotations

from pathlib import Path

from helpers import PLAIN_UTF8, Council, rows
from typer.testing import CliRunner, Result

from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, MessageRow

D = "wiltshire.gov.uk"
JO, SAM = f"jo@{D}", f"sam.patel@{D}"
FOI, COMPLAINTS = f"foi@{D}", f"complaints@{D}"


def council(home: Path) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("FOI Team", FOI, "FOI", "", ""),
                  ("Complaints", COMPLAINTS, "Complaints", "", "")],
        config=(f'[routing]\ndefault_officer = "{SAM}"\n'
                f'[policy.routing]\nfoi_team = "{FOI}"\ncomplaints = "{COMPLAINTS}"\n'),
        mail_headers=PLAIN_UTF8,
    )


def erase(place: Council, *args: str) -> Result:
    return CliRunner().invoke(cli, ["person", "erase", "--address", JO, *args, "--config",
                                    str(place.home / "mailbot.toml")])


def test_an_open_foi_request_and_complaint_are_kept_even_with_include_open(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as place:
        place.deliver(place.mail(
            f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: parking fines",
            "Under the Freedom of Information Act 2000 please send me the number of parking "
            "fines issued on Harbour Street in 2025."))
        place.deliver(place.mail(
            f"Cllr Jo Bloggs <{JO}>", "Formal complaint about the handling of my enquiry",
            "I wish to make a formal complaint about how my enquiry was handled: nobody "
            "replied to my last three emails."))
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Street",
                                 "There is a pothole on Castle Street."))
        foi, complaint, enquiry = rows(place.app, CaseRow)
        assert (foi.kind, complaint.kind, enquiry.kind) == ("foi", "complaint", "enquiry")

        shown = erase(place, "--include-open")
        assert shown.exit_code == 0, shown.output
        assert (f"kept: case {foi.ref} is an open FOI request: the council must still answer "
                "it by law (Freedom of Information Act 2000, section 10") in shown.output
        assert f"kept: case {complaint.ref} is an open complaint" in shown.output
        assert "UK GDPR Article 17(3)(b)" in shown.output
        assert f"would anonymise case {enquiry.ref}" in shown.output

        done = erase(place, "--include-open", "--yes")
        assert done.exit_code == 0, done.output
        by_ref = {case.ref: case for case in rows(place.app, CaseRow)}
        assert by_ref[foi.ref].member_email == JO and by_ref[foi.ref].anonymised_at is None
        assert by_ref[complaint.ref].member_email == JO
        assert by_ref[enquiry.ref].anonymised_at is not None
        kept = rows(place.app, MessageRow, MessageRow.case_id.in_([foi.id, complaint.id]))
        assert len(kept) == 2 and all(m.raw and m.purged_at is None for m in kept)
        [event] = place.events("erasure")
        assert f"open cases kept 2 ({foi.ref}, {complaint.ref})" in event.detail
