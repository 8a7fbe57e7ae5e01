"""A council whose protocol allows no extensions ([policy.clock] extension_by_agreement =
false: EXTEND on an enquiry is refused, 'Wiltshire Council's protocol does not allow
extensions.') sent its officers a daily summary ("Your cases to answer") that said of
every ordinary enquiry 'DONE or REASSIGN (an FOI date is set by law: no EXTEND)' (the
HTML part '(FOI: no EXTEND)'): the wrong reason, about a kind of case it was not. And
once the member had been told the case was late, it told the officer to send the reason
and a new date with EXTEND, which the same council refuses. The summary now gives the
protocol as the reason and asks for the reason and the date without EXTEND (English and
Welsh, text and HTML)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # 10 working days: due Mon 16 Nov 2026
NO_EXTENSIONS = "[policy.clock]\nextension_by_agreement = false\n"


def _summaries(home: Path, policy: str, name: str, member: tuple[str, str, str]) -> tuple[
    list[EmailMessage], list[EmailMessage]
]:
    """Four enquiries for Sam (more than the three reminders a day sent singly), swept each
    morning from Thu 12 to Tue 24 Nov 2026: Sam's summaries up to the due date and after."""
    domain = f"{policy}.gov.uk"
    sam = f"sam@{domain}"
    summaries: list[tuple[date, EmailMessage]] = []
    with Council(
        home, name=name, policy=policy, mailbox=f"memberenquiries@{domain}",
        members=[(member[0], member[1], "Castle", member[2])],
        officers=[("Sam Patel", sam, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{sam}"\n[digest]\nenabled = false\n'
        + NO_EXTENSIONS,
    ) as place:
        for n in range(1, 5):
            place.deliver(place.mail(
                f"{member[0]} <{member[1]}>", f"Blocked drain on Mill Road ({n})",
                f"The drain outside {n} Mill Road is blocked again; please send someone.",
                date=RECEIVED), RECEIVED)
        place.left()
        day = date(2026, 11, 12)
        while day <= date(2026, 11, 24):
            now = datetime(day.year, day.month, day.day, 9, 5, tzinfo=UTC)
            jobs.send_reminders(place.app, now)
            summaries += [(day, m) for m in place.flush(now) if m["To"] == sam
                          and "Your cases to answer" in str(m["Subject"])]
            day += timedelta(days=1)
    before = [m for day, m in summaries if day <= date(2026, 11, 16)]
    after = [m for day, m in summaries if day > date(2026, 11, 16)]
    assert before and after
    return before, after


def _words(mail: EmailMessage, part: str) -> str:
    return " ".join(body_text(mail, part).split())


def _say_no_extend(
    before: list[EmailMessage], after: list[EmailMessage], *, absent: tuple[str, ...],
    lines: tuple[str, ...], told_mark: str, told_absent: tuple[str, ...], told: str,
) -> None:
    """Every summary, both parts, says none of `absent` and each of `lines` once a case
    (four); the parts of those after the date that say `told_mark` (there are some) say
    none of `told_absent` and `told` once a case."""
    for message in before + after:
        for part in ("plain", "html"):
            text = _words(message, part)
            for word in absent:
                assert word not in text, text
            for line in lines:
                assert text.count(line) == 4, text
    told_parts = [_words(m, part) for m in after for part in ("plain", "html")
                  if told_mark in _words(m, part)]
    assert told_parts
    for text in told_parts:
        for word in told_absent:
            assert word not in text
        assert text.count(told) == 4, text


def test_the_summary_gives_the_protocol_as_the_reason_for_no_extend(tmp_path: Path) -> None:
    before, after = _summaries(tmp_path, "wiltshire", "Wiltshire Council",
                               ("Cllr Jo Bloggs", "jo@wiltshire.gov.uk", "en"))
    _say_no_extend(
        before, after, absent=("set by law", "FOI"),
        lines=("DONE or REASSIGN (Wiltshire Council's protocol does not allow extensions: no "
               "EXTEND)",),
        told_mark="has been told the date has passed",
        told_absent=("with EXTEND", 'EXTEND n "reason"'),
        told=("Cllr Jo Bloggs has been told the date has passed; send them the reason and when "
              "they will have it."))


def test_a_welsh_summary_says_so_in_welsh(tmp_path: Path) -> None:
    before, after = _summaries(tmp_path, "cardiff", "Cyngor Caerdydd",
                               ("Cllr Siân Evans", "sian@cardiff.gov.uk", "cy"))
    _say_no_extend(
        before, after, absent=("mae'r gyfraith yn gosod", "rhyddid gwybodaeth"),
        lines=("DONE neu REASSIGN (nid yw protocol Cyngor Caerdydd yn caniatáu estyniadau: dim "
               "EXTEND)",
               "DONE or REASSIGN (Cyngor Caerdydd's protocol does not allow extensions: no "
               "EXTEND)"),
        told_mark="fod y dyddiad wedi mynd heibio",
        told_absent=("gydag EXTEND", "with EXTEND"),
        told=("Dywedwyd wrth Cllr Siân Evans fod y dyddiad wedi mynd heibio; anfonwch y rheswm "
              "atynt a phryd y cânt ateb."))
