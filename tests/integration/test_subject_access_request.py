"""A councillor's subject access request for a constituent (UK GDPR Article 15) put through
the daemon: it was taken for an FOI request and the member told "20 working days under the
Freedom of Information Act", the wrong law (FOIA s.40(1) leaves a person's own data to
data protection law). Now the case is an enquiry marked subject access; the member is told
it went to the data protection officer and that the law gives one calendar month; the
officer is told it looks like a subject access request, with the month's date, and to pass
it to the data protection officer (or it goes there, when the pack names one)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.model import Kind

SENT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
# One calendar month: Sunday 27 December, Monday 28 a bank holiday (Boxing Day's), so:
MONTH = "Tuesday 29 December 2026"
SAR = (
    "My constituent Mrs Jane Smith would like a copy of all the personal data the council "
    "holds about her, under the Data Protection Act. She has signed an authority for me to "
    "act for her. This is a subject access request."
)
WELSH_SAR = (
    "Hoffai fy etholwr, Mrs Jane Smith, wneud cais gwrthrych am wybodaeth am y data personol "
    "sydd gan y cyngor amdani. Mae hi wedi llofnodi caniatâd i mi weithredu ar ei rhan."
)
MIXED = (
    "My constituent Mr Green wants a copy of the personal data the council holds about him. "
    "Separately, under the Freedom of Information Act, please send me the council's policy on "
    "CCTV in parks and the number of cameras it runs."
)


def council(home: Path, pack: str = "wiltshire", config: str = "",
            officers: tuple[tuple[str, ...], ...] = ()) -> Council:
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", name=f"{pack.title()} Council", policy=pack,
        members=[("Cllr Ann Lee", f"ann@{domain}", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{domain}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", ""), *officers],
        threshold=0.0,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n' + config,
    )


def both_parts(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def to(out: list[EmailMessage], address: str) -> EmailMessage:
    return next(m for m in out if str(m["To"]).endswith(address))


def test_a_subject_access_request_is_no_foi_request(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>",
                                       "Subject access request for a resident", SAR, date=SENT),
                            SENT)
        case = place.case()
        assert (case.kind, case.subject_access) == (Kind.ENQUIRY.value, True)
        # No data protection officer set: the FOI team (information rights), not the
        # default officer the enquiry routing would pick.
        assert case.officer_email == "foi@wiltshire.example"

        ack = to(out, "ann@wiltshire.gov.uk")
        text, html = both_parts(ack), " ".join(body_text(ack, "html").split())
        for words in (text, html):
            assert "Freedom of Information" not in words
            assert "20 working days" not in words
            assert "subject access request" in words
            assert "data protection officer" in words
            assert "one calendar month" in words
            assert MONTH in words
            assert "signed authority" in words and "proof of their identity" in words

        assignment = to(out, "foi@wiltshire.example")
        text = both_parts(assignment)
        assert "go to the FOI team, as no data protection officer is set" in text
        assert "subject access request under UK GDPR Article 15" in text
        assert f"one calendar month from receipt: by {MONTH}" in text
        assert "pass it to the council's data protection officer" in text
        assert "FOIA" not in text
        place.close()
    shown = CliRunner().invoke(cli, ["case", case.ref, "--config", str(tmp_path / "mailbot.toml")])
    assert shown.exit_code == 0, shown.output
    assert ("subject access request (UK GDPR Article 15): data protection law's one calendar "
            f"month ends {MONTH}") in shown.output


def test_a_pack_route_for_subject_access_requests(tmp_path: Path) -> None:
    dpo = ("Dee Okafor", "dpo@wiltshire.gov.uk", "Information Governance", "", "")
    with council(tmp_path, officers=(dpo,),
                 config='[policy.routing]\nsubject_access = "DPO@wiltshire.gov.uk"\n') as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>",
                                       "Subject access request for a resident", SAR, date=SENT),
                            SENT)
        case = place.case()
        assert (case.kind, case.subject_access) == (Kind.ENQUIRY.value, True)
        assert case.officer_email == "dpo@wiltshire.gov.uk"
        text = both_parts(to(out, "dpo@wiltshire.gov.uk"))
        assert "subject access requests go to the data protection officer" in text
        assert f"by {MONTH}" in text
        assert "Dee Okafor (Information Governance) will respond" in both_parts(
            to(out, "ann@wiltshire.gov.uk"))


def test_a_mail_asking_for_own_data_and_council_records_stays_foi(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Two requests",
                                       MIXED, date=SENT), SENT)
        case = place.case()
        assert (case.kind, case.subject_access) == (Kind.FOI.value, True)
        ack = both_parts(to(out, "ann@wiltshire.gov.uk"))
        assert "Freedom of Information Act 2000" in ack
        assert "subject access request" in ack and MONTH in ack
        text = both_parts(to(out, case.officer_email or ""))
        assert "subject access request under UK GDPR Article 15" in text


def test_welsh_and_english_at_a_bilingual_council(tmp_path: Path) -> None:
    with council(tmp_path, pack="cardiff") as place:
        out = place.deliver(place.mail("Cllr Rhian Evans <rhian@cardiff.gov.uk>",
                                       "Cais gwrthrych am wybodaeth", WELSH_SAR, date=SENT), SENT)
        case = place.case()
        assert (case.kind, case.subject_access) == (Kind.ENQUIRY.value, True)
        ack = both_parts(to(out, "rhian@cardiff.gov.uk"))
        assert "Rhyddid Gwybodaeth" not in ack and "Freedom of Information" not in ack
        assert "un mis calendr" in ack and "dydd Mawrth 29 Rhagfyr 2026" in ack
        assert "swyddog diogelu data" in ack
        assert "one calendar month" in ack and MONTH in ack
        assignment = both_parts(to(out, "foi@cardiff.example"))
        assert "cais gwrthrych am wybodaeth" in assignment
        assert "mae ceisiadau gwrthrych am wybodaeth yn mynd i'r tîm rhyddid gwybodaeth" in (
            assignment)
        assert "subject access request under UK GDPR Article 15" in assignment


def test_check_config_names_a_bad_subject_access_route(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        place.close()
    config = tmp_path / "mailbot.toml"
    with config.open("a", encoding="utf-8") as written:
        written.write('[policy.routing]\nsubject_access = "the DPO"\n')
    result = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert result.exit_code != 0
    assert "routing.subject_access: must be an email address" in result.output
    assert "mailbot.toml" in result.output


def test_a_route_not_in_officers_csv_is_a_team_address_not_a_leaver(tmp_path: Path) -> None:
    # As the FOI team's address: a case with it is not taken for a leaver's (reminders,
    # `mailbot case`), and an officer can pass a case to it with REASSIGN.
    with council(tmp_path,
                 config='[policy.routing]\nsubject_access = "dpo@wiltshire.gov.uk"\n') as place:
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>",
                                 "Subject access request for a resident", SAR, date=SENT), SENT)
        sar = place.case()
        assert sar.officer_email == "dpo@wiltshire.gov.uk"
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mrs Smith's file",
                                       "Could someone tell Mrs Smith when the housing team "
                                       "will visit?", date=SENT), SENT)
        other = place.case()
        assignment = to(out, "sam@wiltshire.gov.uk")
        place.deliver(place.reply(assignment, "Sam Patel <sam@wiltshire.gov.uk>",
                                  "REASSIGN dpo@wiltshire.gov.uk", date=SENT), SENT)
        assert place.case(other.ref).officer_email == "dpo@wiltshire.gov.uk"
        place.close()
    shown = CliRunner().invoke(cli, ["case", sar.ref, "--config", str(tmp_path / "mailbot.toml")])
    assert "officer: dpo@wiltshire.gov.uk (a team address, not in officers.csv)" in shown.output
