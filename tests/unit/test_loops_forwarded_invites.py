"""A member who forwards a meeting invitation from Outlook sends a meeting request of their
own (the calendar part inline) with "FW:" and their words on top: that is a member asking
something, not calendar traffic. Everything a calendar system sends stays calendar."""

from __future__ import annotations

import pytest
from helpers import JO, AppFactory, eml, rows, run, sent_to

from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message
from mailbot.store.tables import MessageRow

FORWARD = "member_forwards_meeting_request_outlook.eml"
WORDS = (
    b"Hello,\n\nThe residents' association has asked for someone from planning to come to\n"
    b"this meeting to explain the consultation on the Castle Street development.\n"
    b"Could an officer attend, or let me know who I should ask?\n\nThanks,\nJo\n\n"
)


def parsed(raw: bytes) -> ParsedMessage:
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    return message


def automatic(raw: bytes) -> Automatic | None:
    verdict = detect_automatic(parsed(raw))
    return verdict.automatic if verdict else None


def test_a_members_forwarded_invitation_with_their_words_is_not_calendar_traffic() -> None:
    assert automatic(eml(FORWARD)) is None


@pytest.mark.parametrize(("what", "raw"), [
    ("a forwarding rule: no words of the member's", eml(FORWARD).replace(WORDS, b"")),
    ("words that ask nothing", eml(FORWARD).replace(WORDS, b"FYI\n\n")),
    ("no forward prefix: an organiser's invitation", eml(FORWARD).replace(
        b"Subject: FW: Castle", b"Subject: Castle")),
    ("no invitation block below the words", eml(FORWARD).replace(
        b"-----Original Appointment-----\nFrom: Castle Ward Residents' Association "
        b"<secretary@castleresidents.example>\nSent: 20 November 2026 18:02\n"
        b"To: Cllr Jo Bloggs; Cllr Ann Other\n", b"")),
    ("a calendar system's invitation with a description",
     eml("calendar_invitation_from_organiser.eml")),
])
def test_calendar_systems_mail_stays_calendar(what: str, raw: bytes) -> None:
    assert automatic(raw) == Automatic.CALENDAR, what


def test_a_forwarded_invitation_marked_automatic_is_still_automatic() -> None:
    raw = eml(FORWARD).replace(b"MIME-Version: 1.0", b"Auto-Submitted: auto-generated\n"
                               b"MIME-Version: 1.0")
    assert automatic(raw) == Automatic.AUTO_REPLY


def test_the_member_is_acknowledged_and_the_case_holds_their_words(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml(FORWARD))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("processed", None), row.reason
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]).startswith("Re: FW: Castle ward residents' association")
    # nothing to the residents' association, whose address is in the forwarded block
    assert {r for recipients, _ in server.outgoing for r in recipients} == {JO[1]}


def test_the_same_forward_written_in_html_only() -> None:
    """Outlook set to HTML: the words and the appointment block come as HTML alone."""
    html = (
        b"Content-Type: text/html; charset=\"utf-8\"\n\n"
        b"<html><body><p>The residents' association has asked for someone from planning "
        b"to come to this meeting. Could an officer attend?</p><p>Thanks,<br>Jo</p>"
        b"<div><p>-----Original Appointment-----<br><b>From:</b> Castle Ward Residents' "
        b"Association &lt;secretary@castleresidents.example&gt;<br><b>Sent:</b> 20 November "
        b"2026 18:02<br><b>To:</b> Cllr Jo Bloggs<br><b>Subject:</b> December meeting<br>"
        b"<b>When:</b> 03 December 2026 19:00-20:30<br><b>Where:</b> Community Centre</p>"
        b"</div></body></html>\n\n"
    )
    raw = eml(FORWARD)
    start = raw.index(b"Content-Type: text/plain")
    end = raw.index(b"--_000_DB9PR01MB7361FW_", start)
    assert automatic(raw[:start] + html + raw[end:]) is None
