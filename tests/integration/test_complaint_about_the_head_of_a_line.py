"""A member's complaint about the head of a management line (an officer with no manager in
officers.csv: a Director) has nobody above them in officers.csv. The protocols name who
takes it: Merseyside 13.3 ("Where the Officer concerned is the Director, the matter should
be raised with the Clerk"), Cardiff 'Conduct and Effectiveness' (the Chief Executive if
the issue relates to a Corporate Director). The council gives that officer's address as
[policy.routing] about_the_head_of_a_line; without it the complaints route has it, as
before. A complaint about that officer themselves (the Clerk named) goes to the
monitoring officer, never to them."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from complaint_council import at, complain, complaint_council, words
from helpers import Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, EventRow

RUDE = ("I wish to make a formal complaint about {name}, who was rude and dismissive to my "
        "constituent on the phone on Monday and put the phone down on her. This is not how "
        "the council should treat residents and I expect it to be looked into.")


def _complained_of(council: Council, subject: str, name: str,
                   sender: str = "") -> tuple[list[EmailMessage], CaseRow]:
    """The member's complaint (RUDE) about `name`: the mail that left, and the case."""
    out = complain(council, subject, RUDE.format(name=name), sender=sender)
    return out, council.case()


def _events(council: Council, case: CaseRow, action: str) -> list[EventRow]:
    return rows(council.app, EventRow, EventRow.case_id == case.id, EventRow.action == action)


def _mwda(home: Path, about_the_head: bool = True) -> Council:
    """Merseyside as 13.3 has it: the complaints route is the Director, Pat Moss, who heads
    Sam Patel's line; Chris Lane is the Clerk and Robin Ellis the monitoring officer; Lee
    Wong the default officer."""
    def a(local: str) -> str:
        return at(local, "mwda")

    config = (f'[policy.routing]\ncomplaints = "{a("pat")}"\n'
              f'monitoring_officer = "{a("robin")}"\n')
    if about_the_head:
        config += f'about_the_head_of_a_line = "{a("chris")}"\n'
    return complaint_council(
        home, policy="mwda", complaints_team=False, default_officer=a("lee"),
        name="Merseyside Waste Disposal Authority",
        officers=[("Sam Patel", a("sam"), "Operations", a("pat"), ""),
                  ("Lee Wong", a("lee"), "Operations", a("pat"), ""),
                  ("Pat Moss", a("pat"), "Director", "", ""),
                  ("Chris Lane", a("chris"), "Clerk to the Authority", "", ""),
                  ("Robin Ellis", a("robin"), "Legal", "", "")],
        config=config,
    )


def _cardiff(home: Path, about_the_head: bool = True) -> Council:
    """Sam Patel under Pat Moss, Corporate Director of Place; Chris Lane the Chief
    Executive; Jamie Fox's complaints team the complaints route."""
    def a(local: str) -> str:
        return at(local, "cardiff")

    config = f'about_the_head_of_a_line = "{a("chris")}"\n' if about_the_head else ""
    return complaint_council(
        home, policy="cardiff", welsh_member=True, default_officer=a("lee"),
        name="Cardiff Council",
        officers=[("Sam Patel", a("sam"), "Highways", a("pat"), ""),
                  ("Lee Wong", a("lee"), "Highways", a("pat"), ""),
                  ("Pat Moss", a("pat"), "Place", "", ""),
                  ("Chris Lane", a("chris"), "Chief Executive", "", "")],
        config=config,
    )


def test_merseyside_a_complaint_about_the_director_goes_to_the_clerk(tmp_path: Path) -> None:
    with _mwda(tmp_path) as council:
        out, case = _complained_of(council, "Complaint about the Director", "Pat Moss")
        assigned = _events(council, case, "assigned")
        about = _events(council, case, "complaint about an officer")
    assert (case.kind, case.officer_email) == ("complaint", "chris@mwda.gov.uk")
    assert "pat@mwda.gov.uk" not in [m["To"] for m in out]
    assert [e.detail for e in about] == ["pat@mwda.gov.uk"]
    [assignment] = [m for m in out if m["To"] == "chris@mwda.gov.uk"]
    text = words(assignment)
    assert "Pat Moss" in text and "head of a management line" in text
    assert "head of a management line" in assigned[-1].detail


