"""A resident's mail to the members' mailbox opens a case in triage with the default
officer (a stranger does not choose their own officer). When a person relabels it as an
FOI request or a complaint, it goes where the README says: to the FOI team or the
complaints route, who get the assignment, as a member's case of that kind would."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import NOW, Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@wiltshire.gov.uk"
TRIAGE = "member.support@wiltshire.gov.uk"
FOI = "foi@wiltshire.gov.uk"
COMPLAINTS = "complaints@wiltshire.gov.uk"
OFFICERS = [
    ("Member Support", TRIAGE, "Democratic Services", "", ""),
    ("FOI Team", FOI, "Information Governance", "", ""),
    ("Complaints Team", COMPLAINTS, "Customer Services", "", ""),
]
CONFIG = (f'[routing]\ndefault_officer = "{TRIAGE}"\n'
          f'[policy.routing]\nfoi_team = "{FOI}"\ncomplaints = "{COMPLAINTS}"\n'
          'monitoring_officer = "monitoring.officer@wiltshire.gov.uk"\n')


@pytest.mark.parametrize(("kind", "route"), [("foi", FOI), ("complaint", COMPLAINTS)])
def test_a_strangers_case_relabelled_goes_to_its_kinds_route(
    tmp_path: Path, kind: str, route: str
) -> None:
    with Council(tmp_path, mailbox=MAILBOX, members=[], officers=OFFICERS,
                 config=CONFIG) as council:
        council.deliver(council.mail("A Resident <resident@home.example>", "The Red Lion",
                                     "The pub on Mill Lane plays loud music every night."))
        case = council.case()
        assert case.status == "needs_triage" and case.officer_email == TRIAGE

        result = CliRunner().invoke(cli, ["relabel", case.ref, kind, "--config",
                                          str(tmp_path / "mailbot.toml")])
        assert result.exit_code == 0, result.output
        assert f"with {route}" in result.output
        assert council.case().officer_email == route
        council.flush(NOW + timedelta(minutes=5))
        assignments = [r.recipients for r in rows(council.app, OutboxRow)
                       if r.purpose == "assignment"]
        assert assignments == [TRIAGE, route]
