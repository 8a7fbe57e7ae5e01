"""A council that is none of the five seed councils: its own name, and either a shipped
pack it adopted or a pack it wrote (tests/data/pack_borsetshire_christmas_closure.toml).
Real app on the memory mailbox; assertions on the mail that left."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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


FOI_TEAM = "foi@borsetshire.gov.uk"
ROUTING = (
    "[policy.routing]\n"
    f'foi_team = "{FOI_TEAM}"\n'
    'complaints = "complaints@borsetshire.gov.uk"\n'
    'monitoring_officer = "monitoring.officer@borsetshire.gov.uk"\n'
)


def test_relabelling_a_case_as_foi_hands_it_to_the_foi_team(tmp_path: Path) -> None:
    # A request for records read as an enquiry went to Sam; relabelled as FOI, its date
    # became the statutory one but the case stayed with Sam and the FOI team, whose
    # legal deadline it now was, was never told.
    officers = [*OFFICERS, ("Information Governance", FOI_TEAM, "Information Governance",
                            HELEN, "")]
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX, members=MEMBERS,
                 officers=officers, config=ROUTING) as council:
        council.deliver(council.mail(
            f"Cllr Jo Archer <{JO}>", "Gritting on Hollerton Road",
            "Hollerton Road was not gritted last night. Can you tell me which roads are on the "
            "gritting route this winter and how it was decided?",
            cc=SAM,
        ))
        case = council.case()
        assert (case.kind, case.officer_email) == ("enquiry", SAM)
        config = str(tmp_path / "mailbot.toml")
        result = CliRunner().invoke(app, ["relabel", case.ref, "foi", "--config", config])
        assert result.exit_code == 0, result.output
        assert f"with {FOI_TEAM}" in result.output
        case = council.case()
        assert (case.kind, case.officer_email) == ("foi", FOI_TEAM)
        left = by_recipient(council.flush(datetime.now(UTC)))
        assert set(left) == {FOI_TEAM, JO, SAM}
        # Sam, who had it, is told it is no longer his (he kept working on it before).
        assert f"{case.ref} is no longer with you" in " ".join(_text(left[SAM]).split())
        # Jo was told the enquiry's date: now that the Act applies, and its date.
        told = _text(left[JO])
        assert "Freedom of Information Act 2000" in told
        assert f"{case.response_due:%A} {case.response_due.day} " in told
        assignment = left[FOI_TEAM]
        text = _text(assignment)
        assert f"Reply by: {case.response_due:%A} {case.response_due.day} " in text
        assert "(the statutory date under the FOIA)" in text
        assert "relabelled" in text


def test_a_closure_on_a_day_already_off_is_a_warning(tmp_path: Path) -> None:
    # The closure day typed as Saturday 26 December instead of Tuesday 29: accepted, and
    # every Christmas deadline then counted the 29th as a working day, with no word said.
    pack = (Path(__file__).resolve().parents[1] / "data"
            / "pack_borsetshire_christmas_closure.toml").read_text(encoding="utf-8")
    (tmp_path / "borsetshire.toml").write_text(
        pack.replace("start = 2026-12-29", "start = 2026-12-26"), encoding="utf-8"
    )
    with Council(tmp_path, name=NAME, policy="borsetshire.toml", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS) as council:
        council.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    assert (
        f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml: council.policy / [policy]: "
        f"{tmp_path.resolve()}/borsetshire.toml: calendar.closures (number 1): Sat 26 Dec 2026 "
        "is a weekend day or bank holiday already, so this closure moves no date; check the date"
    ) in result.output.splitlines()


def test_a_ward_rule_naming_no_members_ward_is_a_warning(tmp_path: Path) -> None:
    # "Ambrige" for Ambridge: the rule could never match, and Ambridge's mail went to the
    # default officer with check-config saying OK.
    config = ('[[routing.rules]]\nname = "Ambridge ward"\n'
              f'officer = "{TOM}"\nwards = ["Ambrige", "ambridge"]\n')
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS, config=config) as council:
        council.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "routing.rules" in line]
    assert warnings == [
        f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml: routing.rules (number 1).wards: "
        "'Ambrige' ('Ambridge ward') is no member's ward in members.csv, so the rule never "
        "matches it (did you mean 'Ambridge'?)"
    ]


def test_a_mistyped_officer_in_routing_names_the_one_meant(tmp_path: Path) -> None:
    config = ('[[routing.rules]]\nname = "Ambridge ward"\n'
              'officer = "tom.archre@borsetshire.gov.uk"\nwards = ["Ambridge"]\n')
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS, config=config) as council:
        council.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 2, result.output
    assert (
        f"mailbot: error: {tmp_path.resolve()}/mailbot.toml: routing.rules (number 1).officer: "
        "tom.archre@borsetshire.gov.uk ('Ambridge ward') is not in the officers directory "
        f"(did you mean {TOM}?)"
    ) in result.output.splitlines()


PACK = Path(__file__).resolve().parents[1] / "data" / "pack_borsetshire_christmas_closure.toml"


def test_extend_to_a_closure_day_says_why_the_date_is_the_next_working_day(
    tmp_path: Path,
) -> None:
    # Sam asked for Tuesday 29 December, the council's closure day, and was told only that
    # the date is now Wednesday 30 December, after perhaps promising the member the 29th.
    with Council(tmp_path, name=NAME, policy=str(PACK), mailbox=MAILBOX, members=MEMBERS,
                 officers=OFFICERS, config=ROUTING) as council:
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Archer <{JO}>", "Pothole on Ambridge Lane", "A deep pothole by the green.",
            cc=SAM,
        )))
        answers = by_recipient(council.deliver(council.reply(
            out[SAM], SAM, 'EXTEND 29/12/2026 "the contractor cannot come before Christmas"'
        )))
        text = _text(answers[SAM])
        assert "is now Wednesday 30 December 2026" in text
        assert ("Tuesday 29 December 2026 is not a working day here (Council closure day), "
                "so the new date is the next working day.") in text
        assert "Wednesday 30 December 2026" in _text(answers[JO])


def test_a_pack_team_address_missing_from_officers_csv_is_a_warning(tmp_path: Path) -> None:
    # The FOI team's address was not in officers.csv: its assignment greeted
    # "Dear foi@...", and an FOI request past its statutory date was escalated to nobody
    # ("no escalation: the officer has no manager"), with check-config saying OK.
    officers = [*OFFICERS, ("Complaints Team", "complaints@borsetshire.gov.uk", "Customer",
                            HELEN, "")]
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX, members=MEMBERS,
                 officers=officers, config=ROUTING) as council:
        council.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    where = f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml"
    assert [line for line in result.output.splitlines() if "policy.routing" in line] == [
        f"{where}: policy.routing.foi_team: {FOI_TEAM} is not in officers.csv, so FOI "
        "requests are escalated to nobody when overdue; add it with its name and manager_email",
        f"{where}: policy.routing.monitoring_officer: monitoring.officer@borsetshire.gov.uk is "
        "not in officers.csv, so confidentiality requests are escalated to nobody when "
        "overdue; add it with its name and manager_email",
    ]


def test_an_answer_sent_to_the_shared_mailbox_is_said_not_to_have_reached_the_member(
    tmp_path: Path,
) -> None:
    # Sam answered by replying to the assignment: the answer came to the shared mailbox,
    # not to the member, and the help he got back did not say his answer had gone nowhere.
    with Council(tmp_path, name=NAME, policy="wiltshire", mailbox=MAILBOX, members=MEMBERS,
                 officers=OFFICERS, config=ROUTING) as council:
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Archer <{JO}>", "Pothole on Ambridge Lane", "A deep pothole by the green.",
            cc=SAM,
        )))
        [help_mail] = council.deliver(council.reply(
            out[SAM], SAM, "Dear Cllr Archer,\n\nThe pothole will be repaired on Monday.\n\nSam"
        ))
        assert str(help_mail["To"]) == SAM
        assert ("Your message has not been passed on to the member: mailbot does not forward "
                "replies.") in _text(help_mail)
        assert council.case().responded_at is None


def test_a_team_address_missing_from_officers_csv_is_named_where_it_was_written(
    tmp_path: Path,
) -> None:
    # The council's own pack set the FOI team's address; the warning named
    # "mailbot.toml: policy.routing.foi_team", a key that file does not have, so the
    # administrator looked in the wrong file. The monitoring officer is overridden in
    # mailbot.toml, and is named there.
    data = Path(__file__).resolve().parents[1] / "data"
    pack = data / "pack_scotland_foisa_two_stage_complaints.toml"
    override = '[policy.routing]\nmonitoring_officer = "legal@strathmore.gov.scot"\n'
    with Council(tmp_path, name=NAME, policy=str(pack), mailbox=MAILBOX, members=MEMBERS,
                 officers=OFFICERS, config=override) as council:
        council.close()
    result = CliRunner().invoke(app, ["check-config", "--config", str(tmp_path / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "not in officers.csv" in line]
    assert [line.split(" is not in officers.csv")[0] for line in lines] == [
        f"mailbot: warning: {pack}: routing.foi_team: foi@strathmore.gov.scot",
        f"mailbot: warning: {pack}: routing.complaints: complaints@strathmore.gov.scot",
        f"mailbot: warning: {tmp_path.resolve()}/mailbot.toml: policy.routing.monitoring_officer:"
        " legal@strathmore.gov.scot",
    ]
