"""The classifier's interface, rules, preprocessing and bad input (rules-only and trained)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailbot.classify import (
    append_correction,
    load_classifier,
    rules_classifier,
)
from mailbot.classify.data import read_jsonl
from mailbot.classify.text import is_thanks_only, new_text
from mailbot.model import Classification, Kind, ParsedMessage, Priority


def msg(text: str, subject: str = "", headers: dict[str, str] | None = None) -> ParsedMessage:
    return ParsedMessage(
        message_id="<t@example.org>",
        subject=subject,
        sender=None,
        text=text,
        headers=headers or {},
    )


@pytest.fixture(scope="module")
def rules():
    return rules_classifier()


def test_rules_only_without_model(tmp_path: Path) -> None:
    classifier = load_classifier(None)
    result = classifier.classify(msg("Please could you check the streetlight on Elm Road?"))
    assert isinstance(result, Classification)
    assert result.kind == Kind.ENQUIRY and result.automatic is None
    missing = load_classifier(tmp_path / "model", train_if_missing=False)
    assert missing.classify(msg("hello")).kind is not None
    assert not (tmp_path / "model").exists()


def test_rules_find_strong_signals(rules) -> None:
    foi = rules.classify(
        msg("Under the Freedom of Information Act please send copies of the contract.")
    )
    assert foi.kind == Kind.FOI
    complaint = rules.classify(
        msg("I wish to make a formal complaint about how my case was handled.")
    )
    assert complaint.kind == Kind.COMPLAINT
    private = rules.classify(msg("Can I speak to someone in confidence about a resident?"))
    assert private.kind == Kind.CONFIDENTIALITY and private.confidential


@pytest.mark.parametrize(
    ("headers", "subject", "confidential", "important"),
    [
        ({"importance": "high"}, "Bins", False, True),
        ({"x-priority": "1 (Highest)"}, "Bins", False, True),
        ({"x-priority": "3 (Normal)"}, "Bins", False, False),
        ({"sensitivity": "Company-Confidential"}, "Bins", True, False),
        ({"sensitivity": "Private"}, "Bins", True, False),
        ({}, "CONFIDENTIAL - resident matter", True, False),
    ],
)
def test_header_and_subject_flags(rules, headers, subject, confidential, important) -> None:
    result = rules.classify(
        msg("Could someone look at the missed bin collection?", subject, headers)
    )
    assert result.confidential is confidential
    assert (result.priority == Priority.IMPORTANT) is important


def test_legal_disclaimer_is_not_a_privacy_request(rules) -> None:
    body = (
        "Please could the bins on Mill Lane be collected.\n\nKind regards\nCllr Ann Pope\n\n"
        "This email and any attachments are confidential and intended solely for the addressee."
    )
    assert rules.classify(msg(body)).confidential is False


def test_quoted_history_is_cut() -> None:
    body = (
        "Thank you, that is very helpful.\n\nJo\n\n-----Original Message-----\n"
        "From: Jo\nSent: 3 November 2026\nSubject: FOI\n\n"
        "Under the Freedom of Information Act please send me the contract."
    )
    assert new_text(body).text == "Thank you, that is very helpful.\nJo"
    gmail = "Thanks!\n\nOn Tue, 3 Nov 2026 at 09:12, Jo Bloggs <jo@x.org>\nwrote:\n> FOI request"
    assert new_text(gmail).text == "Thanks!"
    outlook = "Noted.\n\nFrom: Sam\nSent: Monday\nTo: Members\nSubject: x\n\nold text"
    assert new_text(outlook).text == "Noted."


def test_signature_and_disclaimer_are_cut() -> None:
    body = (
        "Can the pothole on York Road be filled?\nKind regards,\nCllr Jo Bloggs\n07700 900123\n"
        "If you have received this email in error please delete it."
    )
    assert new_text(body).text == "Can the pothole on York Road be filled?"
    phone = "pothole on york rd again\n\nSent from my iPhone"
    assert new_text(phone).text == "pothole on york rd again"


def test_short_forward_keeps_the_residents_text() -> None:
    body = (
        "See below, can you help?\n\n---------- Forwarded message ---------\n"
        "From: A Resident <r@example.org>\nDate: Mon, 2 Nov 2026\nSubject: damp\n"
        "To: Cllr <c@example.org>\n\nMy flat has black mould in every room.\n\nThanks\nRes"
    )
    cleaned = new_text(body, "Fwd: damp")
    assert cleaned.forwarded
    assert "black mould" in cleaned.text and "Res" not in cleaned.text.split()


BAD_INPUTS = [
    msg(""),
    msg("", headers={"content-type": "image/png"}),
    msg("[image: scan.jpg]"),
    msg("x" * 20_000 + "\n" + "word " * 4_000),
    msg(
        "<html><head><style>p{color:red}</style><script>alert('urgent foi')</script></head>"
        "<body><p>&nbsp;</p></body></html>"
    ),
    msg(
        "Das ist eine Nachricht über die Müllabfuhr in unserer Straße, die seit Wochen nicht kommt."
    ),
    msg("这是关于垃圾收集的消息，我们街道已经几个星期没有收垃圾了。"),
    msg("\x00\x01\ufffd" * 50),
]


@pytest.mark.parametrize("message", BAD_INPUTS)
def test_bad_input_gives_low_confidence_not_an_error(rules, message) -> None:
    result = rules.classify(message)
    assert result.confidence <= 0.3
    assert result.kind is not None


def test_long_lines_are_classified(rules) -> None:
    """bench/bench_hostile_mail.py times such mail against ordinary mail of its size."""
    huge = msg(("abc " * 5_000 + "\n") * 50 + "y" * 200_000)
    result = rules.classify(huge)
    assert result.kind is not None and result.confidence <= 0.5


def test_append_correction_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "var" / "corrections.jsonl"
    when = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    message = msg("Please send me every report on the depot.", "depot")
    append_correction(path, message, Kind.FOI, who="officer@council.gov.uk", when=when)
    append_correction(path, message, Kind.ENQUIRY, who="officer@council.gov.uk", when=when)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in rows] == ["foi", "enquiry"]
    assert rows[0]["who"] == "officer@council.gov.uk" and rows[0]["when"].startswith("2026-11-25")
    mails = read_jsonl(path)
    assert mails[0].kind == Kind.FOI and mails[0].confidential is None


@pytest.mark.parametrize("body", [
    "Thanks Sam, much appreciated.\n\nJo",
    "Thank you very much for your swift response.\n\nKind regards\nCllr Jo Bloggs",
    "Diolch yn fawr!\nRhian",
    "Cheers\n\nSent from my iPhone",
    "Thank you Sam, that is great news. Residents will be pleased.",
    "Thanks Sam, I will pass that on to them.",
    "Thanks Sam\n\nJo\n\nFrom: Sam Patel\nSent: 25 November 2026 13:00\nTo: Jo Bloggs\n"
    "Subject: RE: Pothole\n\nIt will be filled on Friday.",
])
def test_a_thank_you_is_only_thanks(body: str) -> None:
    assert is_thanks_only(body, "RE: Pothole outside 14 Castle Street [MB-2026-00001]")


@pytest.mark.parametrize("body", [
    "Thanks - the pothole has reappeared",
    "Thanks, but it is still not fixed.",
    "Thanks. Not Fixed.",
    "THANKS BUT NO",
    "Thanks. When will it be done?",
    "Many thanks. Could you also look at Mill Lane",
    "Thanks Sam. Mill Lane too",
    "Thank you for the reply. I have spoken to residents and they want a meeting.",
    "Diolch, ond mae e dal yno",
    "Thanks, residents will be pleased to know when it is fixed",
    "Thanks, they say it was not fixed",
    "OK",
])
def test_thanks_with_anything_more_is_not_only_thanks(body: str) -> None:
    assert not is_thanks_only(body, "RE: Pothole outside 14 Castle Street [MB-2026-00001]")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (  # council teams and housing terms that hold the word "private"
            "Landlord ignoring repairs",
            "Dear Private Sector Housing,\n\nA private landlord on Canal Street has left his "
            "tenant without a working cooker for a month. Can you contact him?\n\nCllr Ann Pope",
        ),
        (
            "Willow Mews",
            "Willow Mews is still a private road. What would the council need before adopting "
            "it?\n\nCllr Ann Pope",
        ),
        (
            "Shredding",
            "Where are the confidential waste bins on the second floor of the civic centre?",
        ),
        (
            "Taxi licensing",
            "How long does a private hire driver licence renewal take at the moment?",
        ),
    ],
)
def test_a_service_named_private_or_confidential_is_no_privacy_request(
    rules, subject: str, body: str
) -> None:
    assert rules.classify(msg(body, subject)).confidential is False


def test_the_urgent_treatment_centre_is_not_urgency(rules) -> None:
    body = (
        "Residents have asked why the 152 bus no longer stops at the urgent treatment centre. "
        "Could you explain whether the council agreed the change?\n\nCllr Carys Pritchard"
    )
    assert rules.classify(msg(body, "Bus route")).priority == Priority.NORMAL
    urgent = rules.classify(msg(body + "\n\nThis is urgent, the change starts on Monday.", "Bus"))
    assert urgent.priority == Priority.IMPORTANT  # the word itself still counts


def test_a_confidentiality_request_is_always_flagged_confidential(rules) -> None:
    # asks whether advice can be given in confidence: no "keep this confidential" wording
    result = rules.classify(msg("Can advice be given to me about a group matter?", "Advice"))
    assert result.kind == Kind.CONFIDENTIALITY and result.confidential


@pytest.mark.parametrize(
    ("body", "confidential"),
    [
        ("Could you help? Please keep the family's name out of any reply to the school.", True),
        ("Thanks for the figures. Please don't attribute the request to me.", True),
        ("She is frightened and doesn't want anyone else knowing about the debt.", False),
        ("Allwch chi helpu? Peidiwch â dweud wrth y cymdogion mai fi gysylltodd.", True),
    ],
)
def test_privacy_wording_found_by_rules(rules, body: str, confidential: bool) -> None:
    # strong privacy phrases set the flag on their own; weaker ones ("doesn't want anyone
    # else knowing") are hints the trained model weighs
    assert rules.classify(msg(body, "Casework")).confidential is confidential


@pytest.mark.parametrize(
    ("subject", "body", "important"),
    [
        # "today" told what happened; it asked for nothing by then
        ("Allotments", "I met Mrs Lane at my surgery today. How long is the waiting list "
         "for the Park Road allotments?", False),
        ("Re: urgent? no - library hours", "What are the library hours over Christmas?", False),
        ("No heating", "Please get an engineer to Flat 6 Heron Court today, she has a baby.", True),
        ("Eviction", "Can housing options see Mr Price tomorrow before the bailiffs come?", True),
        ("URGENT: no heating", "Flat 6 Heron Court has had no heating since Friday.", True),
        ("Coeden", "Allwch chi anfon rhywun heddiw i glirio'r goeden?", True),
    ],
)
def test_today_is_urgent_only_when_something_is_asked_for_by_then(
    rules, subject: str, body: str, important: bool
) -> None:
    result = rules.classify(msg(body, subject))
    assert (result.priority == Priority.IMPORTANT) is important


def test_a_bad_near_pattern_names_its_file_and_line(tmp_path: Path) -> None:
    from mailbot.classify.rules import load_patterns

    (tmp_path / "urgent.jsonl").write_text(
        '{"label": "URGENT", "pattern": "asap"}\n'
        '{"label": "URGENT", "near": {"first": ["please"], "then": ["to day"], "within": 5}}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"urgent.jsonl:2: bad pattern line"):
        load_patterns(tmp_path)


def test_privacy_asked_in_the_passive_is_found(rules) -> None:
    body = "Could you call Mr Lee? I'd ask that his details are not shared beyond your team."
    assert rules.classify(msg(body, "Casework")).confidential
    assert not rules.classify(msg("The report is shared with the cabinet monthly.")).confidential


def test_a_signature_line_about_urgent_casework_is_not_urgency(rules) -> None:
    body = (
        "Could the broken bench on the green be repaired?\n\nCllr Paula Reed\n"
        "Cabinet Member for Communities\n"
        "Tel: 01632 960000 | For urgent casework out of hours please ring 01632 960999"
    )
    assert rules.classify(msg(body, "Bench")).priority == Priority.NORMAL
