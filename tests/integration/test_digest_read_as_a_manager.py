"""The weekly digest read as a manager reads it, after a realistic month: enquiries (one
overdue, one answered late, one answered on time, one paused, one due this week), an FOI
request its team extended, a complaint and a confidential case (overdue), with the
highways officers' manager, Dana Reed, and the chief executive as its readers. Each case
goes in as a member's mail and each command as an officer's reply; the job runs on
Monday 30 November 2026 at 08:00 and the outbox is flushed; what is read is the mail as
it left, text and HTML, under Wiltshire's pack (English) and Cardiff's (Welsh and English).

What a manager could not tell before: that "Open: 6" was the overdue, due-this-week and
paused cases (4) and two due later, said nowhere; that the text table's "Due" and
"Answered" columns meant due this week and answered last week (the HTML says so); and a
Welsh reader met "ar dydd Llun" where Welsh mutates the day after "ar"; and what to do
about a case due this week was said nowhere, though overdue and paused cases had it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SECRET = ("Mrs Smith", "Elm Road", "care package")


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


class Week:
    """The council under `policy`, its month of cases, and the digests that left."""

    def __init__(self, home: Path, policy: str,
                 recipients: tuple[str, ...] = ("chief.executive",)) -> None:
        """`recipients`: the local parts of `[digest] recipients` (the chief executive)."""
        d = f"{policy}.gov.uk"
        readers = ", ".join(f'"{local}@{d}"' for local in recipients)
        self.sam, self.foi, self.complaints = f"sam.patel@{d}", f"foi@{d}", f"complaints@{d}"
        self.dana, self.chief = f"dana.reed@{d}", f"chief.executive@{d}"
        self.jo, self.sian = f"jo.bloggs@{d}", f"sian.evans@{d}"
        self.council = Council(
            home, mailbox=f"memberenquiries@{d}", policy=policy,
            name=f"{policy.title()} Council",
            members=[("Cllr Jo Bloggs", self.jo, "Castle", "en"),
                     ("Cllr Siân Evans", self.sian, "Tref", "cy")],
            officers=[("Sam Patel", self.sam, "Highways", self.dana, ""),
                      ("Dana Reed", self.dana, "Highways", "", ""),
                      ("FOI Team", self.foi, "Information governance", "", ""),
                      ("Complaints Team", self.complaints, "Customer services", "", "")],
            threshold=0.0, mail_headers=PLAIN_UTF8,
            config=(f'[routing]\ndefault_officer = "{self.sam}"\n'
                    f'[policy.routing]\nfoi_team = "{self.foi}"\n'
                    f'complaints = "{self.complaints}"\n'
                    f'[digest]\nrecipients = [{readers}]\n'),
        )

    def opened(self, member: str, subject: str, body: str, at: datetime,
               officer: str = "") -> EmailMessage | None:
        out = self.council.deliver(self.council.mail(member, subject, body, date=at), at)
        return next((m for m in out if m["To"] == (officer or self.sam)), None)

    def command(self, assignment: EmailMessage | None, officer: str, line: str,
                at: datetime) -> None:
        assert assignment is not None
        self.council.deliver(self.council.reply(assignment, officer, line, date=at), at)

    def month(self) -> dict[str, EmailMessage]:
        """The month's cases, then the digests as they left on Monday, by To."""
        self.cases()
        return {str(m["To"]): m for m in self.digests(MONDAY)}

    def digests(self, now: datetime) -> list[EmailMessage]:
        """The digest job run at `now`, and every digest that left then."""
        jobs.send_digests(self.council.app, now)
        return [m for m in self.council.flush(now)
                if str(m["Subject"]).startswith(("Weekly digest", "Crynodeb"))]

    def cases(self) -> None:
        """The month's cases, each through real mail, to Monday 30 November."""
        jo, sian, sam = self.jo, self.sian, self.sam
        self.opened(jo, "Pothole on Castle Road", "A deep pothole by no. 12.", _at(11, 2))
        late = self.opened(jo, "Street light out on Mill Lane", "The lamp is out.", _at(11, 3))
        self.command(late, sam, "DONE", _at(11, 24))  # due 17 Nov
        in_time = self.opened(sian, "Bin collection missed", "Missed on Tref Street.",
                              _at(11, 19))
        self.command(in_time, sam, "DONE", _at(11, 25))
        foi = self.opened(jo, "Freedom of Information request: road repair spend",
                          "Under the Freedom of Information Act 2000 please send the spend "
                          "on road repairs for 2025.", _at(11, 2), self.foi)
        self.command(foi, self.foi, 'EXTEND 10 "public interest test: s.43"', _at(11, 20))
        self.opened(jo, "Complaint about the handling of my report",
                    "I wish to make a formal complaint about how my report was handled.",
                    _at(11, 23), self.complaints)
        self.opened(jo, "CONFIDENTIAL: Mrs Smith at 4 Elm Road",
                    "Please keep this confidential: Mrs Smith's care package.", _at(11, 5))
        assert self.council.case().confidential
        paused = self.opened(sian, "Tree overhanging the footpath", "A tree on Heol Fawr.",
                             _at(11, 18))
        self.command(paused, sam, 'PAUSE "asked the member which tree"', _at(11, 19))
        self.opened(jo, "Graffiti on the bridge", "Graffiti on the river bridge.",
                    _at(11, 20))


