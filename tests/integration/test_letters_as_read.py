"""The mail mailbot writes, read as the people who get it: on a phone (what the subject and
the first lines say), with a screen reader (the HTML's language and structure) and in
Welsh. Every assertion is on the MIME in the outbox rows, parsed with the email package."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, eml, parse_sent, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Siân Evans", SIAN, "Llandaf", "cy")]
OFFICERS = [("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "Highways", "", "")]
# Monday 14 December 2026: ten working days on is Wednesday 30 December, past Christmas
# Day and the Boxing Day holiday (Monday 28th).
RECEIVED = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
# A header folded before its value ("In-Reply-To: " alone, the ID on the next line).
EMPTY_HEADER_LINE = re.compile(rb"(?m)^[!-9;-~]+: *\r?$")


def _council(home: Path, policy: str) -> Council:
    return Council(
        home, policy=policy, mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
        threshold=0.0, config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=(*PLAIN_UTF8, "Content-Transfer-Encoding: 8bit"), encoded_subjects=True,
    )


@pytest.fixture(params=["wiltshire", "cardiff"])
def council(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / request.param, request.param) as made:
        yield made


def outbox(council: Council) -> list[tuple[str, EmailMessage]]:
    """Every mail in the outbox, oldest first: (purpose, the MIME parsed)."""
    return [(row.purpose, parse_sent(row.mime)) for row in rows(council.app, OutboxRow)]


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _live_month(council: Council, sender: str, subject: str) -> None:
    """The member writes on RECEIVED; then a month of reminder and digest ticks."""
    council.deliver(council.mail(sender, subject, "Please can someone look at this.",
                                 date=RECEIVED - timedelta(hours=1)), RECEIVED)
    for day in range(32):
        for hour in (8, 9):
            now = RECEIVED.replace(hour=hour) + timedelta(days=day)
            jobs.send_reminders(council.app, now)
            jobs.send_digests(council.app, now)
            council.flush(now)


@pytest.mark.parametrize("member", ["jo", "sian"])
def test_a_reminders_subject_gives_the_date_the_body_gives_in_words(
    council: Council, member: str
) -> None:
    # 09/12/2026 in a subject under "Wednesday 9 December 2026" in the body: read as 12
    # September by anyone whose phone or screen reader reads dates the American way, and
    # not the same words as the letter. Every subject now gives the date as the body does,
    # in Welsh and English where the mail is bilingual.
    sender = {"jo": f"Cllr Jo Bloggs <{JO}>", "sian": f"Cllr Siân Evans <{SIAN}>"}[member]
    _live_month(council, sender, "Pothole on Castle Road")
    sent = outbox(council)
    reminders = [m for purpose, m in sent if purpose == "reminder"]
    assert len(reminders) == 2  # before, and on the day
    bilingual = council.app.policy.language == "cy-en"
    for reminder in reminders:
        subject, text = str(reminder["Subject"]), _text(reminder)
        assert "Wednesday 30 December 2026" in subject
        assert "Wednesday 30 December 2026" in text
        if bilingual:
            assert "dydd Mercher 30 Rhagfyr 2026" in subject
            assert "dydd Mercher 30 Rhagfyr 2026" in text
            welsh_first = member == "sian"
            assert (subject.index("Rhagfyr") < subject.index("December")) is welsh_first
    for purpose, message in sent:
        assert not NUMERIC_DATE.search(str(message["Subject"])), (purpose, message["Subject"])
    digests = [m for purpose, m in sent if purpose == "digest"]
    assert digests and all("week of Monday" in str(d["Subject"]) for d in digests)


class _Html(HTMLParser):
    """What a screen reader gets from an HTML part: its language, its headings in order, the
    tables with no header cell (read as layout, cell by cell), images, and the words."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[tuple[str, str]] = []
        self.tables_without_headers = 0
        self.images = 0
        self.words: list[str] = []
        self._heading: str | None = None
        self._table_headers: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = tag
            self.headings.append((tag, ""))
        elif tag == "table":
            self._table_headers.append(0)
        elif tag == "th" and self._table_headers:
            self._table_headers[-1] += 1
        elif tag == "img":
            self.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None
        elif tag == "table" and self._table_headers and self._table_headers.pop() == 0:
            self.tables_without_headers += 1

    def handle_data(self, data: str) -> None:
        if self._heading:
            level, text = self.headings[-1]
            self.headings[-1] = (level, (text + data).strip())
        self.words.extend(data.split())


def _read_html(message: EmailMessage) -> _Html:
    reader = _Html()
    reader.feed(body_text(message, "html"))
    return reader


def _phone_screen(text: str, lines: int = 22, width: int = 40) -> str:
    """The start of a text part as a phone shows it without scrolling: 22 lines of 40
    characters, long lines wrapped."""
    wrapped = [row for line in text.splitlines() for row in (textwrap.wrap(line, width) or [""])]
    return " ".join(" ".join(wrapped[:lines]).split())  # words, however they wrapped


