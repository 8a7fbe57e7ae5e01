"""A council that is none of the five seed councils: its own name, and either a shipped
pack it adopted or a pack it wrote (tests/data/pack_borsetshire_christmas_closure.toml).
Real app on the memory mailbox; assertions on the mail that left."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Council, body_text, by_recipient
from typer.testing import CliRunner

from mailbot.cli import app

MAILBOX = "memberenquiries@borsetshire.gov.uk"
JO = "jo.archer@borsetshire.gov.uk"
SAM = "sam.patel@borsetshire.gov.uk"
HELEN = "helen.archer@borsetshire.gov.uk"
TOM = "tom.archer@borsetshire.gov.uk"
NAME = "Borsetshire District Council"
MEMBERS = [("Cllr Jo Archer", JO, "Ambridge", "en")]
OFFICERS = [
    ("Sam Patel", SAM, "Highways", HELEN, TOM),
    ("Tom Archer", TOM, "Highways", HELEN, ""),
    ("Helen Archer", HELEN, "Highways", "", ""),
]


def _text(message: object) -> str:
    return " ".join(body_text(message, "plain").split())  # type: ignore[arg-type]


def test_officers_are_told_of_their_own_councils_protocol_not_the_packs_author(
    tmp_path: Path,
) -> None:
    # Borsetshire adopted Hackney's pack (complaints acknowledged by the service's
    # Director); its Director was told "Under London Borough of Hackney's protocol you
    # must acknowledge it", as if another council's rules bound them.
    with Council(tmp_path, name=NAME, policy="hackney", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS) as council:
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Archer <{JO}>",
            "Complaint about how my pothole reports were handled",
            "I wish to make a formal complaint: three reports were ignored and nobody "
            "replied. I want this investigated.",
            cc=SAM,
        )))
        text = _text(out[HELEN])
        assert f"Under {NAME}'s protocol the Director of the service must acknowledge" in text
        assert "Hackney" not in text


def test_a_case_no_rule_routes_is_shown_where_the_docs_say_to_look(tmp_path: Path) -> None:
    # With no default_officer (the example config's setting) an enquiry that matches no
    # rule has no officer: the member is told "the officer dealing with it will respond
    # by ...", nobody is mailed, and `mailbot cases --triage`, where the docs say such a
    # case waits, listed nothing; `mailbot status` did not mention it either.
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Archer <{JO}>", "Bins not collected on Ambridge Road",
            "Residents say their bins have not been collected for two weeks. Why?",
        ))
        assert [str(m["To"]) for m in out] == [JO]  # the acknowledgement only
        ref = council.case().ref
        config = str(tmp_path / "mailbot.toml")
        triage = CliRunner().invoke(app, ["cases", "--triage", "--json", "--config", config])
        assert triage.exit_code == 0, triage.output
        assert [json.loads(line)["ref"] for line in triage.output.splitlines()] == [ref]
        status = CliRunner().invoke(app, ["status", "--config", config])
        assert "1 open case(s) with no officer: mailbot cases --triage" in status.output
        checked = CliRunner().invoke(app, ["check-config", "--config", config])
        assert (f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml: routing.default_officer "
                "is empty, so an enquiry no rule matches is assigned to nobody and nobody is "
                "told") in checked.output
