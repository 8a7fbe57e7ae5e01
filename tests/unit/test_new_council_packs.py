"""A Scottish and a Northern Irish council's own packs (tests/data/pack_*.toml), written
from docs/deadlines.md alone: their due dates against dates counted by hand across St
Andrew's Day, 2 January, Scotland's August bank holiday, 17 March, 12 July (with the
council's own closure on the 13th), Christmas and New Year; and the one-line errors for
the mistakes an administrator writing such a pack makes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mailbot.clock import case_deadlines
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, PolicyError, load_policy
from mailbot.settings import ConfigError, load_settings

DATA = Path(__file__).resolve().parents[1] / "data"
SCOTTISH = DATA / "pack_scotland_foisa_two_stage_complaints.toml"
NORTHERN_IRISH = DATA / "pack_northern_ireland_twelfth_closure.toml"

E, FOI, C = Kind.ENQUIRY, Kind.FOI, Kind.COMPLAINT


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (kind, received, ack due, response due), each counted by hand on a calendar.
SCOTLAND = [
    # Thu 26 Nov 2026: Mon 30 Nov is St Andrew's Day (Scotland), so 3 days end Wed 2 Dec
    # and 15 end Fri 18 Dec.
    (E, utc(2026, 11, 26, 10), date(2026, 12, 2), date(2026, 12, 18)),
    # FOISA s.73: St Andrew's Day, Christmas Day and Boxing Day's substitute (Mon 28 Dec)
    # are skipped; the festive closure (29-31 Dec) is not.
    (FOI, utc(2026, 11, 26, 10), date(2026, 12, 2), date(2026, 12, 29)),
    # Fri 18 Dec 17:30 is after the cutoff: counted from Sat 19 Dec. Skipped: 25 and 28
    # Dec, the closure 29-31 Dec, 1 Jan, and Mon 4 Jan (2 January falls on a Saturday).
    (E, utc(2026, 12, 18, 17, 30), date(2026, 12, 23), date(2027, 1, 19)),
    # A stage 1 complaint (5 days) over the same holidays.
    (C, utc(2026, 12, 23, 9), date(2027, 1, 6), date(2027, 1, 8)),
    (FOI, utc(2026, 12, 23, 9), date(2027, 1, 6), date(2027, 1, 26)),
    # Scotland's summer bank holiday is the first Monday in August (3 Aug 2026)...
    (E, utc(2026, 7, 30, 10), date(2026, 8, 5), date(2026, 8, 21)),
    # ...and England's last Monday in August (31 Aug) is a working day there.
    (E, utc(2026, 8, 26, 10), date(2026, 8, 31), date(2026, 9, 16)),
    # Good Friday is a Scottish bank holiday, Easter Monday (6 Apr 2026) is not.
    (E, utc(2026, 4, 1, 10), date(2026, 4, 7), date(2026, 4, 23)),
]

NORTHERN_IRELAND = [
    # Fri 12 Mar 2027: skipped St Patrick's Day (Wed 17), Good Friday and Easter Monday.
    (E, utc(2027, 3, 12, 10), date(2027, 3, 18), date(2027, 3, 31)),
    (FOI, utc(2027, 3, 12, 10), date(2027, 3, 18), date(2027, 4, 14)),
    # Wed 7 Jul 2027: Mon 12 July (bank holiday) and Tue 13 July (the council's closure).
    (E, utc(2027, 7, 7, 10), date(2027, 7, 14), date(2027, 7, 23)),
    (C, utc(2027, 7, 7, 10), date(2027, 7, 14), date(2027, 7, 16)),
    # FOIA s.10(6): 12 July and Scotland's Mon 2 Aug are skipped; the closure counts.
    (FOI, utc(2027, 7, 7, 10), date(2027, 7, 14), date(2027, 8, 6)),
    # 16:00 UTC is 17:00 BST, the cutoff: counted from Thu 9 Jul 2026; 12 July is a
    # Sunday, so Mon 13 Jul is the bank holiday.
    (E, utc(2026, 7, 8, 16), date(2026, 7, 15), date(2026, 7, 24)),
    # Mon 20 Dec 2027 after the cutoff: 27 and 28 Dec, and Mon 3 Jan 2028 (New Year's
    # Day on a Saturday) are skipped; Tue 4 Jan is Scotland's, a working day here...
    (E, utc(2027, 12, 20, 17, 5), date(2027, 12, 24), date(2028, 1, 7)),
    # ...but not on the statutory FOI calendar, which also has no cutoff.
    (FOI, utc(2027, 12, 20, 17, 5), date(2027, 12, 24), date(2028, 1, 21)),
]


@pytest.mark.parametrize(("kind", "received", "ack", "response"), SCOTLAND)
def test_the_scottish_councils_dates_are_the_ones_counted_by_hand(
    kind: Kind, received: datetime, ack: date, response: date
) -> None:
    got = case_deadlines(load_policy(SCOTTISH), kind, Priority.NORMAL, received)
    assert (got.ack_due, got.response_due) == (ack, response)


@pytest.mark.parametrize(("kind", "received", "ack", "response"), NORTHERN_IRELAND)
def test_the_northern_irish_councils_dates_are_the_ones_counted_by_hand(
    kind: Kind, received: datetime, ack: date, response: date
) -> None:
    got = case_deadlines(load_policy(NORTHERN_IRISH), kind, Priority.NORMAL, received)
    assert (got.ack_due, got.response_due) == (ack, response)


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = SCOTTISH.read_text()
    assert old in text, old
    path = tmp_path / "strathmore.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # Misspelt keys: the key meant, even where it has a default or is set already.
        ("[ack.enquiry]\ndays = 3", "[ack.enquiry]\ndayz = 3",
         "ack.enquiry.dayz: unknown key (did you mean 'days'?)"),
        ('region = "scotland"', 'regoin = "scotland"', "regoin: unknown key (did you mean"
         " 'region'?)"),
        ("closures = [", "extra_holiday = [{ date = 2027-06-07, name = \"x\" }]\nclosures = [",
         "calendar.extra_holiday: unknown key (did you mean 'extra_holidays'?)"),
        # Nothing close: the keys the table takes.
        ("{ start = 2026-12-29, end = 2026-12-31,", "{ from = 2026-12-29, to = 2026-12-31,",
         "calendar.closures (number 1).from: unknown key (this table takes start, end, name)"),
        ("[response.complaint]\nnormal = 5", "[response.complaint]\nstage1 = 5\nstage2 = 20",
         "response.complaint.stage1: unknown key (this table takes normal, important, "
         "reopened, source)"),
        # A region as people write it.
        ('region = "scotland"', 'region = "Scotland"',
         "region: must be one of 'england-and-wales', 'scotland' or 'northern-ireland', "
         "not 'Scotland'"),
        ('region = "scotland"', 'region = "scottland"', "region: must be one of"),
        # No clock is written as 0, which would make every case late the next day.
        ("[response.enquiry]\nnormal = 15", "[response.enquiry]\nnormal = 0",
         "response.enquiry.normal: must be at least 1 working day"),
        ("[response.complaint]\nnormal = 5", "[response.complaint]\nnormal = 5\nimportant = 0",
         "response.complaint.important: must be at least 1 working day"),
        # Holiday and closure dates the UK way round, or impossible.
        ("closures = [", 'extra_holidays = [{ date = "30/11/2027", name = "x" }]\nclosures = [',
         "calendar.extra_holidays (number 1).date: must be a date written YYYY-MM-DD, such as "
         "2026-12-29, not '30/11/2027'"),
        ("closures = [", 'extra_holidays = [{ date = "2027-13-01", name = "x" }]\nclosures = [',
         "calendar.extra_holidays (number 1).date: must be a date written YYYY-MM-DD"),
        ("start = 2026-12-29,", 'start = "29/12/2026",',
         "calendar.closures (number 1).start: must be a date written YYYY-MM-DD"),
        ('foi_regime = "foisa"', 'foi_regime = "foia"',
         "foi_regime: a Scottish council answers under 'foisa' (the Freedom of Information "
         '(Scotland) Act 2002); write foi_regime = "foisa" beside region = "scotland"'),
        ("[response.enquiry]\nnormal = 15", '[response.enquiry]\nnormal = "15 working days"',
         'response.enquiry.normal: must be a whole number of working days, such as 10, not '
         '"15 working days"'),
        ("[ack.enquiry]\ndays = 3", "[ack.enquiry]\ndays = 2.5",
         "ack.enquiry.days: must be a whole number of working days, such as 10, not 2.5"),
        ('[response.confidentiality]\nnormal = 15\nsource = "Protocol 9.3"\n', "",
         "response: no rule for confidentiality: add [response.confidentiality] with normal = "
         'the working days and source = the paragraph (or "local default", with 10)'),
        # Holidays as a list of bare dates, and one closure as a table, not a list: they
        # said "a valid dictionary or instance of ExtraHolidayRule (got datetime.date(...))".
        ("closures = [", "extra_holidays = [2027-05-10, 2027-05-24]\nclosures = [",
         "calendar.extra_holidays (number 1): must be a table { date = ..., name = ..., "
         'regions = ... }, such as { date = 2027-05-10, name = "State funeral" }, not 2027-05-10'),
        ('closures = [{ start = 2026-12-29, end = 2026-12-31, name = "Festive closure" }]',
         '[calendar.closures]\nstart = 2026-12-29\nend = 2026-12-31\nname = "Festive closure"',
         "calendar.closures: must be a list, written [ ... ], not { start = 2026-12-29, end = "
         '2026-12-31, name = "Festive closure" } (for one, write closures = [{ ... }], or '
         "[[calendar.closures]] in place of [calendar.closures])"),
    ],
)
def test_an_administrators_mistake_is_one_line_naming_the_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _with(tmp_path, old, new)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: "), text
    assert message in text, text
    assert "\n" not in text


def test_an_acknowledgement_of_0_days_is_due_the_day_it_arrives(tmp_path: Path) -> None:
    # Unlike a response time, 0 is meant: "acknowledged the same working day".
    path = _with(tmp_path, "[ack.enquiry]\ndays = 3", "[ack.enquiry]\ndays = 0")
    got = case_deadlines(load_policy(path), E, Priority.NORMAL, utc(2026, 11, 28, 10))
    assert got.ack_due == date(2026, 12, 1)  # Saturday: the next working day, after 30 Nov


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"response": {"enquiry": {"normall": 10}}},
         "policy.response.enquiry.normall: unknown key (did you mean 'normal'?)"),
        ({"calendar": {"closures": [{"start": "24/12/2026", "name": "Festive"}]}},
         "policy.calendar.closures (number 1).start: must be a date written YYYY-MM-DD"),
        ({"ack": {"complaint": {"by": "officer", "days": 0, "source": "x"}},
          "response": {"complaint": {"normal": 0}}},
         "policy.response.complaint.normal: must be at least 1 working day"),
    ],
)
def test_a_mistake_in_the_council_configs_overrides_is_named_by_its_key_there(
    overrides: dict[str, object], message: str
) -> None:
    # It named the pack's key ("response.enquiry.normall"), and the administrator looked
    # for it in the pack, where it is not.
    with pytest.raises(PolicyError) as caught:
        load_policy(SCOTTISH, overrides=overrides)
    assert message in str(caught.value)


def test_a_mistake_in_the_pack_under_overrides_is_still_the_packs_key(tmp_path: Path) -> None:
    path = _with(tmp_path, "[ack.enquiry]\ndays = 3", "[ack.enquiry]\ndayz = 3")
    with pytest.raises(PolicyError) as caught:
        load_policy(path, overrides={"response": {"enquiry": {"normal": 10}}})
    assert ": ack.enquiry.dayz: unknown key (did you mean 'days'?)" in str(caught.value)


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("policies/strathmore", " (did you mean {tmp}/policies/strathmore.toml?)"),
        ("policies/Strathmore.toml", " (did you mean {tmp}/policies/strathmore.toml?)"),
        ("policies/strathmor.toml", " ({tmp}/policies holds strathmore.toml)"),
        ("policy/strathmore.toml", " (there is no folder {tmp}/policy)"),
    ],
)
def test_a_pack_path_not_found_says_what_was_probably_meant(
    tmp_path: Path, written: str, hint: str
) -> None:
    # It said only "policy file not found", or called the council's own pack "shipped".
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "strathmore.toml").write_text(SCOTTISH.read_text())
    with pytest.raises(PolicyError) as caught:
        load_policy(written, base_dir=tmp_path, packs_dir=tmp_path / "elsewhere")
    assert str(caught.value) == (
        f"{tmp_path / written}: policy file not found{hint.format(tmp=tmp_path)}"
    )


@pytest.mark.parametrize(
    ("written", "where"),
    [
        ('region = "scotland"', "[policy]"),
        ('foi_regime = "foisa"', "[policy]"),
        ('cutoff = "17:00"', "[policy.clock]"),
        ("closures = []", "[policy.calendar]"),
    ],
)
def test_a_pack_key_written_under_council_says_where_it_belongs(
    tmp_path: Path, written: str, where: str
) -> None:
    # A Scottish council writes its region under [council]; it was told to check the
    # spelling, which was right.
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[council]\nname = "Strathmore and Glen Council"\n{written}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    key = written.split(" ")[0]
    assert caught.value.lines() == [
        f"{config.resolve()}: council.{key}: unknown key; it is a policy pack setting: put it "
        f"under {where}"
    ]


def test_a_local_holiday_is_a_closure_which_never_moves_the_statutory_foi_date() -> None:
    # docs/deadlines.md: a Scottish council's local holiday (Victoria Day, Mon 24 May 2027)
    # is a closure. Thu 20 May 2027: FOISA's 20 working days skip Spring bank holiday
    # (31 May) and end Fri 18 Jun; the protocol's 15 end Fri 11 Jun, Mon 14 Jun with the
    # closure. Written as an extra holiday, it would also make the FOI date Mon 21 Jun.
    received = utc(2027, 5, 20, 10)
    local_day = {"start": "2027-05-24", "name": "Victoria Day (local holiday)"}
    plain = load_policy(SCOTTISH)
    closed = load_policy(SCOTTISH, overrides={"calendar": {"closures": [local_day]}})
    as_holiday = load_policy(SCOTTISH, overrides={"calendar": {"extra_holidays": [
        {"date": "2027-05-24", "name": "Victoria Day (local holiday)"}]}})

    def dates(policy: Policy) -> tuple[date | None, date | None]:
        enquiry = case_deadlines(policy, E, Priority.NORMAL, received)
        foi = case_deadlines(policy, FOI, Priority.NORMAL, received)
        return enquiry.response_due, foi.response_due

    assert dates(plain) == (date(2027, 6, 11), date(2027, 6, 18))
    assert dates(closed) == (date(2027, 6, 14), date(2027, 6, 18))
    assert dates(as_holiday) == (date(2027, 6, 14), date(2027, 6, 21))
