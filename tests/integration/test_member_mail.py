"""What a councillor receives, read as they read it: the acknowledgement of each kind under
each council's pack, as it left the outbox (subject, threading headers, the plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam, make_app, run, sent_to

from mailbot.model import Kind
from mailbot.triage import relabel_case

# Sent Friday 20 November 2026 at 16:30 (London), read on Thursday 26 November.
SENT = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
READ = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def council(home: Path, pack: str) -> Council:
    return Council(
        home,
        mailbox=f"memberenquiries@{pack}.gov.uk",
        name=f"{pack.title()} Council",
        policy=pack,
        members=[("Cllr Jo Bloggs", f"jo@{pack}.gov.uk", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{pack}.gov.uk", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{pack}.gov.uk", "Highways", "", "")],
    )


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with council(tmp_path / "wiltshire", "wiltshire") as it:
        yield it


def to_member(it: Council, subject: str, body: str, *, who: str = "jo", extra: str = "",
              sent: datetime = SENT, now: datetime = READ) -> EmailMessage:
    """The one mail the member got back for the mail they sent."""
    address = f"{who}@{it.mailbox.partition('@')[2]}"
    left = it.deliver(it.mail(f"Cllr {who.title()} <{address}>", subject, body, extra=extra,
                              date=sent), now)
    mine = [m for m in left if str(m["To"]) == address]
    assert len(mine) == 1, [str(m["To"]) for m in left]
    return mine[0]


@pytest.mark.parametrize(("subject", "expected"), [
    ("RE: Re: FOI request - bin collections", "RE: FOI request - bin collections"),
    ("Re: [EXTERNAL] Re: Bins", "Re: Bins"),
    ("Ateb: RE: Twll yn y ffordd", "Re: Ateb: Twll yn y ffordd"),
    ("Fwd: Pothole", "Re: Fwd: Pothole"),
])
def test_the_ack_subject_has_one_reply_prefix_and_one_tag(
    wiltshire: Council, subject: str, expected: str
) -> None:
    ack = to_member(wiltshire, subject, "Please could someone look at the pothole on Mill Lane?")
    ref = wiltshire.case().ref
    assert str(ack["Subject"]) == f"{expected} [{ref}]"
    # It answers their message, in its thread.
    assert str(ack["In-Reply-To"]) == "<t1@test.example>"
    assert "<t1@test.example>" in str(ack["References"])
    assert f"Our reference is {ref}" in body_text(ack, "plain")


def text_of(ack: EmailMessage) -> str:
    """The plain text as the member reads it, with plain newlines."""
    return body_text(ack, "plain").replace("\r\n", "\n")


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])
def test_an_foi_ack_gives_the_statutory_date_and_names_the_foi_team_once(
    tmp_path: Path, pack: str
) -> None:
    with council(tmp_path, pack) as it:
        ack = to_member(it, "RE: Re: FOI request - bin collections",
                        "Under the Freedom of Information Act please provide copies of all "
                        "records of missed bin collections held for 2025.")
        text = text_of(ack)
        html = body_text(ack, "html")
        case = it.case()
    assert case.kind == "foi"
    # 20 working days from Friday 20 November, skipping St Andrew's Day (any UK holiday).
    assert "you will have our response by Monday 21 December 2026 at the latest" in text
    assert "Friday 4 December 2026" not in text  # the protocol's enquiry date
    assert f"please contact the FOI team (foi@{pack}.example)." in text
    assert f"foi@{pack}.example (foi@{pack}.example)" not in text
    assert "which we received on Friday 20 November 2026" in text
    if pack == "cardiff":
        assert "cysylltwch â'r tîm rhyddid gwybodaeth (foi@cardiff.example)." in text
        assert "â'r tîm rhyddid gwybodaeth (<a href=\"mailto:foi@cardiff.example\">" in html


def test_a_complaint_names_the_complaints_route_and_its_date(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as it:
        ack = to_member(it, "Complaint about officer conduct",
                        "I wish to make a formal complaint about the way the planning officer "
                        "handled my resident's case. It was rude and I want it investigated.")
        text = text_of(ack)
    assert ("The council's complaints contact (complaints@cardiff.example) will respond by "
            "Friday 4 December 2026.") in text
    assert ("Bydd cyswllt cwynion y cyngor (complaints@cardiff.example) yn ymateb erbyn "
            "dydd Gwener 4 Rhagfyr 2026.") in text
    assert "complaints@cardiff.example (complaints@cardiff.example)" not in text
    assert "The officer dealing with it" not in text


COMPLAINT = ("I wish to make a formal complaint about the way the planning officer handled "
             "my resident's case. It was rude and I want it investigated.")


def hackney(home: Path) -> Council:
    """Hackney with a Highways line (Sam, managed by Dana, the Director) that a rule on
    'bins' routes to, and a triage officer who takes what no rule matches."""
    return Council(
        home, mailbox="memberenquiries@hackney.gov.uk", name="Hackney Council",
        policy="hackney",
        members=[("Cllr Jo Bloggs", "jo@hackney.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam@hackney.gov.uk", "Highways", "dana@hackney.gov.uk", ""),
                  ("Dana Director", "dana@hackney.gov.uk", "Highways", "", ""),
                  ("Tom Triage", "tom@hackney.gov.uk", "Members' Services", "", "")],
        config='[routing]\ndefault_officer = "tom@hackney.gov.uk"\n'
               '[[routing.rules]]\nofficer = "sam@hackney.gov.uk"\nkeywords = ["bins"]\n',
    )


def test_a_hackney_complaint_goes_to_the_director_who_acknowledges_it(tmp_path: Path) -> None:
    """Hackney 11.3: the Director of the service acknowledges within three days and says
    what will be done; mailbot's mail is a receipt that says so, with the date."""
    bins = COMPLAINT.replace("planning officer", "bins team")
    with hackney(tmp_path) as it:
        # Sent on Monday 23 November at 09:30 and read at once: the Director's date is
        # three working days on, Thursday 26 November.
        monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
        text = text_of(to_member(it, "Complaint about the bins", bins, sent=monday, now=monday))
        # The same complaint read a week late (an outage): that date has gone by.
        late = text_of(to_member(it, "Complaint about bins again", bins, sent=SENT, now=READ))
        # No service matched: the triage officer has it to pass on, and is not called a
        # Director, nor said to acknowledge it: the Director to come does (11.3).
        other = text_of(to_member(it, "Complaint", COMPLAINT, sent=monday, now=monday))
    assert "a complaint goes to the Director of the service concerned" in text
    assert ("Dana Director (Highways) will acknowledge it by Thursday 26 November 2026, "
            "saying whether action") in text
    assert "Dana Director (Highways) will acknowledge it, saying whether action" in late
    assert "Wednesday 25 November" not in late
    assert "a complaint goes to the Director of the service concerned" in other
    assert "The Director will acknowledge it by Thursday 26 November 2026" in other
    assert "Tom Triage (Members' Services) will acknowledge" not in other
    assert "please contact Tom Triage (tom@hackney.gov.uk)" in other


