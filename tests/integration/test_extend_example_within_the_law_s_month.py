"""HELP's EXTEND example (ten working days after today, or after the case's response date)
could fall after a subject access request's legal date (data protection law's one
calendar month), and EXTEND refuses a date after that while it is still to come. On such a
case the example is now one EXTEND takes: the law's date itself (its last working day on
the council's calendar) while the case's date is before it; once the case's date is the
law's, a reason saying the request is complex, which takes the law's two further months
(UK GDPR Article 12(3)). Each example is sent back as a real EXTEND and accepted: judged
by the confirmation and the case's date. The request: Friday 27 November 2026, the law's
date Tuesday 29 December 2026."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from test_subject_access_reminders import WELSH_SAR, at_ten, council, open_sar, text_of

from mailbot.render import long_date

LAW = date(2026, 12, 29)
EXTENDED = date(2027, 3, 1)  # three calendar months on (27 February a Saturday)
# Held by the data protection officer, on the officers' list, whom HELP answers.
DPO = '[policy.routing]\nsubject_access = "dpo@wiltshire.gov.uk"\n'
EXAMPLE = re.compile(r'EXTEND (\d\d/\d\d/\d{4}) "([^"]*)"')


def _day(typed: str) -> date:
    day, month, year = (int(part) for part in typed.split("/"))
    return date(year, month, day)


def _help(place: Council, assignment: EmailMessage, holder: str,
          on: date) -> tuple[str, str]:
    """The HELP's one EXTEND-to-a-date example, the same in its text and HTML parts."""
    [answer] = place.deliver(place.reply(assignment, holder, "HELP", date=at_ten(on)),
                             at_ten(on))
    found = {part: EXAMPLE.findall(body_text(answer, part)) for part in ("plain", "html")}
    assert len(found["plain"]) == 1 and found["html"] == found["plain"], found
    typed, reason = found["plain"][0]
    return typed, reason


def _extend(place: Council, assignment: EmailMessage, holder: str, on: date, typed: str,
            reason: str) -> str:
    """The example sent back as an EXTEND on `on`: the words of the holder's confirmation."""
    out = place.deliver(place.reply(assignment, holder, f'EXTEND {typed} "{reason}"',
                                    date=at_ten(on)), at_ten(on))
    return text_of(next(m for m in out if m["To"] == holder))


def test_the_example_is_the_law_s_date_then_a_complex_request(tmp_path: Path) -> None:
    with council(tmp_path, config=DPO) as place:
        case, assignment = open_sar(place)
        holder = case.officer_email or ""
        assert holder == "dpo@wiltshire.gov.uk"
        due = place.case().response_due
        assert due is not None and due < LAW
        calendar = place.app.policy.council_calendar()
        help_day = date(2026, 12, 17)
        # Ten working days on would be after the law's date.
        assert calendar.add_working_days(max(help_day, due), 10) > LAW
        typed, reason = _help(place, assignment, holder, help_day)
        last = LAW
        while not calendar.is_working_day(last):
            last = date.fromordinal(last.toordinal() - 1)
        assert _day(typed) == last and reason == "reason"
        said = _extend(place, assignment, holder, help_day, typed, "records still coming")
        assert f"is now {long_date(last)} (was {long_date(due)})" in said, said
        assert place.case().response_due == last
        # The case's date is the law's now: the example says the request is complex.
        typed, reason = _help(place, assignment, holder, help_day)
        assert _day(typed) == calendar.add_working_days(max(help_day, last), 10)
        assert "complex" in reason
        said = _extend(place, assignment, holder, help_day, typed, reason)
        assert f"is now {long_date(_day(typed))} (was {long_date(last)})" in said, said
        assert (f"Data protection law's date for this subject access request is now "
                f"{long_date(EXTENDED)}") in said
        assert place.case().response_due == _day(typed)
        # Extended, the example is ten working days on again: within the three months.
        typed, reason = _help(place, assignment, holder, help_day)
        assert reason == "reason" and _day(typed) <= EXTENDED


def test_an_example_within_the_month_or_after_it_is_as_before(tmp_path: Path) -> None:
    with council(tmp_path, config=DPO) as place:
        case, assignment = open_sar(place)
        holder = case.officer_email or ""
        assert holder == "dpo@wiltshire.gov.uk"
        due = place.case().response_due
        assert due is not None
        calendar = place.app.policy.council_calendar()
        # Within the month with room to spare: ten working days on, as for any case.
        early = date(2026, 11, 30)
        typed, reason = _help(place, assignment, holder, early)
        assert _day(typed) == calendar.add_working_days(max(early, due), 10) <= LAW
        assert reason == "reason"
        # After the law's date the case is late anyway, and EXTEND refuses nothing for it.
        late = date(2026, 12, 31)
        typed, reason = _help(place, assignment, holder, late)
        assert _day(typed) == calendar.add_working_days(max(late, due), 10) and reason == "reason"
        said = _extend(place, assignment, holder, late, typed, "records still coming")
        assert f"is now {long_date(_day(typed))}" in said, said


def test_welsh_beside_english_at_a_bilingual_council(tmp_path: Path) -> None:
    dpo = '[policy.routing]\nsubject_access = "dpo@cardiff.gov.uk"\n'
    with council(tmp_path, pack="cardiff", config=dpo) as place:
        case, assignment = open_sar(place, "Cllr Rhian Evans <rhian@cardiff.gov.uk>",
                                    "Cais gwrthrych am wybodaeth", WELSH_SAR)
        holder = case.officer_email or ""
        help_day = date(2026, 12, 17)
        [answer] = place.deliver(place.reply(assignment, holder, "HELP", date=at_ten(help_day)),
                                 at_ten(help_day))
        # Once in each language: the law's date, with the reason in that language.
        found = EXAMPLE.findall(body_text(answer, "plain"))
        assert sorted(reason for _, reason in found) == ["reason", "rheswm"]
        [typed] = {day for day, _ in found}
        assert _day(typed) <= LAW
        _extend(place, assignment, holder, help_day, typed, "cofnodion yn dod")
        assert place.case().response_due == _day(typed)
        [answer] = place.deliver(place.reply(assignment, holder, "HELP", date=at_ten(help_day)),
                                 at_ten(help_day))
        for part in ("plain", "html"):
            found = EXAMPLE.findall(body_text(answer, part))
            assert sorted(reason for _, reason in found) == [
                "cais cymhleth: pam", "complex request: why"], part
        # The Welsh reason is taken as the request called complex.
        [typed] = {day for day, _ in found}
        said = _extend(place, assignment, holder, help_day, typed, "cais cymhleth: pam")
        assert place.case().response_due == _day(typed), said