def _read(mail: EmailMessage) -> tuple[str, str]:
    """The text part, and the HTML part's words line by line, as a reader sees them."""
    text = body_text(mail, "plain").replace("\r\n", "\n")
    markup = re.sub(r"<(br|/p|/tr|/h\d|/li|/div)[^>]*>", "\n", body_text(mail, "html"))
    words = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return text, "\n".join(" ".join(line.split()) for line in words.splitlines()
                           if line.strip())


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[dict[str, EmailMessage]]:
    week = Week(tmp_path / "wiltshire", "wiltshire")
    with week.council:
        yield {"chief": (sent := week.month())[week.chief], "dana": sent[week.dana]}


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[dict[str, EmailMessage]]:
    week = Week(tmp_path / "cardiff", "cardiff")
    with week.council:
        yield {"chief": (sent := week.month())[week.chief], "dana": sent[week.dana]}


def test_the_now_figures_add_up_to_the_open_cases(wiltshire: dict[str, EmailMessage]) -> None:
    # Open: the pothole, the FOI, the complaint, the confidential case, the tree, the
    # graffiti. Overdue 2 + due this week 1 + paused 1 + due after this week 2 = 6.
    text, words = _read(wiltshire["chief"])
    assert "  Open:                 6 (of which 1 confidential)\n" in text
    assert "  Overdue:              2\n" in text
    assert "  Due this week:        1\n" in text
    assert "  Paused:               1\n" in text
    assert "  Due after this week:  2\n" in text
    assert "\nDue after this week 2\n" in words
    # Dana's team (Sam and herself): the pothole, the tree and the graffiti, none later.
    text, words = _read(wiltshire["dana"])
    assert "  Open:                 3\n" in text and "  Due after this week:  0\n" in text
    assert "\nDue after this week 0\n" in words


def test_the_text_table_says_which_week_its_columns_count(
    wiltshire: dict[str, EmailMessage],
) -> None:
    text, _ = _read(wiltshire["chief"])
    assert ("By service and officer          Open  Due  Overdue  Answered  On time\n"
            "  (Due: due this week. Answered, On time: answered last week.)\n") in text
    assert re.search(r"\n  Sam Patel +3 +1 +1 +2 +50%\n", text)


def test_a_welsh_readers_digest_says_the_same_in_welsh(cardiff: dict[str, EmailMessage]) -> None:
    for reader in ("chief", "dana"):
        text, words = _read(cardiff[reader])
        for part in (text, words):
            assert "Ers i mailbot ddechrau ar ddydd Llun 2 Tachwedd 2026" in part
            assert "ar dydd" not in part
        assert "Due after this week / I'w hateb ar ôl yr wythnos hon: " in text
        assert "\nDue after this week / I'w hateb ar ôl yr wythnos hon " in words
        assert ("Answered, On time: last week.\n"
                "Atebwyd, Mewn pryd: yr wythnos diwethaf.\n") in text


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_the_confidential_case_is_listed_by_reference_only(tmp_path: Path, policy: str) -> None:
    week = Week(tmp_path, policy)
    with week.council:
        sent = week.month()
        ref = next(c.ref for c in [week.council.case(f"MB-2026-0000{n}") for n in range(1, 9)]
                   if c.confidential)
        for mail in sent.values():
            text, words = _read(mail)
            for part in (str(mail["Subject"]), text, words):
                assert not any(secret in part for secret in SECRET)
        # The whole council's digest lists it (overdue); Dana's team does not hold it.
        text, _ = _read(sent[week.chief])
        assert re.search(rf"\n  {ref} .*: (confidential|confidential / cyfrinachol)\n", text)


TODO_THIS_WEEK = (
    "What to do: nothing unless it will not be answered by its date: then ask its officer to "
    "agree more time with the member before it is late (EXTEND) or to pass it on (REASSIGN).")


def test_the_due_this_week_list_says_what_to_do(wiltshire: dict[str, EmailMessage]) -> None:
    """Overdue and paused cases came with what to do; cases due this week with nothing,
    though a case that will not be answered by its date wants more time agreed (EXTEND)
    before it is late, not after."""
    text, words = _read(wiltshire["dana"])
    assert f"Due this week (1)\n  {TODO_THIS_WEEK}\n  MB-2026-00008  due Fri 4 Dec" in text
    assert f"Due this week (1)\n{TODO_THIS_WEEK}\n" in words


def test_the_due_this_week_list_says_what_to_do_in_welsh(
    cardiff: dict[str, EmailMessage],
) -> None:
    todo_cy = ("Beth i'w wneud: dim oni bai na chaiff ei ateb erbyn ei ddyddiad: yna "
               "gofynnwch i'w swyddog gytuno ar ragor o amser gyda'r aelod cyn iddo fod yn "
               "hwyr (EXTEND) neu ei drosglwyddo (REASSIGN).")
    text, words = _read(cardiff["dana"])
    assert f"  {TODO_THIS_WEEK}\n  {todo_cy}\n  MB-2026-00008" in text
    assert f"{TODO_THIS_WEEK}\n{todo_cy}\n" in words


def test_a_manager_is_told_who_may_act_in_a_whole_sentence(
    wiltshire: dict[str, EmailMessage],
) -> None:
    """"The officer's manager or deputy and the administrators may." left a manager to
    guess may what; the Welsh beside it said "can do this"."""
    text, words = _read(wiltshire["dana"])
    said = "one case a reply. The officer's manager or deputy and the administrators may do this."
    assert said in " ".join(text.split())
    assert said in " ".join(words.split())
