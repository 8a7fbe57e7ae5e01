"""When the response date the member was given passes with no answer and no new date, the
protocols that promise it have the member told (Wiltshire 6.5.8: an explanation when ten
working days cannot be met; Cardiff: keep the Member informed of progress; Colchester
16(6): keep Members informed about the progress of enquiries). Read as the mail that left."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam, rows

from mailbot import reminders
from mailbot.store.tables import OutboxRow

# Monday 23 November 2026; ten working days on is Monday 7 December.
MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TUESDAY_8 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # the first working day after it
WEDNESDAY_9 = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)  # the first overdue reminder
MONDAY_14 = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)  # after Friday 11th, a paused 3 days on


council = council_with_sam


def sweep(it: Council, now: datetime) -> list[EmailMessage]:
    reminders.sweep(it.app, now)
    return it.flush(now)


def text_of(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def enquiry(it: Council, who: str = "jo", subject: str = "Streetlight out on Mill Lane",
            body: str = "Could someone fix the street light on Mill Lane please?") -> None:
    domain = it.mailbox.partition("@")[2]
    it.deliver(it.mail(f"Cllr {who.title()} <{who}@{domain}>", subject, body, date=MONDAY),
               MONDAY)


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff", "colchester"])
def test_the_member_is_told_once_when_the_date_passes_unanswered(
    tmp_path: Path, pack: str
) -> None:
    domain = f"{pack}.gov.uk"
    with council(tmp_path, pack) as it:
        enquiry(it)
        ref = it.case().ref
        on_due_day = sweep(it, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
        tuesday = sweep(it, TUESDAY_8)
        again = sweep(it, TUESDAY_8 + timedelta(hours=2))
        wednesday = sweep(it, WEDNESDAY_9)
        notices = rows(it.app, OutboxRow, OutboxRow.purpose == "late_notice")
    assert [str(m["To"]) for m in on_due_day] == [f"sam@{domain}"]  # due today: Sam only
    [letter] = tuesday
    assert str(letter["To"]) == f"jo@{domain}" and letter["Cc"] is None
    assert str(letter["Subject"]) == f"Re: Streetlight out on Mill Lane [{ref}]"
    assert str(letter["In-Reply-To"]) == "<t1@test.example>"
    text = text_of(letter)
    assert (f"the response to your enquiry ({ref}) was due by Monday 7 December 2026 and has "
            "not been sent yet.") in text
    assert ("Sam Patel (Highways) is dealing with it and has been asked to tell you the reason "
            "for the delay, what is being done and when you will have a full response.") in text
    assert f"please contact Sam Patel (sam@{domain})." in text
    assert f'<a href="mailto:sam@{domain}">' in body_text(letter, "html")
    assert again == []
    [overdue] = wednesday
    assert str(overdue["To"]) == f"sam@{domain}"
    assert ("Cllr Jo Bloggs has been told that the response is late, that you are dealing "
            "with it") in text_of(overdue)
    assert [n.dedup_key for n in notices] == [f"late_notice:{notices[0].case_id}:2026-12-07"]


def test_a_welsh_member_in_cardiff_reads_it_welsh_first(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as it:
        enquiry(it, who="rhian")
        ref = it.case().ref
        [letter] = [m for m in sweep(it, TUESDAY_8) if str(m["To"]) == "rhian@cardiff.gov.uk"]
    text = text_of(letter)
    assert (f"roedd yr ymateb i'ch ymholiad ({ref}) i fod erbyn dydd Llun 7 Rhagfyr 2026, ac "
            "nid yw wedi'i anfon eto.") in text
    assert "cysylltwch â Sam Patel (sam@cardiff.gov.uk)." in text
    assert text.index("Annwyl") < text.index("Dear")


def test_an_extension_is_the_explanation_and_no_late_letter_follows(tmp_path: Path) -> None:
    """Sam's EXTEND sent Jo the reason and the new date: the old date passing is not late."""
    with council(tmp_path, "wiltshire") as it:
        enquiry(it)
        ref = it.case().ref
        friday = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
        left = it.deliver(it.mail("Sam Patel <sam@wiltshire.gov.uk>", f"RE: Streetlight [{ref}]",
                                  'EXTEND 5 "waiting for the contractor"', date=friday), friday)
        assert "jo@wiltshire.gov.uk" in [str(m["To"]) for m in left]  # the explanation
        assert [m for m in sweep(it, TUESDAY_8) if str(m["To"]).startswith("jo@")] == []
        # The new date (Monday 14 December) passes too: now Jo is told it is late.
        [letter] = [m for m in sweep(it, datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
                    if str(m["To"]).startswith("jo@")]
    assert "was due by Monday 14 December 2026 and has not been sent yet." in text_of(letter)


def test_an_answered_case_is_not_late(tmp_path: Path) -> None:
    with council(tmp_path, "wiltshire") as it:
        enquiry(it)
        ref = it.case().ref
        friday = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
        it.deliver(it.mail("Sam Patel <sam@wiltshire.gov.uk>", f"RE: Streetlight [{ref}]",
                           "DONE", date=friday), friday)
        assert sweep(it, TUESDAY_8) == []


@pytest.mark.parametrize("pack", ["mwda", "hackney"])
def test_a_protocol_that_asks_for_no_letter_sends_none(tmp_path: Path, pack: str) -> None:
    """MWDA 7.6 sets five days and nothing when they pass; Hackney leaves time standards
    to a corporate protocol not in the seed: the member gets nothing mailbot makes up."""
    with council(tmp_path, pack) as it:
        enquiry(it)
        later = [m for day in range(1, 16)
                 for m in sweep(it, MONDAY + timedelta(days=day, minutes=30))]
    assert later and all(str(m["To"]) == f"sam@{pack}.gov.uk" for m in later)


def test_colchester_leaves_a_complaint_to_its_own_procedure(tmp_path: Path) -> None:
    """Colchester 16(1): a complaint is dealt with under the complaint process, and 16(6)
    speaks of member enquiries; an FOI request is never told it is late by this bot."""
    with council(tmp_path, "colchester") as it:
        enquiry(it, subject="Complaint about the handling of my case",
                body="I want to make a formal complaint about how the planning team handled "
                     "my previous enquiry. Nobody replied for weeks and I am very unhappy.")
        kind = it.case().kind
        later = [m for day in range(1, 20)
                 for m in sweep(it, MONDAY + timedelta(days=day, minutes=30))]
    assert kind == "complaint"
    assert "late_notice" not in [str(m["Subject"]) for m in later]
    assert all(not str(m["To"]).startswith("jo@") for m in later)


def test_a_stranger_is_never_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even where the administrator has strangers acknowledged, no later letter is theirs."""
    monkeypatch.setenv("MAILBOT_DIRECTORY__ACKNOWLEDGE_UNKNOWN_SENDERS", "true")
    domain = "wiltshire.gov.uk"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", name="Wiltshire", policy="wiltshire",
        members=[], officers=[("Sam Patel", f"sam@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    ) as it:
        it.deliver(it.mail("A Resident <someone@example.org>", "Streetlight",
                           "Could someone fix the street light on Mill Lane please?",
                           date=MONDAY), MONDAY)
        acknowledged = rows(it.app, OutboxRow, OutboxRow.purpose == "ack")
        late = sweep(it, TUESDAY_8)
    assert [a.recipients for a in acknowledged] == ["someone@example.org"]
    assert all(str(m["To"]) != "someone@example.org" for m in late)


def test_a_pause_tells_the_member_nothing_and_the_officer_that_they_were_not_told(
    tmp_path: Path,
) -> None:
    """A PAUSE takes away the date the member was given. Its reason is written for officers,
    so mailbot does not send it on; the officer is told the member still expects the date
    and that an explanation is theirs to give (Wiltshire 6.5.8). No late letter while paused."""
    with council(tmp_path, "cardiff") as it:
        enquiry(it)
        ref = it.case().ref
        friday = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
        left = it.deliver(it.mail("Sam Patel <sam@cardiff.gov.uk>", f"RE: Streetlight [{ref}]",
                                  'PAUSE "waiting on the contractor survey"', date=friday),
                          friday)
        paused_later = sweep(it, TUESDAY_8)
        status = it.case().status
    [confirmation] = left
    assert str(confirmation["To"]) == "sam@cardiff.gov.uk"
    text = text_of(confirmation)
    assert ("The member was told to expect a response by Monday 7 December 2026 and has not "
            "been told of this pause. Unless you are waiting for their answer, tell them why "
            "and when they will have a response.") in text
    assert "Dywedwyd wrth yr aelod am ddisgwyl ymateb erbyn dydd Llun 7 Rhagfyr 2026" in text
    assert status == "paused" and paused_later == []


def test_cardiff_the_member_is_advised_when_confidence_can_be_kept(tmp_path: Path) -> None:
    """Cardiff, 'Relationships between Officers and Members': the officer "will then advise
    the Member" whether it can be treated as confidential; a yes is advice too."""
    with council(tmp_path, "cardiff") as it:
        left = it.deliver(it.mail(
            "Cllr Rhian Evans <rhian@cardiff.gov.uk>", "Private: Mr Smith housing",
            "Please keep this private. Can you advise me in confidence about Mr Smith's "
            "housing problem?", date=MONDAY), MONDAY)
        [assignment] = [m for m in left if "monitoring" in str(m["To"])]
        later = MONDAY + timedelta(hours=2)
        left = it.deliver(it.mail(
            str(assignment["To"]), f"RE: {assignment['Subject']}", "CONFIDENTIAL OK",
            in_reply_to=str(assignment["Message-ID"]), date=later), later)
        ref = it.case().ref
    [answer] = [m for m in left if str(m["To"]) == "rhian@cardiff.gov.uk"]
    assert answer["Cc"] is None  # no copy to anyone else (MWDA 7.3, Hackney: none secret)
    text = text_of(answer)
    # Not "your request for confidentiality ... to be kept confidential", in either language.
    assert (f"You asked for your message ({ref}) to be kept confidential. "
            "The Monitoring Officer has confirmed that it will be.") in text
    assert f"Gofynnoch i ni gadw eich neges ({ref}) yn gyfrinachol." in text
    assert "request for confidentiality" not in text and "cais am gyfrinachedd" not in text
    assert text.index("Annwyl") < text.index("Dear")


def _pause_and_resume(it: Council, ref: str) -> None:
    """Sam pauses the case for officers' reasons and resumes it: the member is sent
    nothing, so the date they were given stays the acknowledgement's Monday 7 December,
    while the case's own date moves on by the paused working days (25-27 November)."""
    domain = it.mailbox.partition("@")[2]
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    for when, command in ((wednesday, 'PAUSE "asked Streetscene for a survey"'),
                          (monday, "RESUME")):
        left = it.deliver(it.mail(f"Sam Patel <sam@{domain}>", f"RE: Streetlight [{ref}]",
                                  command, date=when), when)
        assert not [m for m in left if str(m["To"]).startswith(("jo@", "rhian@"))]


def test_after_a_pause_the_member_is_told_the_date_they_were_given(tmp_path: Path) -> None:
    """A trial: acknowledged 'by Thursday 12 February', paused and resumed (no letter), and
    when the moved date passed the late notice said 'was due by 22 February', a date the
    member was never given. The notice names the date they were given."""
    with council(tmp_path, "wiltshire") as it:
        enquiry(it)
        ref = it.case().ref
        _pause_and_resume(it, ref)
        moved = it.case().response_due
        before = [m for m in sweep(it, TUESDAY_8) if str(m["To"]).startswith("jo@")]
        [letter] = [m for m in sweep(it, MONDAY_14) if str(m["To"]).startswith("jo@")]
    assert moved == date(2026, 12, 11)
    assert before == []  # the case's own date is still to come
    text = text_of(letter)
    assert ("We are sorry: we told you that you would have the response to your enquiry "
            f"({ref}) by Monday 7 December 2026, and it has not been sent yet.") in text
    assert "11 December" not in text
    assert "we told you that you would have the response" in body_text(letter, "html")


def test_after_a_pause_a_welsh_member_is_told_their_date_in_welsh(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as it:
        enquiry(it, who="rhian")
        ref = it.case().ref
        _pause_and_resume(it, ref)
        moved = it.case().response_due
        [letter] = [m for m in sweep(it, MONDAY_14) if str(m["To"]) == "rhian@cardiff.gov.uk"]
    assert moved == date(2026, 12, 11)
    text = text_of(letter)
    assert (f"dywedasom wrthych y byddech yn cael yr ymateb i'ch ymholiad ({ref}) erbyn dydd "
            "Llun 7 Rhagfyr 2026, ac nid yw wedi'i anfon eto.") in text
    assert "11 Rhagfyr" not in text


def test_after_an_extension_and_a_pause_it_names_the_extensions_date(tmp_path: Path) -> None:
    """The EXTEND's letter gave Jo Monday 14 December; a later PAUSE and RESUME (no letter)
    moved the case's date on: the late notice names the date Jo was sent, the EXTEND's."""
    with council(tmp_path, "wiltshire") as it:
        enquiry(it)
        ref = it.case().ref
        for when, command in ((datetime(2026, 12, 4, 11, 0, tzinfo=UTC),
                               'EXTEND 5 "waiting for the contractor"'),
                              (datetime(2026, 12, 8, 11, 0, tzinfo=UTC),
                               'PAUSE "asked Streetscene for a survey"'),
                              (datetime(2026, 12, 10, 11, 0, tzinfo=UTC), "RESUME")):
            it.deliver(it.mail("Sam Patel <sam@wiltshire.gov.uk>", f"RE: Streetlight [{ref}]",
                               command, date=when), when)
        moved = it.case().response_due
        assert moved is not None and moved > date(2026, 12, 14)
        later = [m for day in range(15, 24)
                 for m in sweep(it, datetime(2026, 12, day, 10, 0, tzinfo=UTC))
                 if str(m["To"]).startswith("jo@")]
    [letter] = later
    assert ("we told you that you would have the response to your enquiry "
            f"({ref}) by Monday 14 December 2026, and it has not been sent yet.") in text_of(letter)