def test_a_confidentiality_request_says_who_and_that_a_no_comes_at_once(tmp_path: Path) -> None:
    """MWDA 7.2: if it cannot be private the officer says so straight away; the request
    with no officer named goes to the Monitoring Officer, who is named as such."""
    with council(tmp_path, "mwda") as it:
        left = it.deliver(it.mail(
            "Cllr Jo Bloggs <jo@mwda.gov.uk>", "Private: Mr Smith housing",
            "Please keep this private. Can you advise me in confidence about Mr Smith's "
            "housing problem?", cc="rhian@mwda.gov.uk", date=SENT), READ)
    acks = [m for m in left if str(m["To"]) == "jo@mwda.gov.uk"]
    assert len(acks) == 1
    text = text_of(acks[0])
    # Sent Friday 16:30, before MWDA's 17:00 cutoff: five working days.
    assert ("The Monitoring Officer (monitoring.officer@mwda.example) will respond by "
            "Friday 27 November 2026.") in text
    assert "tell you straight away if it cannot be kept private" in text
    assert "Mr Smith" not in text
    # Whoever was copied in hears nothing from us.
    assert all("rhian@mwda.gov.uk" not in str(m["To"]) + str(m["Cc"] or "") for m in left)


def test_an_urgent_enquiry_is_acknowledged_as_urgent_with_its_shorter_date(
    tmp_path: Path
) -> None:
    with council(tmp_path, "colchester") as it:
        text = text_of(to_member(it, "URGENT: flooding on Mill Road",
                                 "This is urgent, houses flooding now, please send someone.",
                                 extra="Importance: high"))
    # Colchester: important = 5 working days from Friday 20 November.
    assert "will respond by Friday 27 November 2026." in text
    assert ("You marked this as urgent, and the officer dealing with it sees it marked "
            "important.") in text
    assert "please telephone the council on its usual number rather than email" in text


