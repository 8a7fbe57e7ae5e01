"""What officers are told, checked against what mailbot then does: the mail that left and
the case rows, on the memory mailbox with a real config and directory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"


def test_a_complaint_the_officer_acknowledges_is_not_said_to_stop_at_the_first_reply(
    tmp_path: Path,
) -> None:
    # Hackney 11.3: the Director acknowledges a complaint; the first reply is that.
    with Council(
        tmp_path / "hackney", name="Hackney Council", policy="hackney", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Housing", DANA, ""), ("Dana Reed", DANA, "Housing", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Complaint about the handling of my casework",
            "I want to complain about how my enquiry about the damp flat was handled: three "
            "emails unanswered. Please investigate and put it right.", cc=SAM,
        ))
        [assignment] = [m for m in out if m["To"] == DANA]
        text = body_text(assignment, "plain").replace("\r\n", "\n")
        assert "must acknowledge it by Monday 30 November 2026" in text
        assert "sees the reply and stops the clock" not in text
        assert (
            "mailbot sees the reply and takes the first one as the acknowledgement: the next "
            "reply (or DONE) is the full response and stops the clock." in " ".join(text.split())
        )
        # And that is what happens.
        answer = council.mail(f"Dana Reed <{DANA}>", "RE: Complaint", "We are looking into it.",
                              cc=JO, in_reply_to="<t1@test.example>")
        council.deliver(answer)
        case = council.case()
        assert case.status == "open" and case.acknowledged_at is not None
        council.deliver(council.mail(f"Dana Reed <{DANA}>", "RE: Complaint", "Our findings.",
                                     cc=JO, in_reply_to="<t1@test.example>"))
        assert council.case().status == "responded"


def test_why_you_names_what_the_mail_mentions_or_the_members_ward(tmp_path: Path) -> None:
    alex = "alex.morgan@council.gov.uk"
    chris = "chris.hall@council.gov.uk"
    routing = (
        '[routing]\ndefault_officer = "dana.reed@council.gov.uk"\n'
        f'[[routing.rules]]\nname = "waste"\nofficer = "{alex}"\n'
        'keywords = ["bins", "fly-tipping"]\n'
        f'[[routing.rules]]\nname = "Harbour ward"\nofficer = "{chris}"\nwards = ["Harbour"]\n'
    )
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Mark Okafor",
                 "mark.okafor@council.gov.uk", "Harbour", "en")],
        officers=[("Alex Morgan", alex, "Waste", "", ""), ("Chris Hall", chris, "Harbour", "", ""),
                  ("Dana Reed", DANA, "Triage", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8, config=routing,
    ) as council:
        def why(sender: str, subject: str) -> str:
            out = council.deliver(council.mail(sender, subject, "Please can someone look."))
            [assignment] = [m for m in out if m["To"] != sender.split("<")[1].rstrip(">")]
            text = body_text(assignment, "plain").replace("\r\n", "\n")
            line = next(line for line in text.splitlines() if "Why you:" in line)
            return line.split(":", 1)[1].strip()

        assert why(f"Cllr Jo Bloggs <{JO}>", "Bins missed on Elm Road") == (
            "it mentions \"bins\" (the council's 'waste' routing)"
        )
        assert why("Cllr Mark Okafor <mark.okafor@council.gov.uk>", "Noisy pub") == (
            "the member's ward is Harbour (the council's 'Harbour ward' routing)"
        )


def test_a_colleague_asked_to_redirect_a_paused_case_is_shown_what_it_is(
    tmp_path: Path,
) -> None:
    # Colchester 16(3): the clock pauses while the officer is away, and their deputy is
    # asked to redirect the case: they cannot choose who should take it without reading it.
    lee = "lee.wong@council.gov.uk"
    with Council(
        tmp_path / "colchester", name="Colchester City Council", policy="colchester",
        mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, lee), ("Lee Wong", lee, "Highways", "", ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM))
        [assignment] = [m for m in out if m["To"] == SAM]
        out = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", f"Automatic reply: {assignment['Subject']}",
            "I am out of the office until Monday 7 December.",
            in_reply_to=str(assignment["Message-ID"]), extra="Auto-Submitted: auto-replied",
        ))
        [redirect] = out
        assert redirect["To"] == lee and redirect["Subject"].startswith("Please redirect: ")
        text = body_text(redirect, "plain").replace("\r\n", "\n")
        assert 'The message ("Pothole on Castle Road"):\n\n> A deep pothole by no. 12.' in text
        assert council.case().status == "paused"


def test_a_case_passed_on_tells_the_new_officer_by_whom_and_why_in_names(
    tmp_path: Path,
) -> None:
    lee = "lee.wong@council.gov.uk"
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Lee Wong", lee, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM))
        [assignment] = [m for m in out if m["To"] == SAM]
        out = council.deliver(council.mail(
            f"Dana Reed <{DANA}>", f"RE: {assignment['Subject']}",
            f"REASSIGN {lee} - Lee covers Castle ward", in_reply_to=str(assignment["Message-ID"]),
        ))
        [to_lee] = [m for m in out if m["To"] == lee]
        text = body_text(to_lee, "plain").replace("\r\n", "\n")
        assert "Why you:   passed to you from Sam Patel by Dana Reed: Lee covers Castle ward\n" in (
            text
        )
        assert council.case().officer_email == lee


def test_the_quoted_message_keeps_its_lines_in_outlook_for_windows(tmp_path: Path) -> None:
    # Outlook for Windows draws HTML with Word, which ignores CSS white-space: the lines of
    # the member's message must be broken with <br>, or they run into one paragraph.
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
        mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
            "Hi,\n\nA deep pothole by no. 12 <near the bus stop>.\n\nThanks,\nJo", cc=SAM,
        ))
        [assignment] = [m for m in out if m["To"] == SAM]
        html = body_text(assignment, "html")
        assert "white-space" not in html
        assert (
            "Hi,<br>\n<br>\nA deep pothole by no. 12 &lt;near the bus stop&gt;.<br>\n<br>\n"
            "Thanks,<br>\nJo</blockquote>" in html.replace("\r\n", "\n")
        )


def _follow_up(council: Council, body: str) -> str:
    """Cllr Bloggs opens a case, then replies to the acknowledgement with `body` (our
    acknowledgement's text put in for ACK): the officer's update, as text."""
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM))
    [ack] = [m for m in out if m["To"] == JO]
    body = body.replace("ACK", body_text(ack, "plain").replace("\r\n", "\n"))
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: {ack['Subject']}", body,
                                       in_reply_to=str(ack["Message-ID"])))
    [update] = [m for m in out if m["To"] == SAM]
    assert update["Subject"].startswith("Update: ")
    return body_text(update, "plain").replace("\r\n", "\n")


OUTLOOK_ACK_QUOTE = (
    "\n\n________________________________\nFrom: Member Enquiries <" + MAILBOX + ">\n"
    "Sent: 25 November 2026 10:05\nTo: Cllr Jo Bloggs <" + JO + ">\n"
    "Subject: Re: Pothole on Castle Road [MB-2026-00001]\n\nACK"
)
GMAIL_ACK_QUOTE = (
    "\n\nOn Wed, 25 Nov 2026 at 10:05, Member Enquiries <\n" + MAILBOX + "> wrote:\n\n> ACK"
)


def _council(home: Path, config: str = "") -> Council:
    return Council(home, name="Test Council", mailbox=MAILBOX,
                   members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
                   officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
                   mail_headers=PLAIN_UTF8, config=config)


HEAR_ABSENCE = "[loops]\nofficer_auto_replies = true"


@pytest.mark.parametrize("quote", [OUTLOOK_ACK_QUOTE, GMAIL_ACK_QUOTE])
def test_an_update_leaves_out_our_acknowledgement_the_member_quoted(
    tmp_path: Path, quote: str
) -> None:
    with _council(tmp_path / "council") as council:
        text = _follow_up(council, "Another resident has reported it too.\n\nJo" + quote)
        assert "> Another resident has reported it too.\n>\n> Jo\n" in text.replace(
            "> \n", ">\n")
        assert "Thank you for your enquiry" not in text
        assert "(The earlier mail the member quoted below this is left out" in text


def test_an_update_forwarding_someone_elses_mail_is_quoted_whole(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        text = _follow_up(council, (
            "See the resident's note below.\n\n---------- Forwarded message ---------\n"
            "From: A Resident <resident@mail.example>\nDate: Wed, 25 Nov 2026 at 09:00\n"
            "Subject: Pothole\n\nIt has got much deeper since Monday."
        ))
        assert "> It has got much deeper since Monday." in text
        assert "left out" not in text


def test_an_officers_mail_asks_for_their_out_of_office_and_bounces(tmp_path: Path) -> None:
    # "X-Auto-Response-Suppress: All" makes Exchange withhold an officer's out-of-office
    # and a dead address's bounce, and Auto-Submitted does the same for RFC 3834
    # responders: with [loops] officer_auto_replies, mail to officers asks for them.
    with _council(tmp_path / "council", HEAR_ABSENCE) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM))
        to = {m["To"]: m for m in out}
        assignment, ack = to[SAM], to[JO]
        assert assignment["X-Auto-Response-Suppress"] == "DR, RN, NRN, AutoReply"
        assert assignment["Auto-Submitted"] is None and assignment["Precedence"] is None
        assert assignment["X-Mailbot-Loop"]  # still known as ours if it comes back
        # The member's acknowledgement asks for nothing back.
        assert ack["X-Auto-Response-Suppress"] == "All"
        assert ack["Auto-Submitted"] == "auto-replied"
        monday = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
        jobs.send_reminders(council.app, monday)
        [reminder] = council.flush(monday)
        assert reminder["X-Auto-Response-Suppress"] == "DR, RN, NRN, AutoReply"


def test_a_team_mailbox_is_not_asked_for_its_automatic_answers(tmp_path: Path) -> None:
    # An FOI team's "we have received your request" would be taken for an absence.
    with _council(tmp_path / "council", HEAR_ABSENCE) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: repair costs",
            "Under the Freedom of Information Act please send me copies of the records of "
            "pothole repair costs for 2025.",
        ))
        [to_team] = [m for m in out if m["To"] != JO]
        assert to_team["X-Auto-Response-Suppress"] == "All"
