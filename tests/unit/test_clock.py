"""The response clock, case by case, with due dates counted by hand.

Packs used: wiltshire (no cutoff, ack 2, response 10), colchester (17:00 cutoff, ack 1,
enquiry 10 normal / 5 important), mwda (no ack, 5), hackney (complaint ack 3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mailbot.clock import ClockError, ClockEvent, case_deadlines, explain, receipt_day
from mailbot.model import Kind, Priority
from mailbot.policy import load_policy

WILTSHIRE = load_policy("wiltshire")
COLCHESTER = load_policy("colchester")
MWDA = load_policy("mwda")
HACKNEY = load_policy("hackney")

E, FOI, C = Kind.ENQUIRY, Kind.FOI, Kind.COMPLAINT
NORMAL, IMPORTANT = Priority.NORMAL, Priority.IMPORTANT


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def due(policy, kind, received, priority=NORMAL, events=()):  # type: ignore[no-untyped-def]
    d = case_deadlines(policy, kind, priority, received, events)
    return d.ack_due, d.response_due


# -- receipt day ------------------------------------------------------------------------


def test_weekday_receipt() -> None:
    assert due(WILTSHIRE, E, utc(2026, 11, 2, 10, 0)) == (date(2026, 11, 4), date(2026, 11, 16))


@pytest.mark.parametrize("day", [7, 8])  # Saturday, Sunday
def test_weekend_receipt_counts_from_monday(day: int) -> None:
    assert due(WILTSHIRE, E, utc(2026, 11, day, 10, 0)) == (
        date(2026, 11, 10),
        date(2026, 11, 20),
    )


def test_bank_holiday_receipt() -> None:
    # Mon 31 Aug 2026 is the late summer bank holiday: day one is Tue 1 Sep.
    assert due(WILTSHIRE, E, utc(2026, 8, 31, 10, 0)) == (date(2026, 9, 2), date(2026, 9, 14))


def test_a_receipt_day_that_is_a_holiday_is_named() -> None:
    # An FOI request sent on Good Friday 2027 (26 March) and on St Patrick's Day 2027 (a
    # Wednesday; a bank holiday in Northern Ireland only, so it stops an English council's
    # FOI clock but not its enquiry clock): the explanation said only "That is not a
    # working day here", leaving the officer to find out why.
    good_friday = explain(WILTSHIRE, FOI, NORMAL, utc(2027, 3, 26, 10, 0))
    assert "That is not a working day here: Good Friday (bank holiday)." in good_friday
    st_patrick = utc(2027, 3, 17, 10, 0)
    foi = explain(WILTSHIRE, FOI, NORMAL, st_patrick)
    assert ("That is not a working day here: Saint Patrick's Day (Northern Ireland) "
            "(bank holiday).") in foi
    assert "not a working day" not in explain(WILTSHIRE, E, NORMAL, st_patrick)
    # A weekend needs no name.
    saturday = explain(WILTSHIRE, FOI, NORMAL, utc(2026, 12, 19, 10, 0))
    assert "receipt day Sat 19 Dec 2026. That is not a working day here.\n" in saturday


def test_cutoff_one_second_before_and_at_1700() -> None:
    before = due(COLCHESTER, E, utc(2026, 11, 5, 16, 59, 59))  # Thu, GMT
    at = due(COLCHESTER, E, utc(2026, 11, 5, 17, 0, 0))
    assert before == (date(2026, 11, 6), date(2026, 11, 19))
    assert at == (date(2026, 11, 9), date(2026, 11, 20))


def test_no_cutoff_means_same_day_until_midnight() -> None:
    assert due(WILTSHIRE, E, utc(2026, 11, 5, 23, 59, 59))[0] == date(2026, 11, 9)


def test_dst_spring_forward_cutoff_is_local_time() -> None:
    # Mon 30 Mar 2026 is in BST: 16:00 UTC is 17:00 in London, so after the cutoff.
    assert due(COLCHESTER, E, utc(2026, 3, 30, 15, 59, 59))[0] == date(2026, 3, 31)
    assert due(COLCHESTER, E, utc(2026, 3, 30, 16, 0, 0))[0] == date(2026, 4, 1)


def test_dst_fall_back_cutoff_is_local_time() -> None:
    # Fri 23 Oct 2026 (BST): 16:00 UTC is 17:00 London -> counts from Saturday.
    assert due(COLCHESTER, E, utc(2026, 10, 23, 15, 59, 59))[0] == date(2026, 10, 26)
    assert due(COLCHESTER, E, utc(2026, 10, 23, 16, 0, 0))[0] == date(2026, 10, 26)
    assert receipt_day(utc(2026, 10, 23, 16, 0), COLCHESTER.clock.cutoff)[0] == date(2026, 10, 24)
    # Mon 26 Oct 2026 (back on GMT): 16:59:59 UTC is 16:59:59 London, before the cutoff.
    assert due(COLCHESTER, E, utc(2026, 10, 26, 16, 59, 59))[0] == date(2026, 10, 27)
    assert due(COLCHESTER, E, utc(2026, 10, 26, 17, 0, 0))[0] == date(2026, 10, 28)


def test_the_nights_the_clocks_change() -> None:
    # 00:30 UTC on the day BST starts is 00:30 GMT; 01:30 UTC is 02:30 BST: both Sunday.
    assert receipt_day(utc(2026, 3, 29, 0, 30), None)[0] == date(2026, 3, 29)
    assert receipt_day(utc(2026, 3, 29, 1, 30), None)[0] == date(2026, 3, 29)
    # 23:30 UTC on Sat 24 Oct is 00:30 BST on Sunday 25 Oct; 23:30 UTC on 25 Oct is GMT.
    assert receipt_day(utc(2026, 10, 24, 23, 30), None)[0] == date(2026, 10, 25)
    assert receipt_day(utc(2026, 10, 25, 23, 30), None)[0] == date(2026, 10, 25)


def test_midnight_utc_is_not_midnight_in_london_in_summer() -> None:
    # 23:30 UTC on Wed 1 July is 00:30 BST on Thu 2 July.
    assert due(WILTSHIRE, E, utc(2026, 7, 1, 23, 30))[0] == date(2026, 7, 6)
    assert due(WILTSHIRE, E, utc(2026, 7, 1, 22, 59, 59))[0] == date(2026, 7, 3)
    # An offset other than UTC is converted too: 01:30+02:00 on 2 July is 00:30 BST.
    paris = datetime(2026, 7, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert due(WILTSHIRE, E, paris)[0] == date(2026, 7, 6)


def test_naive_received_time_is_refused() -> None:
    with pytest.raises(ClockError, match="no UTC offset"):
        case_deadlines(WILTSHIRE, E, NORMAL, datetime(2026, 11, 2, 10, 0))


def test_n_zero_is_receipt_day_or_next_working_day() -> None:
    same_day = load_policy("wiltshire", overrides={"ack": {"enquiry": {"days": 0}}})
    assert due(same_day, E, utc(2026, 11, 5, 10, 0))[0] == date(2026, 11, 5)
    assert due(same_day, E, utc(2026, 11, 7, 10, 0))[0] == date(2026, 11, 9)
    assert due(same_day, E, utc(2026, 8, 31, 10, 0))[0] == date(2026, 9, 1)


# -- the pack's numbers ----------------------------------------------------------------


def test_priority_and_kind_pick_the_rule() -> None:
    received = utc(2026, 11, 2, 10, 0)
    assert due(COLCHESTER, E, received, IMPORTANT)[1] == date(2026, 11, 9)
    assert due(COLCHESTER, E, received, NORMAL)[1] == date(2026, 11, 16)
    assert due(HACKNEY, C, received)[0] == date(2026, 11, 5)
    assert due(HACKNEY, E, received)[0] == date(2026, 11, 4)


def test_no_ack_clock_gives_none() -> None:
    d = case_deadlines(MWDA, E, NORMAL, utc(2026, 11, 2, 10, 0))
    assert d.ack_due is None and d.ack.status == "none"
    assert d.response_due == date(2026, 11, 9)
    assert "no acknowledgement time" in "\n".join(d.explanation)


# -- the statutory FOI clock -----------------------------------------------------------


def test_st_patricks_day_stops_an_english_foi_clock() -> None:
    _, foi = due(WILTSHIRE, FOI, utc(2026, 3, 16, 10, 0))
    assert foi == date(2026, 4, 16)
    assert WILTSHIRE.council_calendar().add_working_days(date(2026, 3, 16), 20) == date(2026, 4, 15)


def test_12_july_stops_an_english_foi_clock() -> None:
    # Fri 9 Jul 2027: Mon 12 Jul (Northern Ireland) and Mon 2 Aug (Scotland) are skipped.
    assert due(WILTSHIRE, FOI, utc(2027, 7, 9, 10, 0))[1] == date(2027, 8, 10)
    assert due(WILTSHIRE, E, utc(2027, 7, 9, 10, 0), events=())[1] == date(2027, 7, 23)
    assert WILTSHIRE.council_calendar().add_working_days(date(2027, 7, 9), 20) == date(2027, 8, 6)


def test_2_january_stops_an_english_foi_clock() -> None:
    assert due(WILTSHIRE, FOI, utc(2025, 12, 31, 10, 0))[1] == date(2026, 1, 30)
    assert WILTSHIRE.council_calendar().add_working_days(date(2025, 12, 31), 20) == date(
        2026, 1, 29
    )


def test_first_monday_of_august_stops_an_english_foi_clock() -> None:
    assert due(WILTSHIRE, FOI, utc(2026, 7, 31, 10, 0))[1] == date(2026, 9, 1)
    assert WILTSHIRE.council_calendar().add_working_days(date(2026, 7, 31), 20) == date(2026, 8, 28)


def test_st_andrews_day_stops_an_english_foi_clock() -> None:
    assert due(WILTSHIRE, FOI, utc(2026, 11, 27, 10, 0))[1] == date(2026, 12, 30)
    assert WILTSHIRE.council_calendar().add_working_days(date(2026, 11, 27), 20) == date(
        2026, 12, 29
    )


def test_15_june_2026_stops_an_english_foi_clock() -> None:
    d = case_deadlines(WILTSHIRE, FOI, NORMAL, utc(2026, 6, 12, 10, 0))
    # Skips Mon 15 Jun (Scotland's one-off) and Mon 13 Jul (12 July observed, NI).
    assert d.response_due == date(2026, 7, 14)
    text = "\n".join(d.explanation)
    assert "Mon 15 Jun 2026" in text and "(Scotland)" in text
    assert "Mon 13 Jul 2026" in text and "(Northern Ireland)" in text
    assert WILTSHIRE.council_calendar().add_working_days(date(2026, 6, 12), 20) == date(2026, 7, 10)


def test_foi_clock_has_no_cutoff_but_the_ack_clock_does() -> None:
    # Thu 1 Oct 2026 18:30 BST: FOI counts from Thursday, the ack from Friday.
    ack, foi = due(COLCHESTER, FOI, utc(2026, 10, 1, 17, 30))
    assert foi == date(2026, 10, 29)
    assert ack == date(2026, 10, 5)
    assert due(COLCHESTER, E, utc(2026, 10, 1, 17, 30))[1] == date(2026, 10, 16)


def test_closure_days_count_for_foi_but_not_for_protocol_clocks() -> None:
    shut = {
        "calendar": {
            "closures": [{"start": "2026-12-29", "end": "2026-12-31", "name": "Christmas shutdown"}]
        }
    }
    closed = load_policy("wiltshire", overrides=shut)
    received = utc(2026, 12, 14, 10, 0)
    assert due(WILTSHIRE, E, received)[1] == date(2026, 12, 30)
    assert due(closed, E, received)[1] == date(2027, 1, 5)
    # FOI: 29-31 Dec count; 4 Jan 2027 is Scotland's New Year holiday (observed).
    assert due(WILTSHIRE, FOI, received)[1] == date(2027, 1, 15)
    assert due(closed, FOI, received)[1] == date(2027, 1, 15)
    assert "Christmas shutdown (closure)" in explain(closed, E, NORMAL, received)


def test_one_off_holiday_added_by_config_moves_open_cases() -> None:
    received = utc(2026, 11, 16, 10, 0)
    before = case_deadlines(WILTSHIRE, E, NORMAL, received)
    assert before.response_due == date(2026, 11, 30)
    funeral = {"calendar": {"extra_holidays": [{"date": "2026-11-20", "name": "State funeral"}]}}
    after = case_deadlines(load_policy("wiltshire", overrides=funeral), E, NORMAL, received)
    assert after.response_due == date(2026, 12, 1)
    assert after.ack_due == before.ack_due  # Wed 18 Nov: before the new holiday
    assert "State funeral" in "\n".join(after.explanation)
    # The FOI clock moves too: a bank holiday in England is one "in any part of the UK".
    assert due(WILTSHIRE, FOI, received)[1] == date(2026, 12, 15)
    assert due(load_policy("wiltshire", overrides=funeral), FOI, received)[1] == date(2026, 12, 16)


def test_one_off_scottish_holiday_moves_only_the_foi_clock_of_an_english_council() -> None:
    extra = {
        "calendar": {
            "extra_holidays": [
                {"date": "2026-11-20", "name": "Scottish one-off", "regions": ["scotland"]}
            ]
        }
    }
    policy = load_policy("wiltshire", overrides=extra)
    received = utc(2026, 11, 16, 10, 0)
    assert due(policy, E, received)[1] == date(2026, 11, 30)
    assert due(policy, FOI, received)[1] == date(2026, 12, 16)


# -- events ----------------------------------------------------------------------------


def ev(clock: str, action: str, at: datetime, **kw: object) -> ClockEvent:
    return ClockEvent(clock, action, at, "j.smith@council.example", "test", **kw)  # type: ignore[arg-type]


RECEIVED = utc(2026, 11, 2, 10, 0)  # Mon; Colchester normal enquiry due Mon 16 Nov


def test_pause_and_resume_disregard_the_paused_working_days() -> None:
    events = [
        ev("response", "pause", utc(2026, 11, 4, 10, 0)),
        ev("response", "resume", utc(2026, 11, 5, 12, 0)),
    ]
    d = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, events)
    assert d.response_due == date(2026, 11, 18)
    assert d.ack_due == date(2026, 11, 3)  # the other clock is untouched
    assert "2 working days from Wed 4 Nov 2026 to Thu 5 Nov 2026 disregarded" in "\n".join(
        d.explanation
    )


def test_paused_clock_has_no_due_date() -> None:
    d = case_deadlines(
        COLCHESTER, E, NORMAL, RECEIVED, [ev("response", "pause", utc(2026, 11, 4, 10, 0))]
    )
    assert d.response_due is None
    assert d.response.status == "paused"
    assert d.response.paused_since == date(2026, 11, 4)


def test_extension_to_an_agreed_date() -> None:
    events = [ev("response", "extend", utc(2026, 11, 10, 9, 0), new_due=date(2026, 11, 27))]
    assert due(COLCHESTER, E, RECEIVED, events=events)[1] == date(2026, 11, 27)
    saturday = [ev("response", "extend", utc(2026, 11, 10, 9, 0), new_due=date(2026, 11, 28))]
    d = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, saturday)
    assert d.response_due == date(2026, 11, 30)
    assert "not a working day" in "\n".join(d.explanation)


def test_extension_by_working_days_and_a_later_pause() -> None:
    by_days = [ev("response", "extend", utc(2026, 11, 10, 9, 0), days=5)]
    assert due(COLCHESTER, E, RECEIVED, events=by_days)[1] == date(2026, 11, 23)
    then_pause = [
        ev("response", "extend", utc(2026, 11, 10, 9, 0), new_due=date(2026, 11, 27)),
        ev("response", "pause", utc(2026, 11, 16, 9, 0)),
        ev("response", "resume", utc(2026, 11, 17, 9, 0)),
    ]
    assert due(COLCHESTER, E, RECEIVED, events=then_pause)[1] == date(2026, 12, 1)


def test_foi_fees_notice_pauses_the_statutory_clock() -> None:
    # FOIA s.10(2): working days from the notice to the fee's arrival are disregarded.
    assert due(WILTSHIRE, FOI, RECEIVED)[1] == date(2026, 12, 1)
    events = [
        ev("response", "pause", utc(2026, 11, 5, 11, 0)),
        ev("response", "resume", utc(2026, 11, 10, 15, 0)),
    ]
    assert due(WILTSHIRE, FOI, RECEIVED, events=events)[1] == date(2026, 12, 7)


def test_an_extension_never_moves_the_statutory_foi_date() -> None:
    # An enquiry extended to 29 Jan 2027 by agreement with the member, then relabelled an
    # FOI request: the FOI team was told 29 Jan was "the statutory date under the FOIA".
    # FOIA s.10(1) sets 20 working days (Tue 1 Dec 2026 here); no agreement moves it.
    events = [ev("response", "extend", utc(2026, 11, 10, 9, 0), new_due=date(2027, 1, 29)),
              ev("response", "extend", utc(2026, 11, 11, 9, 0), days=3)]
    d = case_deadlines(WILTSHIRE, FOI, NORMAL, RECEIVED, events)
    assert d.response_due == date(2026, 12, 1)
    text = "\n".join(d.explanation)
    assert "Ignored extension on Tue 10 Nov 2026" in text
    assert "set by statute" in text
    assert "Due: Tue 1 Dec 2026 (working day 20 after Mon 2 Nov 2026)." in text
    # The same case as an enquiry keeps the date agreed with the member.
    assert due(WILTSHIRE, E, RECEIVED, events=events[:1])[1] == date(2027, 1, 29)


def test_an_officers_absence_never_holds_the_statutory_foi_clock() -> None:
    # A pause recorded for an officer's out-of-office (Colchester 16(3), while the case
    # was an enquiry) is not a fees notice: FOIA s.10(2) would not disregard those days.
    from mailbot.cases import OOO_PAUSE

    events = [
        ClockEvent("response", "pause", utc(2026, 11, 3, 11, 0), "sam@council.example",
                   f"{OOO_PAUSE}: the usual timescale does not apply"),
        ev("response", "resume", utc(2026, 11, 10, 15, 0)),
    ]
    d = case_deadlines(COLCHESTER, FOI, NORMAL, RECEIVED, events)
    assert d.response_due == date(2026, 12, 1)
    assert "Ignored pause on Tue 3 Nov 2026" in "\n".join(d.explanation)
    # The same pause holds an enquiry's clock, as 16(3) says.
    assert due(COLCHESTER, E, RECEIVED, events=events)[1] == date(2026, 11, 24)


def test_foi_clarification_restarts_a_fresh_twenty_days() -> None:
    # FOIA s.1(3): clarification sought on 4 Nov, answered on Mon 9 Nov after 17:00 (no
    # cutoff for FOI): a fresh 20 working days from 9 Nov.
    events = [
        ev("response", "pause", utc(2026, 11, 4, 11, 0)),
        ev("response", "restart", utc(2026, 11, 9, 18, 0)),
    ]
    d = case_deadlines(WILTSHIRE, FOI, NORMAL, RECEIVED, events)
    assert d.response_due == date(2026, 12, 8)
    assert d.response.status == "running"
    assert "Restarted on Mon 9 Nov 2026" in "\n".join(d.explanation)


def test_stop_keeps_the_due_date_and_later_events_are_ignored() -> None:
    events = [
        ev("response", "stop", utc(2026, 11, 10, 9, 0)),
        ev("response", "pause", utc(2026, 11, 11, 9, 0)),
    ]
    d = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, events)
    assert d.response_due == date(2026, 11, 16)
    assert d.response.status == "stopped"
    assert d.response.stopped_on == date(2026, 11, 10)
    assert "Ignored pause" in "\n".join(d.explanation)
    reopened = [*events, ev("response", "restart", utc(2026, 11, 12, 9, 0))]
    d = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, reopened)
    assert d.response.status == "running"
    assert d.response_due == date(2026, 11, 26)


def test_ack_clock_stops_independently() -> None:
    d = case_deadlines(
        COLCHESTER, E, NORMAL, RECEIVED, [ev("ack", "stop", utc(2026, 11, 2, 10, 1))]
    )
    assert d.ack.status == "stopped" and d.ack_due == date(2026, 11, 3)
    assert d.response.status == "running"


def test_events_are_applied_in_time_order() -> None:
    events = [
        ev("response", "resume", utc(2026, 11, 5, 12, 0)),
        ev("response", "pause", utc(2026, 11, 4, 10, 0)),
    ]
    assert due(COLCHESTER, E, RECEIVED, events=events)[1] == date(2026, 11, 18)


def test_malformed_events_are_refused() -> None:
    with pytest.raises(ClockError, match="no UTC offset"):
        ev("response", "pause", datetime(2026, 11, 4, 10, 0))
    with pytest.raises(ClockError, match="exactly one of new_due or days"):
        ev("response", "extend", utc(2026, 11, 4, 10, 0))
    with pytest.raises(ClockError, match="clock must be one of"):
        ev("reply", "pause", utc(2026, 11, 4, 10, 0))
    with pytest.raises(ClockError, match="action must be one of"):
        ev("response", "snooze", utc(2026, 11, 4, 10, 0))


# -- explanations ----------------------------------------------------------------------


def test_explanation_names_cutoff_calendar_holidays_and_rule() -> None:
    text = explain(COLCHESTER, FOI, NORMAL, utc(2026, 3, 13, 17, 30))
    assert "at or after the 17:00 cutoff" in text  # the ack clock
    assert "statutory FOI calendar (FOIA s.10(6)" in text
    assert "Saint Patrick's Day (Northern Ireland)" in text
    assert "Good Friday" in text
    assert "Freedom of Information Act 2000 s.10(1)" in text
    assert "16(2)" in explain(COLCHESTER, E, IMPORTANT, utc(2026, 3, 13, 10, 0))
    weekend = explain(WILTSHIRE, E, NORMAL, utc(2026, 11, 7, 10, 0))
    assert "not a working day" in weekend and "Day one" in weekend


def test_plain_strings_work_like_the_enums() -> None:
    """Kinds and priorities read back from a database may be plain strings."""
    from mailbot.clock import due_dates

    received = utc(2026, 3, 16, 10, 0)
    for kind, priority in (("foi", "normal"), ("enquiry", "important")):
        full = case_deadlines(COLCHESTER, Kind(kind), Priority(priority), received)
        expected = (full.ack_due, full.response_due)
        assert due_dates(COLCHESTER, kind, priority, received) == expected  # type: ignore[arg-type]
        plain = case_deadlines(COLCHESTER, kind, priority, received)  # type: ignore[arg-type]
        assert (plain.ack_due, plain.response_due) == expected


def test_working_hours_come_from_the_pack() -> None:
    cal = COLCHESTER.council_calendar()
    assert cal.within_working_hours(utc(2026, 11, 2, 9, 30))  # Mon 09:30 GMT
    assert not cal.within_working_hours(utc(2026, 11, 2, 17, 0))
    late = load_policy("colchester", overrides={"reminders": {"working_hours": {"end": "18:00"}}})
    assert late.council_calendar().within_working_hours(utc(2026, 11, 2, 17, 0))


def test_a_scottish_council_uses_scottish_holidays_and_foisa() -> None:
    scot = load_policy("wiltshire", overrides={"region": "scotland", "foi_regime": "foisa"})
    # Fri 27 Nov 2026: Mon 30 Nov is St Andrew's Day, a protocol-clock holiday here.
    assert due(scot, E, utc(2026, 11, 27, 10, 0)) == (date(2026, 12, 2), date(2026, 12, 14))
    # Easter Monday is a working day in Scotland; FOISA ignores Northern Ireland's 17 March.
    assert scot.council_calendar().is_working_day(date(2026, 4, 6))
    assert scot.foi_calendar().is_working_day(date(2026, 3, 17))
    assert not scot.foi_calendar().is_working_day(date(2026, 1, 2))
    assert "FOISA s.73" in explain(scot, FOI, NORMAL, utc(2026, 3, 16, 10, 0))
    assert "Scotland) Act 2002 s.10(1)" in explain(scot, FOI, NORMAL, utc(2026, 3, 16, 10, 0))


def test_a_northern_irish_council_counts_st_patricks_day_on_its_protocol_clocks() -> None:
    ni = load_policy("wiltshire", overrides={"region": "northern-ireland"})
    assert due(ni, E, utc(2026, 3, 16, 10, 0))[0] == date(2026, 3, 19)
    assert due(WILTSHIRE, E, utc(2026, 3, 16, 10, 0))[0] == date(2026, 3, 18)


def test_a_scottish_council_must_answer_under_foisa() -> None:
    from mailbot.policy import PolicyError

    with pytest.raises(PolicyError, match="a Scottish council answers under 'foisa'"):
        load_policy("wiltshire", overrides={"region": "scotland"})


def test_a_pause_after_the_due_date_says_it_does_not_move_the_date() -> None:
    # Due Mon 16 Nov; an out-of-office pause from Fri 20 to Mon 23 Nov comes too late to
    # disregard anything, and the explanation must not say it did.
    events = [
        ev("response", "pause", utc(2026, 11, 20, 10, 0)),
        ev("response", "resume", utc(2026, 11, 23, 10, 0)),
    ]
    found = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, events)
    assert found.response_due == date(2026, 11, 16)
    text = "\n".join(found.explanation)
    assert "disregarded" not in text
    assert "after the due date Mon 16 Nov 2026, so the date does not move" in text


def test_a_pause_that_straddles_the_due_date_counts_only_what_it_moved() -> None:
    # Due Mon 16 Nov; paused Fri 13 to Wed 18 Nov: Fri 13, Mon 16 (the last day the clock
    # counted) ... the clock had two days left, so it ends two working days after Wed 18.
    events = [
        ev("response", "pause", utc(2026, 11, 13, 10, 0)),
        ev("response", "resume", utc(2026, 11, 18, 10, 0)),
    ]
    found = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, events)
    assert found.response_due == date(2026, 11, 20)
    assert "4 working days from Fri 13 Nov 2026 to Wed 18 Nov 2026 disregarded" in "\n".join(
        found.explanation
    )


def test_an_extension_to_today_is_explained_as_the_agreed_date() -> None:
    events = [ev("response", "extend", utc(2026, 11, 10, 10, 0), new_due=date(2026, 11, 10))]
    found = case_deadlines(COLCHESTER, E, NORMAL, RECEIVED, events)
    assert found.response_due == date(2026, 11, 10)
    text = "\n".join(found.explanation)
    assert "Due: Tue 10 Nov 2026 (the agreed date)." in text
    assert "receipt day if" not in text.split("Response:")[1]


def test_a_bank_holiday_moved_by_proclamation_is_cancelled_and_added() -> None:
    # As in 2020 (May Day to VE Day) and 2022 (Spring bank holiday to 2 June): before the
    # holidays package knows of a move, a council cancels the old date and adds the new.
    # Here the Late Summer bank holiday, Mon 30 Aug 2027, is moved to Fri 3 Sep 2027.
    where = ["england-and-wales", "northern-ireland"]
    moved = {
        "calendar": {
            "cancelled_holidays": [
                {"date": "2027-08-30", "name": "moved to 3 September", "regions": where}
            ],
            "extra_holidays": [
                {"date": "2027-09-03", "name": "Late Summer bank holiday", "regions": where}
            ],
        }
    }
    policy = load_policy("wiltshire", overrides=moved)
    received = utc(2027, 8, 26, 10, 0)  # Thu
    # Unmoved: Fri 27, (Mon 30 off), Tue 31 ... 10th working day Fri 10 Sep.
    assert due(WILTSHIRE, E, received)[1] == date(2027, 9, 10)
    # Moved: Mon 30 counts and Fri 3 does not, so the same date, by another route...
    assert due(policy, E, received)[1] == date(2027, 9, 10)
    # ...but a message received on Fri 27 Aug: first working day Mon 30 Aug, not Tue 31.
    assert due(policy, E, utc(2027, 8, 27, 10, 0))[0] == date(2027, 8, 31)
    assert due(WILTSHIRE, E, utc(2027, 8, 27, 10, 0))[0] == date(2027, 9, 1)
    text = explain(policy, E, NORMAL, utc(2027, 8, 27, 10, 0))
    assert "Skipped Fri 3 Sep 2027: Late Summer bank holiday (bank holiday)." in text
    assert "Skipped Mon 30 Aug 2027" not in text
    # The statutory FOI clock follows: 30 Aug is no longer a bank holiday anywhere in the
    # UK (Scotland's summer one is in early August), and 3 Sep is.
    assert due(WILTSHIRE, FOI, utc(2027, 8, 27, 10, 0))[1] == date(2027, 9, 27)
    assert due(policy, FOI, utc(2027, 8, 27, 10, 0))[1] == date(2027, 9, 27)
    assert due(policy, FOI, utc(2027, 8, 31, 10, 0))[1] == date(2027, 9, 29)
    assert due(WILTSHIRE, FOI, utc(2027, 8, 31, 10, 0))[1] == date(2027, 9, 28)


def test_cancelling_an_english_holiday_keeps_it_on_the_foi_clock_where_it_stands_elsewhere(
) -> None:
    # Cancelling Easter Monday 2027 for England and Wales leaves it a bank holiday in
    # Northern Ireland, so FOIA s.10(6) still skips it.
    cancelled = {
        "calendar": {"cancelled_holidays": [{"date": "2027-03-29", "name": "test"}]}
    }
    policy = load_policy("wiltshire", overrides=cancelled)
    received = utc(2027, 3, 25, 10, 0)  # Thu before Easter
    assert due(policy, E, received)[0] == date(2027, 3, 30)  # Fri 26 GF, Mon 29 counts
    assert due(WILTSHIRE, E, received)[0] == date(2027, 3, 31)
    assert due(policy, FOI, received)[1] == due(WILTSHIRE, FOI, received)[1]


def test_the_explanation_cites_the_protocol_by_its_title_not_its_file() -> None:
    """Officers asking why a date is what it is were shown the seed file's name
    ("000_917db46a597fcefa.txt 6.5.8") and a pointer to the design notes."""
    wiltshire = explain(WILTSHIRE, E, NORMAL, RECEIVED)
    assert ("(Wiltshire Council's Protocol 1, Member-Officer Relations, 6.5.8: emails "
            "acknowledged within two working days") in wiltshire
    cardiff = explain(load_policy("cardiff"), E, NORMAL, RECEIVED)
    for text in (wiltshire, cardiff):
        assert ".txt" not in text and "DESIGN.md" not in text
    assert "(local default: Cardiff Council's Protocol on Member/Officer Relations, " \
        "'Correspondence with Councillors and others'" in cardiff


def test_no_acknowledgement_clock_cites_why() -> None:
    text = explain(load_policy("mwda"), E, NORMAL, RECEIVED)
    assert text.splitlines()[0] == (
        "Acknowledgement: none; the protocol sets no acknowledgement time (Merseyside Waste "
        "Disposal Authority's Protocol on Member/Officer Relations, 7.6 sets a response time "
        "only, no acknowledgement time)."
    )