def test_no_officer_yet_is_not_named_and_the_member_is_told_to_reply(wiltshire: Council) -> None:
    text = text_of(to_member(wiltshire, "Pothole", "Could someone look at the pothole please?"))
    assert wiltshire.case().officer_email is None
    assert "The officer dealing with it will respond by Friday 4 December 2026." in text
    assert "please contact" not in text
    assert "reply to this email and keep the reference in the subject line" in text


def test_a_relabel_acknowledges_again_saying_it_replaces_the_first(wiltshire: Council) -> None:
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    first = text_of(to_member(wiltshire, "Pothole Mill Lane",
                              "Could someone look at the pothole on Mill Lane please?",
                              sent=monday, now=monday))
    assert "Thank you for your enquiry" in first
    relabel_case(wiltshire.app, wiltshire.case().ref, Kind.FOI, who="admin@wiltshire.gov.uk",
                 now=monday + timedelta(days=1))
    again = [m for m in wiltshire.flush(monday + timedelta(days=1))
             if str(m["To"]) == "jo@wiltshire.gov.uk"]
    assert len(again) == 1
    text = text_of(again[0])
    assert str(again[0]["In-Reply-To"]) == "<t1@test.example>"
    assert ("we are now handling it as a request for information. This email replaces our "
            "earlier acknowledgement") in text
    assert "by Tuesday 22 December 2026 at the latest" in text
    assert "Thank you for your" not in text


