"""A team the pack routes to (the FOI team, the complaints team) listed in officers.csv
without a manager_email: its overdue cases can be escalated to nobody. Found by a new
council's administrator (Test Valley's trial) whose protocol has managers told two working
days after a missed deadline: check-config said OK, `mailbot case` listed the team's
overdue reminders with no word of the escalation the protocol asks for, and on its day
the team had one more overdue reminder, the manager nothing.

Wiltshire's pack: a complaint sent on Monday 14 December 2026 is due ten working days on,
Wednesday 30 December; the escalation would be on Friday 8 January 2027 (the third
overdue step, every two working days)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from helpers import Council, by_recipient
from typer.testing import CliRunner

from mailbot import reminders
from mailbot.cli import app
from mailbot.console import describe_case

DOMAIN = "borsetshire.gov.uk"
MAILBOX = f"memberenquiries@{DOMAIN}"
JO, SAM, HELEN = f"jo.archer@{DOMAIN}", f"sam.patel@{DOMAIN}", f"helen.archer@{DOMAIN}"
FOI_TEAM, COMPLAINTS = f"foi@{DOMAIN}", f"complaints@{DOMAIN}"
MONITORING = f"monitoring.officer@{DOMAIN}"
ROUTING = (
    "[policy.routing]\n"
    f'foi_team = "{FOI_TEAM}"\n'
    f'complaints = "{COMPLAINTS}"\n'
    f'monitoring_officer = "{MONITORING}"\n'
    f'[routing]\ndefault_officer = "{SAM}"\n'
)
SENT = datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
ESCALATION_DAY = datetime(2027, 1, 8, 10, 0, tzinfo=UTC)


def council(home: Path) -> Council:
    return Council(
        home, name="Borsetshire District Council", policy="wiltshire", mailbox=MAILBOX,
        members=[("Cllr Jo Archer", JO, "Ambridge", "en")],
        officers=[
            ("Sam Patel", SAM, "Highways", HELEN, ""),
            ("Helen Archer", HELEN, "Highways", "", ""),
            ("FOI Team", FOI_TEAM, "Information Governance", HELEN, ""),
            ("Complaints Team", COMPLAINTS, "Customer Services", "", ""),
            ("Monitoring Officer", MONITORING, "Legal", "", ""),
        ],
        config=ROUTING,
    )


def test_check_config_warns_of_a_team_with_no_manager(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    where = f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml"
    # The FOI team has a manager; the monitoring officer, at the top of their line, is
    # not a team and is not warned of; the complaints team is.
    assert [line for line in result.output.splitlines() if "policy.routing" in line] == [
        f"{where}: policy.routing.complaints: {COMPLAINTS} has no manager_email in "
        "officers.csv, so complaints are escalated to nobody when overdue (the team's "
        "overdue reminders go on to it alone); give its row a manager_email",
    ], result.output


def test_the_case_says_there_is_no_escalation_and_none_goes(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(
            f"Cllr Jo Archer <{JO}>", "Formal complaint about missed bin collections",
            "I wish to make a formal complaint: our recycling has been missed four weeks "
            "running and reports were closed without a collection. I want it investigated.",
            date=SENT), SENT)
        case = it.case()
        assert (case.kind, case.officer_email, case.response_due) == (
            "complaint", COMPLAINTS, date(2026, 12, 30))
        shown = describe_case(it.app, case.ref, SENT) or ""
        reminders.sweep(it.app, ESCALATION_DAY)
        left = by_recipient(it.flush(ESCALATION_DAY))
    assert ("  Friday 8 January 2027       Complaints Team: overdue reminder 3 (no "
            "escalation: Complaints Team has no manager_email in officers.csv)"
            ) in shown.splitlines(), shown
    # The team's overdue reminder, and the member's late notice (the first sweep since the
    # date passed); nobody else.
    assert set(left) == {COMPLAINTS, JO}
    assert str(left[COMPLAINTS]["Subject"]).startswith("Overdue by ")


def test_escalation_two_working_days_after_the_date_as_docs_reminders_say(
    tmp_path: Path,
) -> None:
    # docs/reminders.md: a protocol that has the manager told two working days after a
    # missed date is overdue_every = 2, escalate_after = 0. Sam's enquiry is due Wednesday
    # 30 December 2026: Helen is escalated to on Monday 4 January 2027 (31 December, then
    # 1 January a bank holiday), not on Thursday 31 December.
    with Council(
        tmp_path, name="Borsetshire District Council", policy="wiltshire", mailbox=MAILBOX,
        members=[("Cllr Jo Archer", JO, "Ambridge", "en")],
        officers=[("Sam Patel", SAM, "Highways", HELEN, ""),
                  ("Helen Archer", HELEN, "Highways", "", "")],
        config=ROUTING + "[policy.reminders]\noverdue_every = 2\nescalate_after = 0\n",
    ) as it:
        it.deliver(it.mail(f"Cllr Jo Archer <{JO}>", "Streetlight out on Mill Lane",
                           "Could someone fix the street light on Mill Lane please?",
                           date=SENT), SENT)
        shown = describe_case(it.app, it.case().ref, SENT) or ""
        left = {}
        for day in (datetime(2026, 12, 31, 10, 0, tzinfo=UTC),
                    datetime(2027, 1, 4, 10, 0, tzinfo=UTC)):
            reminders.sweep(it.app, day)
            left[day.date()] = by_recipient(it.flush(day))
    assert ("  Monday 4 January 2027       Helen Archer, Sam Patel's manager: escalation "
            "(Sam Patel copied)") in shown.splitlines(), shown
    assert HELEN not in left[date(2026, 12, 31)]
    assert set(left[date(2027, 1, 4)]) == {HELEN}
    assert str(left[date(2027, 1, 4)][HELEN]["Subject"]).startswith(
        "Escalation: overdue by 2 working days")
