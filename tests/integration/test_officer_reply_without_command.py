"""An officer who answers the assignment itself, meaning it for the member, gets the list
of commands once a day (a loop guard: a chatty thread or a human-looking robot gets one
help mail, not one per message). A second such answer that day is sent nothing, so it
must at least be kept where the administrator looks: the case's timeline in
`mailbot case REF`, with what the officer wrote and what mailbot did with it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, body_text, by_recipient

from mailbot.console import describe_case

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
FIRST = "Dear Cllr Bloggs,\n\nThe crew will fill the pothole on Tuesday.\n\nSam"
SECOND = "Dear Cllr Bloggs,\n\nCorrection: the crew comes on Wednesday, not Tuesday.\n\nSam"


def test_a_second_answer_without_a_command_that_day_is_kept_in_the_timeline(
    tmp_path: Path,
) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    ) as council:
        received = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
            cc=SAM, date=received,
        ), now=received))
        left = []
        for hour, text in ((11, FIRST), (14, SECOND)):
            at = datetime(2026, 11, 26, hour, 0, tzinfo=UTC)
            left.append(council.deliver(
                council.reply(out[SAM], f"Sam Patel <{SAM}>", text, date=at), now=at
            ))
        timeline = (describe_case(council.app, council.case().ref) or "").split("Timeline:")[1]
        timeline = " ".join(timeline.split())  # the columns' padding aside
    assert [m["To"] for m in left[0]] == [SAM]  # the list of commands, once
    assert left[1] == []
    assert (
        "officer note sam.patel@council.gov.uk Dear Cllr Bloggs, The crew will fill the "
        "pothole on Tuesday. Sam (not a command, not passed to the member; the list of "
        "commands was sent)"
    ) in timeline
    assert (
        "officer note sam.patel@council.gov.uk Dear Cllr Bloggs, Correction: the crew comes "
        "on Wednesday, not Tuesday. Sam (not a command, not passed to the member; nothing "
        "was sent: the list of commands goes at most once a day)"
    ) in timeline


def test_the_help_for_an_foi_case_does_not_offer_extend(tmp_path: Path) -> None:
    # EXTEND on an FOI case is refused (its date is set by law): the list of commands
    # sent to the FOI team must not offer it, as the assignment and reminders do not.
    foi_team = "foi@council.gov.uk"
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "cy")],
        officers=[("FOI Team", foi_team, "Information governance", "", "")], threshold=0.0,
        config=f'[policy.routing]\nfoi_team = "{foi_team}"\n',
    ) as council:
        received = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: road budgets",
            "Under the Freedom of Information Act 2000 please send me the road budgets.",
            date=received,
        ), now=received))
        assert council.case().kind == "foi"
        at = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
        [help_mail] = council.deliver(
            council.reply(out[foi_team], f"FOI Team <{foi_team}>", FIRST, date=at), now=at
        )
    for text in (body_text(help_mail, "plain"), body_text(help_mail, "html")):
        assert "DONE" in text and "REASSIGN" in text
        assert "EXTEND" not in text
