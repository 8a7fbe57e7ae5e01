"""Christmas leave: two officers who cover for each other (each the other's deputy_email,
as officers.csv often has it) are both on leave over the closure, each with an
out-of-office on. A member's mail on Wednesday 23 December goes to one; their
out-of-office moves it to the other, whose out-of-office must not move it back to the
first (known to be away): it goes on to their manager, and the member is never told to
contact someone mailbot knows is away. Nothing is ever sent to a robot, and the case
stays open (an auto-reply is no answer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@cardiff.gov.uk"
JO = "jo.bloggs@cardiff.gov.uk"
SAM = "sam.patel@cardiff.gov.uk"
PAT = "pat.jones@cardiff.gov.uk"
DANA = "dana.reed@cardiff.gov.uk"
WEDNESDAY_23 = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
LEAVE = ("Thank you for your email. I am on leave until Monday 4 January 2027 with no "
         "access to email. Merry Christmas!")


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Cardiff Council", policy="cardiff", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, PAT),
                  ("Pat Jones", PAT, "Highways", DANA, SAM),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config="[loops]\nofficer_auto_replies = true\n",
    ) as made:
        yield made


def _auto_reply(council: Council, sender: str, to: EmailMessage) -> list[EmailMessage]:
    name = "Sam Patel" if sender == SAM else "Pat Jones"
    return council.deliver(council.mail(
        f"{name} <{sender}>", f"Automatic reply: {to['Subject']}", LEAVE,
        in_reply_to=str(to["Message-ID"]), date=WEDNESDAY_23,
        extra="Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All",
    ), WEDNESDAY_23)


def _text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def test_officers_covering_for_each_other_both_on_leave(council: Council) -> None:
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM,
                                       date=WEDNESDAY_23), WEDNESDAY_23)
    [assignment] = [m for m in out if str(m["To"]) == SAM]

    first = _auto_reply(council, SAM, assignment)  # Sam away: the case goes to Pat
    assert council.case().officer_email == PAT
    [to_pat] = [m for m in first if str(m["To"]) == PAT]
    [told_pat] = [m for m in first if str(m["To"]) == JO]
    assert f"({PAT})" in _text(told_pat)

    second = _auto_reply(council, PAT, to_pat)  # Pat away too
    case = council.case()
    assert case.officer_email == DANA  # not back to Sam, whose out-of-office we have
    assert case.status == "open"
    recipients = sorted(str(m["To"]) for m in second)
    assert recipients == [DANA, JO]
    [told_dana] = [m for m in second if str(m["To"]) == JO]
    assert f"({DANA})" in _text(told_dana)
    assert SAM not in _text(told_dana)


def test_when_everyone_who_covers_is_away_a_person_is_asked_to_pass_it_on(
    tmp_path: Path,
) -> None:
    admin = "it.support@cardiff.gov.uk"
    with Council(
        tmp_path / "council", name="Cardiff Council", policy="cardiff", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, PAT),
                  ("Pat Jones", PAT, "Highways", DANA, SAM),
                  ("Dana Reed", DANA, "Highways", "", "")],
        admins=[admin], threshold=0.0, mail_headers=PLAIN_UTF8,
        config="[loops]\nofficer_auto_replies = true\n",
    ) as council:
        # Dana's out-of-office came back on another case the day before.
        tuesday = WEDNESDAY_23.replace(day=22)
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Hedge on Elm Road",
                                           "The hedge blocks the pavement.", cc=DANA,
                                           date=tuesday), tuesday)
        [to_dana] = [m for m in out if str(m["To"]) == DANA]
        council.deliver(council.mail(
            f"Dana Reed <{DANA}>", f"Automatic reply: {to_dana['Subject']}", LEAVE,
            in_reply_to=str(to_dana["Message-ID"]), date=tuesday,
            extra="Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All",
        ), tuesday)

        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM,
                                           date=WEDNESDAY_23), WEDNESDAY_23)
        [assignment] = [m for m in out if str(m["To"]) == SAM]
        [to_pat] = [m for m in _auto_reply(council, SAM, assignment) if str(m["To"]) == PAT]

        asked = _auto_reply(council, PAT, to_pat)  # Sam and Dana are away too
        case = council.case()
        assert case.officer_email == PAT  # until a person passes it on
        [mail] = asked  # the member is not told of a contact who is away
        assert str(mail["To"]) == admin
        assert str(mail["Subject"]).startswith("Please redirect (alternative contact away too)")
        assert "Pat Jones is out of the office, and so is their alternative contact." in \
            _text(mail)
        # The command as they would type it, on the council's domain ("name@council" was
        # no address at all); Welsh too, the council being bilingual.
        assert "Reply REASSIGN name@cardiff.gov.uk to pass the case on." in _text(mail)
        assert "Atebwch REASSIGN enw@cardiff.gov.uk i drosglwyddo'r achos." in _text(mail)


def test_a_new_case_skips_a_deputy_known_to_be_away_too(council: Council) -> None:
    # Sam's and Pat's out-of-office both came back on Wednesday's case; Thursday's new
    # mail for Sam went to Pat (Sam's deputy, away too), whose out-of-office then moved it
    # to Dana and sent the member a second letter naming her. It goes to Dana at once.
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM,
                                       date=WEDNESDAY_23), WEDNESDAY_23)
    [assignment] = [m for m in out if str(m["To"]) == SAM]
    [to_pat] = [m for m in _auto_reply(council, SAM, assignment) if str(m["To"]) == PAT]
    _auto_reply(council, PAT, to_pat)

    thursday = WEDNESDAY_23.replace(day=24)
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Streetlight on Mill Lane",
                                       "The street light is out.", cc=SAM, date=thursday),
                          thursday)
    assert council.case().officer_email == DANA
    assert sorted(str(m["To"]) for m in out) == [DANA, JO]
    ack = next(m for m in out if str(m["To"]) == JO)
    assert f"({DANA})" in _text(ack)
