"""An officer's HELP is answered every time they ask: a second HELP the same day got
nothing, since the list of commands went at most once a day per sender, a limit meant for
mail mailbot could not read as a command (a chatty thread, a human-looking robot), not for
an explicit request. The outbox's own per-address guard still holds (loops)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, by_recipient

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _council(home: Path) -> Council:
    return Council(
        home, name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    )


def _assignment(council: Council) -> EmailMessage:
    out = by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
        cc=SAM, date=RECEIVED), now=RECEIVED))
    return out[SAM]


def _lists_commands(mail: EmailMessage) -> bool:
    text = body_text(mail, "plain")
    return "REASSIGN" in text and "DONE" in text


def test_a_second_help_in_a_cases_thread_is_answered(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council)
        answers = []
        for n, line in enumerate(("HELP", "RESUME 32/12/2026", "HELP")):
            at = NEXT_DAY + timedelta(hours=n)
            answers.append(council.deliver(council.reply(
                assignment, f"Sam Patel <{SAM}>", line, date=at), now=at))
    [first], [_], [third] = answers
    assert first["To"] == SAM and third["To"] == SAM
    assert _lists_commands(first) and _lists_commands(third)
    assert "did not find a command" not in body_text(third, "plain")


def test_a_second_help_in_a_new_mail_is_answered(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        answers = []
        for n in range(2):
            at = NEXT_DAY + timedelta(hours=n)
            answers.append(council.deliver(council.mail(
                f"Sam Patel <{SAM}>", "help", "HELP", date=at), now=at))
    assert [[m["To"] for m in out] for out in answers] == [[SAM], [SAM]]
    assert all(_lists_commands(out[0]) for out in answers)


def test_the_list_asked_for_does_not_say_it_goes_once_a_day(tmp_path: Path) -> None:
    """Each HELP is answered, so its list must not end 'This help is sent at most once a
    day.' (nor the Welsh 'unwaith y dydd ar y mwyaf'): an officer told so would not ask
    again. The list sent for mail not read as a command still goes once a day, and says
    so."""
    with Council(
        tmp_path / "cardiff", name="Cardiff Council", policy="cardiff",
        mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    ) as council:
        assignment = _assignment(council)
        answers = [council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "help", "HELP", date=NEXT_DAY + timedelta(hours=n)),
            now=NEXT_DAY + timedelta(hours=n)) for n in range(2)]
        at = NEXT_DAY + timedelta(hours=3)
        [unread] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "Thanks, I'll look at this tomorrow.",
            date=at), now=at)
    for [answer] in answers:
        for subtype in ("plain", "html"):
            said = body_text(answer, subtype)
            assert "REASSIGN" in said
            assert "once a day" not in said and "unwaith y dydd" not in said
    for subtype in ("plain", "html"):
        said = body_text(unread, subtype)
        assert "This help is sent at most once a day." in said
        assert "Anfonir y cymorth hwn unwaith y dydd ar y mwyaf." in said