@pytest.mark.parametrize("member", ["jo", "sian"])
def test_an_officers_reminder_says_what_for_whom_by_when_and_how_to_answer_on_one_screen(
    council: Council, member: str
) -> None:
    # The command words came after the case facts, the reply-from-Outlook paragraph and the
    # EXTEND explanation: some 30 phone lines down, where an officer reading on the way in
    # never got to them. The HTML part had no headings for a screen reader to move by.
    sender = {"jo": f"Cllr Jo Bloggs <{JO}>", "sian": f"Cllr Siân Evans <{SIAN}>"}[member]
    name = sender.split(" <")[0]
    _live_month(council, sender, "Pothole on Castle Road")
    letters = [m for purpose, m in outbox(council) if purpose in ("reminder", "overdue")]
    assert len(letters) >= 3
    bilingual = council.app.policy.language == "cy-en"
    welsh_first = bilingual and member == "sian"
    for letter in letters:
        screen = _phone_screen(_text(letter))
        for word in ("DONE", "EXTEND", "REASSIGN", "MB-2026-00001", name):
            assert word in screen, (word, letter["Subject"], screen)
        due = "dydd Mercher 30 Rhagfyr 2026" if welsh_first else "Wednesday 30 December 2026"
        assert due in screen
        html = _read_html(letter)
        assert html.lang == ("cy" if welsh_first else "en-GB")
        assert ("h2", "Sut i ateb" if welsh_first else "How to answer") == html.headings[0]
        if bilingual:
            assert {"How to answer", "Sut i ateb"} <= {text for _, text in html.headings}
        assert html.tables_without_headers == 0 and html.images == 0
        # The HTML says what the text says: the same reference, date, member and commands.
        words = " ".join(html.words)
        for fact in ("MB-2026-00001", "Wednesday 30 December 2026", name, "DONE", "REASSIGN",
                     'EXTEND 5 "reason"', "PAUSE"):
            assert fact in words and fact in _text(letter), fact


LONG_NAME = "Councillor Bartholomew Alexander Fitzwilliam-Montgomery-Smythe OBE"
BART = "bart@council.gov.uk"
PRIVATE = "Please keep this private: a tenant's mental health and rent arrears"
TO_MEMBERS = {JO, SIAN, BART}


def test_staff_mail_leaks_no_confidential_subject_and_names_an_empty_one(tmp_path: Path) -> None:
    # A member's mail with no subject was listed in the managers' digest as "Enquiry: " and
    # nothing more; a confidential case's words must reach no officer or manager at all.
    with Council(
        tmp_path / "wiltshire", mailbox=MAILBOX, members=[*MEMBERS, (LONG_NAME, BART, "St "
        "Mary's and Holy Trinity with Lower Wickham", "en")], officers=OFFICERS, threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as council:
        council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", f"CONFIDENTIAL: {PRIVATE}",
                                     "Please keep this between us.", date=RECEIVED), RECEIVED)
        _live_month(council, f"{LONG_NAME} <{BART}>", "")
        rows_out = rows(council.app, OutboxRow)
        staff = [parse_sent(r.mime) for r in rows_out if r.recipients not in TO_MEMBERS]
        assert {"assignment", "reminder", "overdue", "escalation", "digest"} <= {
            r.purpose for r in rows_out
        }
        for message in staff:
            for part in (str(message["Subject"]), _text(message), body_text(message, "html")):
                assert "tenant" not in part and "arrears" not in part, message["Subject"]
        digests = [m for m in staff if m["To"] == DANA and "digest" in str(m["Subject"])]
        overdue = [d for d in digests if "0 overdue" not in str(d["Subject"])]
        assert overdue
        for digest in overdue:
            assert "Enquiry: (no subject)" in _text(digest)
            assert "(no subject)" in body_text(digest, "html")
            assert not [line for line in _text(digest).splitlines() if line.endswith(": ")]
        # The long name folds onto continuation lines and reads back whole.
        for row in rows_out:
            lines = row.mime.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            assert not EMPTY_HEADER_LINE.search(b"\n".join(lines))
            assert max(len(line) for line in lines if not line.startswith(b"Message-ID")) <= 78
            message = parse_sent(row.mime)
            assert not message.defects
            if row.purpose == "assignment" and row.recipients == SAM and "Bartholomew" in str(
                message["Subject"]
            ):
                assert str(message["Subject"]) == (
                    f"Enquiry from {LONG_NAME}: (no subject) [MB-2026-00002]"
                )


