"""A member copies in the officer they know; the officer answers them (reply-all, the
shared mailbox copied) before mailbot's acknowledgement has gone: the daemon catching up
after an outage, or sending held. The member still gets the acknowledgement, once, for
the reference; but it says the case was answered, not that the officer "will respond by"
a date two weeks off (which told a member holding their answer that more was to come).
"""

from __future__ import annotations

from pathlib import Path

from helpers import NOW, Council, body_text, rows

from mailbot.jobs import flush_outbox, poll
from mailbot.store.tables import CaseRow, OutboxRow

LEE = ("Lee Jones", "lee.jones@cardiff.gov.uk", "Waste", "", "")


def _council(home: Path) -> Council:
    return Council(
        home, mailbox="memberenquiries@cardiff.gov.uk", name="Cardiff Council",
        policy="cardiff",
        members=[("Cllr Jo Bloggs", "jo@cardiff.gov.uk", "Castle", "en"),
                 ("Cllr Rhian Evans", "rhian@cardiff.gov.uk", "Tref", "cy")],
        officers=[LEE],
    )


def _question_and_answer(member: str, subject: str, question: str, answer: str) -> list[bytes]:
    """The member's mail to the officer, the mailbox copied, and the officer's reply-all,
    as Outlook writes them."""
    asked = (
        f"From: {member}\r\nTo: Lee Jones <lee.jones@cardiff.gov.uk>\r\n"
        "Cc: memberenquiries@cardiff.gov.uk\r\n"
        f"Subject: {subject}\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n"
        "Message-ID: <question-1@cardiff.gov.uk>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n'
        f"\r\n{question}\r\n"
    )
    answered = (
        f"From: Lee Jones <lee.jones@cardiff.gov.uk>\r\nTo: {member}\r\n"
        "Cc: memberenquiries@cardiff.gov.uk\r\n"
        f"Subject: RE: {subject}\r\nDate: Wed, 25 Nov 2026 09:20:00 +0000\r\n"
        "Message-ID: <answer-1@cardiff.gov.uk>\r\n"
        "In-Reply-To: <question-1@cardiff.gov.uk>\r\nReferences: <question-1@cardiff.gov.uk>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        f"\r\n{answer}\r\n"
    )
    return [asked.encode(), answered.encode()]


def _read_together(place: Council, mails: list[bytes]) -> None:
    """Both mails read in one poll, then the outbox flushed: the acknowledgement was
    written while the case was open and goes after the answer was seen."""
    for mail in mails:
        place.server.deliver(mail)
    poll(place.app, NOW)
    flush_outbox(place.app, NOW)


def test_ack_sent_after_the_answer_says_it_was_answered(tmp_path: Path) -> None:
    with _council(tmp_path) as place:
        _read_together(place, _question_and_answer(
            "Cllr Jo Bloggs <jo@cardiff.gov.uk>", "Bin collection day, Castle Mews",
            "Lee, has the collection day for Castle Mews changed?",
            "Hi Jo, yes: Tuesdays from 1 December."))
        [case] = rows(place.app, CaseRow)
        assert case.status == "responded"
        left = place.left()
        # The member's one acknowledgement; the officer, who has answered, is sent nothing.
        assert [recipients for recipients, _ in left] == [("jo@cardiff.gov.uk",)]
        [(_, ack)] = left
        assert case.ref in str(ack["Subject"])
        text, html = body_text(ack, "plain"), body_text(ack, "html")
        assert f"Our reference is {case.ref}." in text
        assert "Lee Jones (Waste) answered it on Wednesday 25 November 2026." in text
        assert "answered it on <strong>Wednesday 25 November 2026</strong>" in html
        assert "Atebodd Lee Jones (Waste) ar ddydd Mercher 25 Tachwedd 2026." in text
        for body in (text, html):
            assert "will respond" not in body
            assert "9 December 2026" not in body
            assert "yn ymateb erbyn" not in body
            assert "in the meantime" not in body
        [ack_row] = rows(place.app, OutboxRow, OutboxRow.purpose == "ack")
        assert ack_row.status == "sent"


def test_welsh_member_reads_it_in_welsh_first(tmp_path: Path) -> None:
    with _council(tmp_path) as place:
        _read_together(place, _question_and_answer(
            "Cllr Rhian Evans <rhian@cardiff.gov.uk>", "Diwrnod casglu biniau",
            "Lee, a yw'r diwrnod casglu wedi newid?", "Ydy, dydd Mawrth o 1 Rhagfyr."))
        [(recipients, ack)] = place.left()
        assert recipients == ("rhian@cardiff.gov.uk",)
        text = body_text(ack, "plain")
        assert text.index("Atebodd Lee Jones (Waste) ar ddydd Mercher 25 Tachwedd 2026.") < (
            text.index("Lee Jones (Waste) answered it on Wednesday 25 November 2026."))
        assert "yn ymateb erbyn" not in text and "will respond" not in text


def test_ack_of_a_case_still_open_is_unchanged(tmp_path: Path) -> None:
    """The answer comes after the acknowledgement went: it said the date, as ever."""
    with _council(tmp_path) as place:
        asked, _ = _question_and_answer(
            "Cllr Jo Bloggs <jo@cardiff.gov.uk>", "Bin collection day, Castle Mews",
            "Lee, has the collection day for Castle Mews changed?", "")
        [ack, assignment] = place.deliver(asked)
        assert str(assignment["To"]) == "lee.jones@cardiff.gov.uk"
        text = body_text(ack, "plain")
        assert "Lee Jones (Waste) will respond by Wednesday 9 December 2026." in text
        assert "answered it on" not in text
