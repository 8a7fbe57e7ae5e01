"""A councillor uses Outlook's "Recall This Message" on mail they sent the shared mailbox.

Exchange passes the recall on as ordinary mail: Subject "Recall: <the original subject>",
Thread-Topic the original subject, a Thread-Index in the original's conversation (the
same 16-byte GUID), and either no body at all or one line, '<name> would like to recall
the message, "<subject>".' It can never take the mail back out of a shared mailbox that
mailbot has already read. So a recall of mail that opened or joined a case is put on that
case and its officer is told to check with the member; nobody is answered, no case is
opened and no clock moves. A recall that matches no case is left for a person, with the
reason, and still nobody is answered.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import AppFactory, Council, body_text, council_with_sam, eml, rows, run

from mailbot.quarantine import list_quarantined, mark_dealt_with
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 20, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
RHIAN = "Cllr Rhian Evans <rhian@wiltshire.gov.uk>"
SUBJECT = "Hedge on Elm Road"
ASK = ("The hedge on Elm Road is blocking the pavement, so people with buggies have to\r\n"
       "step into the road. Could it be cut back?")
# Outlook's conversation header: 1 reserved byte, 5 of time, the 16-byte GUID.
GUID = bytes(range(16, 32))
ORIGINAL_INDEX = base64.b64encode(b"\x01\xdb\x5f\x43\x76\x73" + GUID).decode()
# The recall is a new item in the same conversation: a later time, the same GUID.
RECALL_INDEX = base64.b64encode(b"\x01\xdb\x5f\x43\x7f\x02" + GUID).decode()
OUTLOOK_HEADERS = (f"Thread-Topic: {SUBJECT}\r\nThread-Index: {ORIGINAL_INDEX}\r\n"
                   "Content-Language: en-GB\r\nX-MS-Has-Attach:\r\nX-MS-TNEF-Correlator:")


def recall(sender: str, subject: str, *, body: str, index: str = "", number: int = 90,
           topic: str | None = None) -> bytes:
    """The recall as Exchange hands it to a mailbox outside the sender's organisation."""
    topic = subject if topic is None else topic
    headers = [
        f"From: {sender}",
        "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>",
        f"Subject: Recall: {subject}",
        f"Date: {LATER.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"Message-ID: <DB9PR01MB7361RECALL{number}@DB9PR01MB7361.eurprd01.prod.outlook.com>",
        f"Thread-Topic: {topic}",
        *([f"Thread-Index: {index}"] if index else []),
        "Content-Language: en-GB",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def said(name: str, subject: str) -> str:
    return f"{name} would like to recall the message, \u201c{subject}\u201d."


@pytest.fixture
def jo_asked(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, SUBJECT, ASK, date=MONDAY, extra=OUTLOOK_HEADERS), MONDAY)
        it.left()
        yield it


def _clock(council: Council) -> tuple[object, ...]:
    case = council.case()
    return (case.status, case.ack_due, case.response_due, case.received_at,
            len(rows(council.app, ClockEventRow)))


@pytest.mark.parametrize("raw", [
    # Exchange on-premises: no words of its own, only the conversation headers.
    recall(JO, SUBJECT, body="", index=RECALL_INDEX, number=1),
    # Over SMTP: the sentence, with Outlook's curly quotes, and no Thread-Index.
    recall(JO, SUBJECT, body=said("Bloggs, Jo (Cllr)", SUBJECT), number=2),
    # Outlook uppercases nothing here, but a phone's client may change the subject's case.
    recall(JO, SUBJECT.upper(), body=said("Cllr Jo Bloggs", SUBJECT.upper()), number=3),
], ids=["exchange-no-body", "smtp-sentence", "subject-case"])
def test_a_recall_of_the_mail_that_opened_a_case_tells_its_officer(
    jo_asked: Council, raw: bytes
) -> None:
    case, before = jo_asked.case(), _clock(jo_asked)
    left = jo_asked.deliver(raw, LATER)

    # Only the officer hears of it, as an update on the case; the member gets nothing.
    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    [notice] = left
    assert str(notice["Subject"]).startswith("Update: ")
    assert case.ref in str(notice["Subject"])
    text = " ".join(body_text(notice, "plain").split())
    assert (f'Cllr Jo Bloggs tried to recall their message "{SUBJECT}" of Monday 23 '
            "November 2026") in text
    assert "does not withdraw it from the shared mailbox" in text
    assert "Check with the member whether they still want it answered" in text
    # Nothing else: still one case, its clock untouched, no acknowledgement row added.
    assert [c.ref for c in rows(jo_asked.app, CaseRow)] == [case.ref]
    assert _clock(jo_asked) == before
    assert [r.purpose for r in rows(jo_asked.app, OutboxRow)] == ["ack", "assignment", "recall"]
    recalled = rows(jo_asked.app, MessageRow)[-1]
    assert (recalled.status, recalled.automatic, recalled.case_id) == (
        "automatic", "receipt", case.id)
    [event] = rows(jo_asked.app, EventRow, EventRow.action == "recall")
    assert event.case_id == case.id and event.actor == "jo@wiltshire.gov.uk"
    assert SUBJECT in event.detail