def test_merseyside_a_complaint_about_an_officer_still_goes_to_the_director(
    tmp_path: Path
) -> None:
    with _mwda(tmp_path) as council:
        _, case = _complained_of(council, "Complaint about an officer", "Sam Patel")
    assert (case.kind, case.officer_email) == ("complaint", "pat@mwda.gov.uk")


def test_merseyside_without_the_key_never_gives_the_director_their_own_complaint(
    tmp_path: Path
) -> None:
    # The complaints route is the Director: a complaint naming them went to them.
    with _mwda(tmp_path, about_the_head=False) as council:
        out, case = _complained_of(council, "Complaint about the Director", "Pat Moss")
    assert (case.kind, case.officer_email) == ("complaint", "lee@mwda.gov.uk")
    assert "pat@mwda.gov.uk" not in [m["To"] for m in out]


def test_a_complaint_about_the_clerk_goes_to_the_monitoring_officer(tmp_path: Path) -> None:
    with _mwda(tmp_path) as council:
        out, case = _complained_of(council, "Complaint about the Clerk", "Chris Lane")
        assigned = _events(council, case, "assigned")
    assert (case.kind, case.officer_email) == ("complaint", "robin@mwda.gov.uk")
    assert "chris@mwda.gov.uk" not in [m["To"] for m in out]
    [assignment] = [m for m in out if m["To"] == "robin@mwda.gov.uk"]
    assert "monitoring officer" in words(assignment)
    assert "monitoring officer" in assigned[-1].detail


def test_cardiff_a_complaint_about_a_corporate_director_goes_to_the_chief_executive(
    tmp_path: Path
) -> None:
    with _cardiff(tmp_path) as council:
        out, case = _complained_of(council, "Complaint about a Corporate Director", "Pat Moss",
                                   sender="Cllr Siân Evans <sian@cardiff.gov.uk>")
    assert (case.kind, case.officer_email) == ("complaint", "chris@cardiff.gov.uk")
    recipients = [m["To"] for m in out]
    assert "pat@cardiff.gov.uk" not in recipients
    assert "complaints@cardiff.gov.uk" not in recipients
    [assignment] = [m for m in out if m["To"] == "chris@cardiff.gov.uk"]
    text = words(assignment)
    assert "head of a management line" in text and "ben llinell reoli" in text


def test_cardiff_an_officer_and_their_director_named_go_to_the_chief_executive(
    tmp_path: Path
) -> None:
    with _cardiff(tmp_path) as council:
        complain(council, "Complaint", RUDE.format(name="Sam Patel and his Director Pat Moss"))
        assert council.case().officer_email == "chris@cardiff.gov.uk"


def test_not_set_a_complaint_about_a_director_keeps_the_complaints_route(
    tmp_path: Path
) -> None:
    with _cardiff(tmp_path, about_the_head=False) as council:
        out, case = _complained_of(council, "Complaint about a Corporate Director", "Pat Moss")
    assert (case.kind, case.officer_email) == ("complaint", "complaints@cardiff.gov.uk")
    assert "pat@cardiff.gov.uk" not in [m["To"] for m in out]
    assert "chris@cardiff.gov.uk" not in [m["To"] for m in out]


def test_check_config_names_a_bad_address_for_the_head_of_a_line(tmp_path: Path) -> None:
    with _cardiff(tmp_path, about_the_head=False) as council:
        council.close()
    config = tmp_path / "mailbot.toml"
    text = config.read_text(encoding="utf-8").replace(
        "[policy.routing]\n",
        '[policy.routing]\nabout_the_head_of_a_line = "the Chief Executive"\n')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert result.exit_code == 2
    assert "routing.about_the_head_of_a_line: must be an email address" in result.output
    assert "mailbot.toml" in result.output


def test_check_config_warns_of_a_head_of_a_line_address_not_in_officers_csv(
    tmp_path: Path
) -> None:
    with _cardiff(tmp_path, about_the_head=False) as council:
        council.close()
    config = tmp_path / "mailbot.toml"
    text = config.read_text(encoding="utf-8").replace(
        "[policy.routing]\n",
        '[policy.routing]\nabout_the_head_of_a_line = "chief.exec@cardiff.gov.uk"\n')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert ("policy.routing.about_the_head_of_a_line: chief.exec@cardiff.gov.uk is not in "
            "officers.csv") in result.output
