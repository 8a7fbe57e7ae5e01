"""What the officer and the member are told beyond the words of a message: the files a
member attached to a follow-up (named in the officer's update, inline signature pictures
left out), and, for a follow-up that opens a new linked case, the earlier enquiry it
follows (named in the member's acknowledgement). Real pipeline on the memory mailbox; the
assertions are on the MIME that left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text
from test_member_replies_thread import ORIGINAL, case_answered, case_opened, filled

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
LATER = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
AFTER_THE_WINDOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # 13 working days on
EARLIER = ("This follows your earlier enquiry MB-2026-00001 (answered on Wednesday 25 "
           "November 2026).")


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return Council(
        home, name="Test Council", mailbox=MAILBOX, policy=policy,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        admins=["it@council.gov.uk"], threshold=0.0, mail_headers=PLAIN_UTF8,
    )


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _text(message: EmailMessage, subtype: str = "plain") -> str:
    return body_text(message, subtype).replace("\r\n", "\n")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_update_names_the_photo_under_thanks(council: Council) -> None:
    ack = case_opened(council)
    raw = filled((DATA / "member_reply_gmail_thanks_with_photo_attached.eml").read_bytes(),
                  ack, LATER)
    out = council.deliver(raw, LATER + timedelta(minutes=5))
    assert [m["To"] for m in out] == [SAM]
    told = ("Attached by the member: IMG_20261125_1242.jpg (1 KB). Open the original in "
            f"the shared mailbox ({MAILBOX}) to see it.")
    assert told in _flat(_text(out[0]))
    assert "IMG_20261125_1242.jpg (1 KB)" in _text(out[0], "html")


def _with_signature_picture(ack: EmailMessage) -> bytes:
    """Outlook's reply: a signature logo sent inline (Content-ID), and a PDF attached."""
    reply = EmailMessage()
    reply["From"] = f"Cllr Jo Bloggs <{JO}>"
    reply["To"] = MAILBOX
    reply["Subject"] = "RE: Pothole in Mill Lane [MB-2026-00001]"
    reply["Message-ID"] = "<reply-with-plan@council.gov.uk>"
    reply["In-Reply-To"] = str(ack["Message-ID"])
    reply["References"] = f"{ORIGINAL} {ack['Message-ID']}"
    reply["Date"] = LATER.strftime("%a, %d %b %Y %H:%M:%S +0000")
    reply.set_content("Here is the plan of the lane with the hole marked.\n\nJo\n")
    reply.add_alternative('<p>Here is the plan of the lane with the hole marked.</p>'
                          '<p>Jo<br><img src="cid:logo001"></p>', subtype="html")
    html = reply.get_payload()[1]
    html.add_related(b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "image", "png",
                     cid="<logo001>", filename="image001.png", disposition="inline")
    reply.add_attachment(b"%PDF-1.4\n" + b"x" * (3 * 1024 * 1024), "application", "pdf",
                         filename="Mill Lane plan.pdf")
    return bytes(reply)


def test_an_inline_signature_picture_is_not_listed(council: Council) -> None:
    ack = case_opened(council)
    out = council.deliver(_with_signature_picture(ack), LATER + timedelta(minutes=5))
    assert [m["To"] for m in out] == [SAM]
    text = _flat(_text(out[0]))
    assert "Attached by the member: Mill Lane plan.pdf (3 MB)." in text
    assert "image001" not in text and "image001" not in _text(out[0], "html")


def _linked_ack(council: Council) -> EmailMessage:
    """Cllr Bloggs's pothole answered, then 'still not fixed' after the window: the new
    linked case's acknowledgement to her."""
    ack = case_answered(council)
    raw = filled((DATA / "member_reply_outlook_1252_still_not_fixed.eml").read_bytes(),
                  ack, AFTER_THE_WINDOW)
    out = council.deliver(raw, AFTER_THE_WINDOW + timedelta(minutes=5))
    assert council.case().parent_id is not None
    return next(m for m in out if m["To"] == JO)


def test_a_linked_cases_acknowledgement_names_the_earlier_case(council: Council) -> None:
    letter = _linked_ack(council)
    assert "[MB-2026-00002]" in letter["Subject"]
    assert EARLIER in _flat(_text(letter))
    assert EARLIER in _flat(_text(letter, "html"))


def test_a_first_acknowledgement_says_nothing_of_an_earlier_case(council: Council) -> None:
    letter = case_opened(council)
    assert "earlier" not in _text(letter) and "earlier" not in _text(letter, "html")


def test_a_bilingual_councils_linked_acknowledgement_says_it_in_both(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", "cardiff") as council:
        letter = _linked_ack(council)
    text = _flat(_text(letter))
    assert EARLIER in text
    assert ("Mae hyn yn dilyn eich ymholiad cynharach MB-2026-00001 (atebwyd ar ddydd "
            "Mercher 25 Tachwedd 2026).") in text
    assert "Mae hyn yn dilyn eich ymholiad cynharach MB-2026-00001" in _flat(
        _text(letter, "html"))


def test_a_stage_2_complaints_acknowledgement_names_the_answered_complaint(
    tmp_path: Path,
) -> None:
    from test_reopened_stage_two import JO as CLLR
    from test_reopened_stage_two import SCOTTISH, strathmore
    from test_stage_two_after_window import LATE, answered_complaint

    with strathmore(tmp_path, SCOTTISH) as it:
        first, ack = answered_complaint(it)
        left = it.deliver(it.reply(ack, f"Cllr Jo Bloggs <{CLLR}>",
                                   "I am not satisfied with the response to my complaint; "
                                   "please escalate it to stage 2.", date=LATE), LATE)
        letter = next(m for m in left if m["To"] == CLLR)
    said = _flat(_text(letter))
    assert "Thank you for your complaint, which we received on Monday 7 December 2026." in said
    assert (f"This follows your earlier complaint {first} (answered on Wednesday 25 November "
            "2026).") in said