def test_a_recall_found_by_its_conversation_alone(jo_asked: Council) -> None:
    # The subject clipped or re-encoded on the way: the Thread-Index still names the case.
    raw = recall(JO, "Hedge on Elm Rd", body="", index=RECALL_INDEX, number=4,
                 topic="Hedge on Elm Rd")
    left = jo_asked.deliver(raw, LATER)
    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert len(rows(jo_asked.app, CaseRow)) == 1


def test_a_recall_of_a_follow_up_in_the_thread_goes_to_its_case(jo_asked: Council) -> None:
    ref = jo_asked.case().ref
    follow = f"RE: {SUBJECT} [{ref}]"
    jo_asked.deliver(jo_asked.mail(JO, follow, "Also the one on Oak Lane.", date=LATER), LATER)
    jo_asked.left()
    left = jo_asked.deliver(recall(JO, follow, body=said("Cllr Jo Bloggs", follow), number=5),
                            LATER)
    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert f'their message "{follow}"' in " ".join(body_text(left[0], "plain").split())
    assert len(rows(jo_asked.app, CaseRow)) == 1


def test_the_recall_is_told_once(jo_asked: Council) -> None:
    raw = recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT), number=6)
    assert len(jo_asked.deliver(raw, LATER)) == 1
    again = raw.replace(b"RECALL6@", b"RECALL7@")  # Exchange sends it to each copy
    assert jo_asked.deliver(again, LATER) == []
    assert len(rows(jo_asked.app, EventRow, EventRow.action == "recall")) == 2


@pytest.mark.parametrize("raw", [
    recall(JO, "Bins not collected on Mill Lane",
           body=said("Cllr Jo Bloggs", "Bins not collected on Mill Lane"), number=8),
    # Another member's recall under the same subject is not Jo's case.
    recall(RHIAN, SUBJECT, body=said("Cllr Rhian Evans", SUBJECT), number=9),
], ids=["no-such-mail", "another-member"])
def test_a_recall_matching_no_case_is_left_for_a_person(
    jo_asked: Council, raw: bytes
) -> None:
    before = _clock(jo_asked)
    assert jo_asked.deliver(raw, LATER) == []
    assert len(rows(jo_asked.app, CaseRow)) == 1 and _clock(jo_asked) == before
    recalled = rows(jo_asked.app, MessageRow)[-1]
    assert recalled.status == "quarantined" and recalled.case_id is None
    assert recalled.reason.startswith("an Outlook recall of a message that opened no case")
    [listed] = list_quarantined(jo_asked.app.store)
    assert listed.id == recalled.id and "check with the sender" in listed.reason


def test_a_recall_before_any_case_is_never_acknowledged(tmp_path: Path) -> None:
    # The recall arrives first (Outlook sends it at once; the original may follow later).
    with council_with_sam(tmp_path, "wiltshire") as council:
        raw = recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT), number=10)
        assert council.deliver(raw, LATER) == []
        assert rows(council.app, CaseRow) == [] and rows(council.app, OutboxRow) == []
        [row] = rows(council.app, MessageRow)
        assert row.status == "quarantined" and row.automatic == "receipt"


@pytest.mark.parametrize("name", ["outlook_recall_from_member.eml",
                                  "outlook_recall_no_body_exchange.eml",
                                  "outlook_recall_with_original_attached.eml"])
def test_recalls_as_exchange_sends_them_with_no_case_are_left_for_a_person(
    app_factory: AppFactory, name: str
) -> None:
    # Strangers acknowledged too, so only the recall's handling can stop the reply.
    app, server = app_factory(acknowledge_unknown_senders=True)
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("quarantined", "receipt"), row.reason
    assert '"Pothole outside 14 Castle Street"' in row.reason
    assert rows(app, CaseRow) == [] and rows(app, OutboxRow) == []
    assert server.outgoing == []


def test_a_person_can_take_an_unmatched_recall_off_the_list(jo_asked: Council) -> None:
    raw = recall(JO, "Bins on Mill Lane", body=said("Cllr Jo Bloggs", "Bins on Mill Lane"),
                 number=11)
    assert jo_asked.deliver(raw, LATER) == []
    [listed] = list_quarantined(jo_asked.app.store)
    mark_dealt_with(jo_asked.app.store, listed.id, LATER, by="admin")
    assert list_quarantined(jo_asked.app.store) == []
    assert rows(jo_asked.app, MessageRow)[-1].status == "ignored"
def test_a_strangers_recall_matching_no_case_is_automatic_mail(jo_asked: Council) -> None:
    # Nobody on the members list, recalling mail no case holds: noise, not left for a person.
    raw = recall("Pat Smith <pat.smith@example.net>", "Bins on Mill Lane",
                 body=said("Pat Smith", "Bins on Mill Lane"), number=40)
    before = rows(jo_asked.app, OutboxRow)
    assert jo_asked.deliver(raw, LATER) == []
    row = rows(jo_asked.app, MessageRow)[-1]
    assert (row.status, row.automatic, row.case_id) == ("automatic", "receipt", None)
    assert "not on the members list" in row.reason and "Bins on Mill Lane" in row.reason
    assert list_quarantined(jo_asked.app.store) == []
    assert len(rows(jo_asked.app, CaseRow)) == 1
    assert len(rows(jo_asked.app, OutboxRow)) == len(before)