def test_an_ack_threads_on_the_members_own_message_id_and_never_on_one_mailbot_made_up(
    tmp_path: Path,
) -> None:
    # Mail with no Message-ID (or an over-long one) is keyed in the ledger under an ID
    # mailbot makes up (<hash@mailbot.invalid>), and the acknowledgement went out "In-Reply-To"
    # that key: a message the member never had, which no client can thread on.
    with Council(
        tmp_path / "wiltshire", mailbox="memberenquiries@wiltshire.gov.uk",
        members=[("Cllr Jo Bloggs", "jo.bloggs@wiltshire.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", "", "")],
        threshold=0.0, config='[routing]\ndefault_officer = "sam.patel@wiltshire.gov.uk"\n',
    ) as council:
        no_id = eml("no_message_id.eml")
        long_id = b"<" + b"x" * 200 + b"@mail.example>"
        council.deliver(no_id)
        council.deliver(no_id.replace(b"Subject: Overgrown", b"Message-ID: " + long_id +
                                      b"\r\nSubject: Long-id overgrown").replace(b"The hedge",
                                                                               b"A hedge"))
        council.deliver(eml("member_enquiry.eml"))
        council.deliver(eml("member_followup.eml"))
        sent = [(row.purpose, row.mime) for row in rows(council.app, OutboxRow)]
        acks = [parse_sent(mime) for purpose, mime in sent if purpose == "ack"]
        assert len(acks) == 3  # the follow-up joins the enquiry's case
        for _, mime in sent:
            head = mime.split(b"\r\n\r\n", 1)[0]
            assert b"mailbot.invalid" not in head and not EMPTY_HEADER_LINE.search(head)
        no_thread, long_thread, threaded = acks
        assert no_thread["In-Reply-To"] is None and no_thread["References"] is None
        assert long_thread["In-Reply-To"] is None
        first = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
        assert threaded["In-Reply-To"] == first and threaded["References"] == first
        assert threaded["Message-ID"] != first and threaded["Date"] is not None
        assert threaded["Auto-Submitted"] == "auto-replied"


class _Languages(HTMLParser):
    """The words of an HTML part by the language a screen reader would speak them in: the
    nearest lang attribute above them."""

    VOID = frozenset({"br", "hr", "img", "meta", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self._stack: list[str] = []
        self.spoken: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            lang = dict(attrs).get("lang")
            self._stack.append(lang or (self._stack[-1] if self._stack else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            lang = self._stack[-1] if self._stack else ""
            self.spoken.setdefault(lang, []).append(" ".join(data.split()))


def _spoken(message: EmailMessage) -> dict[str, str]:
    reader = _Languages()
    reader.feed(body_text(message, "html"))
    return {lang: " ".join(parts) for lang, parts in reader.spoken.items()}


def test_a_welsh_first_acknowledgement_is_spoken_in_the_right_language_throughout(
    council: Council,
) -> None:
    # In a Welsh-first mail (html lang="cy") the "English below" note and the English
    # footer carried no lang of their own, so a screen reader read them in a Welsh voice.
    council.deliver(council.mail(f"Cllr Siân Evans <{SIAN}>", "Twll yn y ffordd / Pothole",
                                 "Mae twll mawr yn y ffordd ger yr ysgol. Diolch.",
                                 date=RECEIVED - timedelta(hours=1)), RECEIVED)
    [ack] = [m for purpose, m in outbox(council) if purpose == "ack"]
    text = _text(ack)
    assert text.index("Annwyl") < text.index("Dear")  # Welsh first, then English
    assert _read_html(ack).lang == "cy"
    spoken = _spoken(ack)
    assert set(spoken) == {"cy", "en-GB"}
    assert "English below" in spoken["en-GB"] and "English below" not in spoken["cy"]
    assert "Please keep the reference" in spoken["en-GB"]
    assert "Cadwch y cyfeirnod" in spoken["cy"]
    for english in ("Dear", "Thank you", "will respond by", "Please"):
        assert english not in spoken["cy"], english
    for welsh in ("Annwyl", "Diolch am eich", "erbyn"):
        assert welsh not in spoken["en-GB"], welsh
    # The member's letter, in both: the reference, the date, who is dealing and how to reach them.
    screen = _phone_screen(text)
    for fact in ("MB-2026-00001", "dydd Mercher 30 Rhagfyr 2026", "Sam Patel", SAM):
        assert fact in screen, fact
    for fact in ("MB-2026-00001", "Wednesday 30 December 2026", "Sam Patel", SAM):
        assert fact in text and fact in spoken["en-GB"], fact


@pytest.mark.parametrize(
    ("sender", "first", "second"),
    [(f"Cllr Jo Bloggs <{JO}>", "Enquiry", "Ymholiad"),
     (f"Cllr Siân Evans <{SIAN}>", "Ymholiad", "Enquiry")],
)
def test_a_bilingual_councils_assignment_subject_is_in_the_order_of_its_body(
    tmp_path: Path, sender: str, first: str, second: str
) -> None:
    # Cardiff's assignments were titled "Ymholiad / Enquiry" whatever the member's language,
    # over a body (and reminders after it) in English first for a member who had not
    # chosen Welsh.
    with _council(tmp_path / "cardiff", "cardiff") as council:
        council.deliver(council.mail(sender, "Pothole on Castle Road", "Please look at it.",
                                     date=RECEIVED - timedelta(hours=1)), RECEIVED)
        [assignment] = [m for purpose, m in outbox(council) if purpose == "assignment"]
        subject, text = str(assignment["Subject"]), _text(assignment)
        assert subject.startswith(f"{first} / {second} from ")
        welsh_first = first == "Ymholiad"
        assert text.startswith("(English below)" if welsh_first else "(Cymraeg isod)")
