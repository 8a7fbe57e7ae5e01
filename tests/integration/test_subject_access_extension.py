"""The two further months of a complex subject access request (UK GDPR Article 12(3)):
an EXTEND on a case marked subject access whose reason says the request is complex, given
within the law's month, moves the law's date to three calendar months from receipt and
the member's letter says so with the reason; given after the month, the law's date stays
and the officer is told why. Real app on the memory mailbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, rows
from test_subject_access_reminders import (
    MONTH,
    at_ten,
    council,
    open_sar,
    sar_reminders,
    text_of,
)
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.store.tables import OutboxRow

# Three calendar months from Friday 27 November 2026: Saturday 27 February 2027, so the
# next working day.
EXTENDED = "Monday 1 March 2027"
HOLDER = "foi@wiltshire.example"


def _command(place: Council, assignment: EmailMessage, line: str,
             when: datetime) -> list[EmailMessage]:
    """The holder's `line` in reply to the assignment, read at `when`: the mail that left."""
    return place.deliver(place.reply(assignment, HOLDER, line, date=when), when)


def test_a_complex_request_extended_within_the_month(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        given = at_ten(date(2026, 12, 10))
        out = place.deliver(place.reply(
            assignment, HOLDER,
            'EXTEND 1/3/2027 "a complex subject access request: records in three archives"',
            date=given), given)
        letter = next(m for m in out if m["To"] == "ann@wiltshire.gov.uk")
        text = text_of(letter)
        assert "records in three archives" in text
        assert ("As this is a complex subject access request, data protection law lets the "
                "council take two further months to respond: it now has until "
                f"{EXTENDED} (UK GDPR Article 12(3))") in text
        assert EXTENDED in " ".join(body_text(letter, "html").split())
        confirmation = next(m for m in out if m["To"] == HOLDER)
        assert (f"Data protection law's date for this subject access request is now "
                f"{EXTENDED} (two further months, UK GDPR Article 12(3); was {MONTH})"
                ) in text_of(confirmation)
        [extended] = place.events("subject access extended")
        assert extended.actor == HOLDER and EXTENDED in extended.detail
        # Passed on to Sam afterwards: his assignment has the extended date.
        moved = given + timedelta(hours=1)
        out = _command(place, assignment, "REASSIGN sam@wiltshire.gov.uk", moved)
        text = text_of(next(m for m in out if m["To"] == "sam@wiltshire.gov.uk"))
        assert (f"by {EXTENDED} (with the two further months taken for a complex request)"
                ) in text
        place.close()
        shown = CliRunner().invoke(cli, ["case", case.ref, "--config",
                                         str(tmp_path / "mailbot.toml")])
        assert ("data protection law's one calendar month, extended by two further months "
                f"(UK GDPR Article 12(3)), ends {EXTENDED}") in shown.output


def test_the_reminders_follow_the_extended_date(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        given = at_ten(date(2026, 12, 10))
        _command(place, assignment, 'EXTEND 1/3/2027 "complex request: many departments"', given)
        found = sar_reminders(place, date(2026, 12, 14), date(2027, 3, 2))
        # Five working days before Monday 1 March: Monday 22 February; passed: 2 March.
        assert sorted(found) == [date(2027, 2, 22), date(2027, 3, 2)]
        [before] = found[date(2027, 2, 22)]
        assert f"due by {EXTENDED}" in str(before["Subject"])
        assert "extended by two further months" in text_of(before)


def test_after_the_month_the_law_s_date_stays(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        given = at_ten(date(2026, 12, 31))
        out = _command(place, assignment, 'EXTEND 10 "complex subject access request"', given)
        letter = next(m for m in out if m["To"] == "ann@wiltshire.gov.uk")
        assert "two further months" not in text_of(letter)
        confirmation = text_of(next(m for m in out if m["To"] == HOLDER))
        assert (f"Data protection law's month for this subject access request ended on "
                f"{MONTH}: the two further months can be taken only by telling the requester "
                f"within it, so its date stays {MONTH}.") in confirmation
        assert place.events("subject access extended") == []


def test_an_extension_for_another_reason_leaves_the_law_s_date(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        given = at_ten(date(2026, 12, 10))
        out = _command(place, assignment, 'EXTEND 5 "waiting for the housing team"', given)
        assert "two further months" not in text_of(
            next(m for m in out if m["To"] == "ann@wiltshire.gov.uk"))
        assert place.events("subject access extended") == []
        found = sar_reminders(place, date(2026, 12, 18), date(2026, 12, 18))
        assert f"due by {MONTH}" in str(found[date(2026, 12, 18)][0]["Subject"])


def test_a_reminder_waiting_when_the_months_are_taken_is_withdrawn(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        day = date(2026, 12, 18)  # the first reminder's day
        jobs.send_reminders(place.app, at_ten(day))
        place.server.deliver(place.reply(assignment, HOLDER,
                                         'EXTEND 20 "complex request: many departments"',
                                         date=at_ten(day)))
        jobs.poll(place.app, at_ten(day) + timedelta(minutes=5))
        out = place.flush(at_ten(day) + timedelta(minutes=5))
        assert not any(str(m["Subject"]).startswith("Subject access") for m in out)
        [withdrawn] = rows(place.app, OutboxRow,
                           OutboxRow.purpose == "access_request_reminder")
        assert withdrawn.status == "withdrawn"
        assert "moved from 2026-12-29 to 2027-03-01" in (withdrawn.last_error or "")


def test_an_extension_past_the_law_s_date_is_refused(tmp_path: Path) -> None:
    # Found in a trial: 'EXTEND 2/3/2027 "complex..."' told the member both 'a full
    # response by Tuesday 2 March 2027' and that the law gives the council until Monday 1
    # March; a second EXTEND then promised a date past the law's with no word of it.
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        due = place.case().response_due
        given = at_ten(date(2026, 12, 10))
        out = _command(place, assignment,
                       'EXTEND 2/3/2027 "complex request: three archives"', given)
        assert [m["To"] for m in out] == [HOLDER]
        text = text_of(out[0])
        assert (f"Tuesday 2 March 2027 is after data protection law's date for this subject "
                f"access request, {EXTENDED} with the two further months") in text
        assert 'EXTEND 1/3/2027 "complex request: three archives"' in text
        assert place.case().response_due == due
        assert place.events("subject access extended") == []
        # Within the law's extended date it is taken; a second EXTEND past it is refused.
        out = _command(place, assignment,
                       'EXTEND 1/3/2027 "complex request: three archives"', given)
        assert EXTENDED in text_of(next(m for m in out if m["To"] == "ann@wiltshire.gov.uk"))
        later = at_ten(date(2027, 2, 1))
        out = _command(place, assignment, 'EXTEND 10 "more archives found"', later)
        assert [m["To"] for m in out] == [HOLDER]
        assert (f"after data protection law's date for this subject access request, "
                f"{EXTENDED} with the two further months") in text_of(out[0])
        assert place.case().response_due == date(2027, 3, 1)


def test_a_plain_extension_past_the_month_is_refused(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        given = at_ten(date(2026, 12, 10))
        out = _command(place, assignment, 'EXTEND 20 "waiting for the housing team"', given)
        assert [m["To"] for m in out] == [HOLDER]
        text = text_of(out[0])
        assert (f"is after data protection law's date for this subject access request, "
                f"{MONTH} (one calendar month)") in text
        assert "if the request is complex, say so in the reason" in text
        assert 'EXTEND 29/12/2026 "waiting for the housing team"' in text