def test_a_welsh_member_in_cardiff_reads_welsh_first(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as it:
        ack = to_member(it, "Twll yn y ffordd", "Mae twll mawr yn y ffordd ger yr ysgol.",
                        who="rhian")
    text = text_of(ack)
    assert text.startswith("(English below)\n\nAnnwyl Cllr Rhian Evans,")
    assert "a ddaeth i law ar ddydd Gwener 20 Tachwedd 2026" in text
    assert text.index("Annwyl") < text.index("Dear")
    html = body_text(ack, "html")
    assert html.index('<div lang="cy">') < html.index('<div lang="en-GB">')


def test_a_stranger_without_a_name_is_not_called_councillor(tmp_path: Path) -> None:
    """acknowledge_unknown_senders: the sender is not in members.csv and gave no name."""
    app, server = make_app(tmp_path, policy="cardiff", acknowledge_unknown_senders=True)
    try:
        server.deliver(
            b"From: pat@example.net\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            b"Subject: Bins\r\nMessage-ID: <s1@example.net>\r\n"
            b"Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
            b"Please can you collect my bins, they were missed.\r\n")
        run(app)
    finally:
        app.close()
    [(ack, _)] = sent_to(server, "pat@example.net")
    text = text_of(ack)
    assert "Dear Sir or Madam," in text and "Annwyl Syr neu Fadam," in text
    assert "Councillor" not in text


def officer_command(it: Council, ref: str, line: str, when: datetime) -> list[EmailMessage]:
    """Sam answers with a command in the case's thread; the member's mail that it causes."""
    sam = f"Sam Patel <sam@{it.mailbox.partition('@')[2]}>"
    left = it.deliver(it.mail(sam, f"RE: Streetlight [{ref}]", line, date=when), when)
    return [m for m in left if not str(m["To"]).startswith("sam@")]


with_sam = council_with_sam


def test_the_extension_and_the_reopening_name_the_officer(tmp_path: Path) -> None:
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with with_sam(tmp_path, "mwda") as it:
        ack = to_member(it, "Streetlight out on Mill Lane",
                        "Could someone fix the street light on Mill Lane please?",
                        sent=monday, now=monday)
        ref = it.case().ref
        [notice] = officer_command(it, ref, 'EXTEND 5 "waiting for the contractor"',
                                   monday + timedelta(days=1))
        officer_command(it, ref, "DONE", monday + timedelta(days=2))
        thursday = monday + timedelta(days=3)
        left = it.deliver(it.reply(ack, "Cllr Jo Bloggs <jo@mwda.gov.uk>",
                                   "The light is still out, it has not been fixed.",
                                   date=thursday), thursday)
    [reopened] = [m for m in left if str(m["To"]) == "jo@mwda.gov.uk"]
    assert ("Sam Patel (Highways) will send you a full response by Monday 7 December 2026."
            in text_of(notice))
    assert str(notice["In-Reply-To"]) == "<t1@test.example>"
    assert ("We have reopened it, and Sam Patel (Highways) will respond by Thursday "
            "3 December 2026.") in text_of(reopened)
    assert str(reopened["Subject"]) == f"Re: Streetlight out on Mill Lane [{ref}]"


@pytest.mark.parametrize("pack", ["mwda", "cardiff"])
def test_the_monitoring_officer_says_no_and_the_member_hears_it_at_once(
    tmp_path: Path, pack: str
) -> None:
    """MWDA 7.2, Cardiff: the request with no officer named goes to the Monitoring Officer;
    their CONFIDENTIAL NO reaches the member in the same poll, named as who they are."""
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with council(tmp_path, pack) as it:
        left = it.deliver(it.mail(
            f"Cllr Rhian Evans <rhian@{pack}.gov.uk>", "Private: Mr Smith housing",
            "Please keep this private. Can you advise me in confidence about Mr Smith's "
            "housing problem?", date=monday), monday)
        [assignment] = [m for m in left if "monitoring" in str(m["To"])]
        later = monday + timedelta(hours=2)
        left = it.deliver(it.mail(
            str(assignment["To"]), f"RE: {assignment['Subject']}",
            'CONFIDENTIAL NO "the housing team must be told under the Constitution"',
            in_reply_to=str(assignment["Message-ID"]), date=later), later)
    [answer] = [m for m in left if str(m["To"]) == f"rhian@{pack}.gov.uk"]
    text = text_of(answer)
    assert "The Monitoring Officer has said that this is not possible" in text
    assert "Mae'r Swyddog Monitro wedi dweud nad yw hynny'n bosibl" in text
    assert "monitoring.officer@" not in text
    assert "the housing team must be told under the Constitution" in text
    assert "Mr Smith" not in text


WELSH_ENQUIRY = ("Mae twll mawr yn y ffordd ger yr ysgol ac mae'r rhieni yn poeni. "
                 "Allwch chi edrych arno os gwelwch yn dda? Diolch, Jo")


def test_a_bilingual_council_answers_welsh_with_welsh_first(tmp_path: Path) -> None:
    """Cardiff promises to answer Welsh in Welsh: Jo is listed as English but wrote Welsh,
    so the acknowledgement and a later letter about the case put Welsh first; English
    with a resident's Welsh letter forwarded below stays English first."""
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with with_sam(tmp_path, "cardiff") as it:
        welsh = text_of(to_member(it, "Twll yn y ffordd", WELSH_ENQUIRY,
                                  sent=monday, now=monday))
        [notice] = officer_command(it, it.case().ref, 'EXTEND 5 "aros am y contractwr"',
                                   monday + timedelta(days=1))
        forwarded = text_of(to_member(
            it, "FW: Twll", "Please could someone look at this for my resident?\n\n"
            "---------- Forwarded message ---------\nFrom: resident@example.net\n\n"
            + WELSH_ENQUIRY, sent=monday, now=monday))
    assert welsh.startswith("(English below)\n\nAnnwyl Cllr Jo Bloggs,")
    assert text_of(notice).startswith("(English below)\n\nAnnwyl Cllr Jo Bloggs,")
    assert forwarded.startswith("(Cymraeg isod)\n\nDear Cllr Jo Bloggs,")


def test_an_english_council_writes_english_to_a_member_listed_as_english(
    wiltshire: Council
) -> None:
    text = text_of(to_member(wiltshire, "Twll yn y ffordd", WELSH_ENQUIRY))
    assert text.startswith("Dear Cllr Jo Bloggs,") and "Annwyl" not in text


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])
def test_the_member_is_told_the_alternative_contact_when_the_officer_is_away(
    tmp_path: Path, pack: str
) -> None:
    """Wiltshire 6.5.8: the member gets an alternative contact if the officer is absent.
    Sam's out-of-office comes back to the assignment after the acknowledgement named him,
    so the member is told that Lee has the case, in their own thread and language."""
    domain = f"{pack}.gov.uk"
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", name="Council", policy=pack,
        members=[("Cllr Rhian Evans", f"rhian@{domain}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", f"lee@{domain}"),
                  ("Lee Wong", f"lee@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    ) as it:
        left = it.deliver(it.mail(f"Cllr Rhian Evans <rhian@{domain}>", "Streetlight",
                                  "Could someone fix the street light on Mill Lane please?",
                                  date=monday), monday)
        [assignment] = [m for m in left if str(m["To"]) == f"sam@{domain}"]
        later = monday + timedelta(hours=1)
        left = it.deliver(it.mail(
            f"Sam Patel <sam@{domain}>", f"Automatic reply: {assignment['Subject']}",
            "I am away until 7 December.", in_reply_to=str(assignment["Message-ID"]),
            extra="Auto-Submitted: auto-replied", date=later), later)
        # Another auto-reply from Sam tells the member nothing more.
        again = it.deliver(it.mail(
            f"Sam Patel <sam@{domain}>", f"Automatic reply: {assignment['Subject']}",
            "Away.", in_reply_to=str(assignment["Message-ID"]),
            extra="Auto-Submitted: auto-replied", date=later), later)
        ref = it.case().ref
    [letter] = [m for m in left if str(m["To"]) == f"rhian@{domain}"]
    assert again == []
    text = text_of(letter)
    assert (f"About your enquiry ({ref}): Sam Patel is not available, so Lee Wong (Highways) "
            "is now dealing with it and will respond by Monday 7 December 2026.") in text
    assert f"please contact Lee Wong (lee@{domain})." in text
    assert f"cysylltwch â Lee Wong (lee@{domain})." in text
    assert f'Lee Wong (<a href="mailto:lee@{domain}">' in body_text(letter, "html")
    assert ("nid yw Sam Patel ar gael, felly Lee Wong (Highways) sy'n delio ag ef nawr") in text
    assert text.index("Annwyl") < text.index("Dear")
    assert str(letter["Subject"]) == f"Re: Streetlight [{ref}]"
    assert str(letter["In-Reply-To"]) == "<t1@test.example>"


def test_colchester_tells_the_member_when_the_enquiry_is_redirected(tmp_path: Path) -> None:
    """Colchester 16(1): if the enquiry is redirected the member is informed promptly;
    16(3): an out-of-office pauses the clock until it is. Sam is away, Lee takes it."""
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    domain = "colchester.gov.uk"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", name="Colchester", policy="colchester",
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", f"lee@{domain}"),
                  ("Lee Wong", f"lee@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    ) as it:
        left = it.deliver(it.mail(f"Cllr Jo Bloggs <jo@{domain}>", "Streetlight",
                                  "Could someone fix the street light on Mill Lane please?",
                                  date=monday), monday)
        [assignment] = [m for m in left if str(m["To"]) == f"sam@{domain}"]
        left = it.deliver(it.mail(
            f"Sam Patel <sam@{domain}>", f"Automatic reply: {assignment['Subject']}",
            "On leave.", in_reply_to=str(assignment["Message-ID"]),
            extra="Auto-Submitted: auto-replied", date=monday), monday)
        [ask] = left  # Lee is asked to redirect it; the case waits, paused
        assert str(ask["To"]) == f"lee@{domain}" and it.case().status == "paused"
        wednesday = monday + timedelta(days=2)
        left = it.deliver(it.reply(ask, f"Lee Wong <lee@{domain}>", f"REASSIGN lee@{domain}",
                                   date=wednesday), wednesday)
        ref = it.case().ref
    [letter] = [m for m in left if str(m["To"]) == f"jo@{domain}"]
    text = text_of(letter)
    assert (f"About your enquiry ({ref}): it has been passed to Lee Wong (Highways), who is "
            "now dealing with it and will respond by") in text
    assert f"please contact Lee Wong (lee@{domain})." in text
    assert str(letter["In-Reply-To"]) == "<t1@test.example>"
