"""Shared test helpers: a real app on SQLite with the in-memory mailbox, and ways to look
at what left the system. Plain functions (no pytest magic) so any test module can import
them; the fixtures that wrap them live in tests/unit/conftest.py and
tests/integration/conftest.py.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import email
import email.parser
import email.policy
import json
import mailbox
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import select

from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.classify import Classifier, rules_classifier
from mailbot.jobs import flush_outbox, poll, send_digests
from mailbot.parse import ParseFailure, parse_message
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]

SHARED_MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = ("Cllr Jo Bloggs", "jo.bloggs@wiltshire.gov.uk", "Castle", "en")
RHIAN = ("Cllr Rhian Evans", "rhian.evans@wiltshire.gov.uk", "Tref", "cy")
SAM = ("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", "", "")
# The test messages are dated Wednesday 25 November 2026, 09:14 UTC; we read them at noon.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

# Every header the acknowledgement may carry: anything else in what we send is an injection.
OUTGOING_HEADERS = {
    "from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references",
    "auto-submitted", "x-auto-response-suppress", "precedence", "x-mailbot-loop",
    "mime-version", "content-type",
}

_classifier: Classifier | None = None
T = TypeVar("T")
AppFactory = Callable[..., "tuple[App, MemoryServer]"]


def shared_rules_classifier() -> Classifier:
    """One rules classifier per test session: building the spaCy pipeline costs ~0.5 s."""
    global _classifier
    if _classifier is None:
        _classifier = rules_classifier()
    return _classifier


def eml(name: str) -> bytes:
    """The bytes of tests/data/<name>, exactly as written."""
    return (DATA / name).read_bytes()


def never_answered(app_factory: AppFactory, raw: bytes, automatic: str) -> None:
    """A robot's mail, with strangers acknowledged too (so only the loop guard can stop
    the reply): recorded as `automatic` mail of that kind, no case, nothing sent."""
    app, server = app_factory(acknowledge_unknown_senders=True)
    server.deliver(raw)
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("automatic", automatic), row.reason
    assert rows(app, CaseRow) == []
    assert [r for r in rows(app, OutboxRow) if r.purpose == "ack"] == []
    assert server.outgoing == []


def shared_dir() -> Path | None:
    """../shared (or $MAILBOT_SHARED), where the corpus and seeds live; None if absent."""
    configured = os.environ.get("MAILBOT_SHARED")
    path = Path(configured) if configured else REPO.parent / "shared"
    return path if path.is_dir() else None


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def make_app(
    tmp_path: Path,
    *,
    members: Iterable[Sequence[str]] = (JO, RHIAN),
    officers: Iterable[Sequence[str]] = (SAM,),
    policy: str = "wiltshire",
    max_per_recipient: int | None = None,
    window_hours: float | None = None,
    acknowledge_unknown_senders: bool = False,
    server: MemoryServer | None = None,
    database_url: str | None = None,
) -> tuple[App, MemoryServer]:
    """A real app (config file, CSV directory, SQLite with migrations, or the database at
    `database_url`) on a memory mailbox."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_csv(tmp_path / "members.csv", ("name", "email", "ward", "language"),
              [(*m, "", "", "")[:4] for m in members])
    write_csv(tmp_path / "officers.csv",
              ("name", "email", "service", "manager_email", "deputy_email"),
              [(*o, "", "", "", "")[:5] for o in officers])
    lines = [
        "[council]",
        f"name = {_toml_str('Wiltshire Council')}",
        f"policy = {_toml_str(policy)}",
        "[mailbox]",
        f"address = {_toml_str(SHARED_MAILBOX)}",
        "[directory]",
        'members = "members.csv"',
        'officers = "officers.csv"',
        f"acknowledge_unknown_senders = {str(acknowledge_unknown_senders).lower()}",
        "[classifier]",
        "train_if_missing = false",
        # These apps use the rules-only classifier, whose confidence for a plain enquiry is
        # 0.5; the product's 0.6 default is set for the trained model (tested elsewhere).
        "threshold = 0.5",
        "[loops]",
    ]
    if max_per_recipient is not None:
        lines.append(f"max_per_recipient = {max_per_recipient}")
    if window_hours is not None:
        lines.append(f"window_hours = {window_hours}")
    if database_url is not None:
        lines += ["[database]", f"url = {_toml_str(database_url)}"]
    config = tmp_path / "mailbot.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    server = server if server is not None else MemoryServer()
    app = build_app(load_settings(config), backend=MemoryMailbox(server),
                    classifier=shared_rules_classifier())
    return app, server


def run(app: App, now: datetime = NOW) -> tuple[Any, Any]:
    """One poll and one outbox flush, as the daemon's jobs would do them."""
    return poll(app, now), flush_outbox(app, now)


def rows(app: App, table: type[T], *where: Any) -> list[T]:
    with app.store.transaction() as session:
        statement = select(table)
        if where:
            statement = statement.where(*where)
        return list(session.scalars(statement.order_by(table.id)).all())  # type: ignore[attr-defined]


def relabelled_without_its_flag(app: App, case_id: int) -> CaseRow:
    """The case as a relabel made before the relabel set the flag left it: a
    confidentiality request with confidential false in the database."""
    with app.store.transaction() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        case.kind, case.confidential = "confidentiality", False
    return case


def queued_digests(place: Council, now: datetime) -> dict[str, EmailMessage]:
    """The digest job run at `now`; then every digest in the outbox, by its To."""
    send_digests(place.app, now)
    return {str(mail["To"]): mail for mail in (
        parse_sent(row.mime) for row in rows(place.app, OutboxRow, OutboxRow.purpose == "digest"))}


def parse_sent(mime: bytes) -> EmailMessage:
    message = email.message_from_bytes(mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def sent(server: MemoryServer) -> list[tuple[tuple[str, ...], EmailMessage]]:
    """Everything that left through the mailbox: (envelope recipients, parsed message)."""
    return [(recipients, parse_sent(mime)) for recipients, mime in server.outgoing]


def sent_to(server: MemoryServer, address: str) -> list[tuple[EmailMessage, bytes]]:
    """Mail that left addressed to exactly this one person: (parsed, wire bytes)."""
    return [(parse_sent(mime), mime) for recipients, mime in server.outgoing
            if recipients == (address,)]


def all_recipients(server: MemoryServer) -> set[str]:
    return {r for recipients, _ in server.outgoing for r in recipients}


# Addresses in the test messages that must never receive anything from us: strangers,
# the Welsh out-of-office sender, and addresses smuggled into names and subjects.
NEVER_MAILED = {
    "pat.stranger@example.net", RHIAN[1], "victim@evil.example", "everyone@evil.example",
}


def header_block(mime: bytes) -> bytes:
    return mime.split(b"\r\n\r\n", 1)[0]


def top_level_header_names(mime: bytes) -> list[str]:
    """Header names as they appear on the wire (continuation lines skipped)."""
    names = []
    for line in header_block(mime).split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue
        name, sep, _ = line.partition(b":")
        assert sep, f"header line without a colon: {line!r}"
        names.append(name.decode("ascii").lower())
    return names


def body_text(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def message_id_in(raw: bytes) -> str:
    parsed = parse_message(raw)
    assert not isinstance(parsed, ParseFailure)
    return parsed.message_id


# The headers of a plain UTF-8 text mail (Outlook adds "Content-Transfer-Encoding: 8bit").
PLAIN_UTF8 = ("MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"')


class Council:
    """A council of its own under `home`: a CSV directory, a config file, its database
    (SQLite there, or the test run's PostgreSQL) and a memory mailbox. Mail is written in
    as people send it, the daemon's jobs run at a `now` the test gives, and what left is
    read back. Close it (or use `with`).

    What differs from one test module's council to another's is a parameter: the people,
    the pack, `config` (TOML added after [classifier], such as [routing] or [digest]),
    the classifier threshold, and how the mail written in looks (`message_ids` prefix,
    `mail_headers` after the threading headers, `encoded_subjects` as RFC 2047 words,
    `reply_quotes` lines of the mail answered quoted under a reply).
    """

    def __init__(
        self,
        home: Path,
        *,
        mailbox: str,
        members: Iterable[Sequence[str]],
        officers: Iterable[Sequence[str]],
        name: str = "Wiltshire Council",
        policy: str = "wiltshire",
        admins: Sequence[str] = (),
        threshold: float = 0.5,
        config: str = "",
        message_ids: str = "t",
        mail_headers: Sequence[str] = (),
        encoded_subjects: bool = False,
        reply_quotes: int = 0,
    ) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.mailbox = mailbox
        write_csv(home / "members.csv", ("name", "email", "ward", "language"), members)
        write_csv(home / "officers.csv",
                  ("name", "email", "service", "manager_email", "deputy_email"), officers)
        lines = [
            "[council]",
            f"name = {_toml_str(name)}",
            f"policy = {_toml_str(policy)}",
            "[mailbox]",
            f"address = {_toml_str(mailbox)}",
            "[directory]",
            'members = "members.csv"',
            'officers = "officers.csv"',
            *([f"admins = [{', '.join(_toml_str(a) for a in admins)}]"] if admins else []),
            "[classifier]",
            "train_if_missing = false",
            f"threshold = {threshold}",
        ]
        (home / "mailbot.toml").write_text("\n".join(lines) + "\n" + config, encoding="utf-8")
        self.server = MemoryServer()
        self.app: App = build_app(
            load_settings(home / "mailbot.toml"),
            backend=MemoryMailbox(self.server),
            classifier=shared_rules_classifier(),
        )
        self.message_ids = message_ids
        self.mail_headers = tuple(mail_headers)
        self.encoded_subjects = encoded_subjects
        self.reply_quotes = reply_quotes
        self.count = 0  # mail written in
        self.seen = 0  # mail that left and has been read back

    def __enter__(self) -> Council:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.app.close()

    def mail(
        self,
        sender: str,
        subject: str,
        body: str,
        *,
        cc: str = "",
        in_reply_to: str = "",
        extra: str = "",
        date: datetime = NOW - timedelta(hours=2),
    ) -> bytes:
        """A mail to the shared mailbox, as a member's or officer's client sends it."""
        self.count += 1
        if self.encoded_subjects:
            subject = f"=?utf-8?b?{base64.b64encode(subject.encode()).decode()}?="
        headers = [
            f"From: {sender}",
            f"To: {self.mailbox}",
            *([f"Cc: {cc}"] if cc else []),
            f"Subject: {subject}",
            f"Message-ID: <{self.message_ids}{self.count}@test.example>",
            f"Date: {date.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
            *([f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"] if in_reply_to else []),
            *([extra] if extra else []),
            *self.mail_headers,
        ]
        return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()

    def reply(
        self,
        to: EmailMessage,
        sender: str,
        first_line: str,
        *,
        date: datetime = NOW - timedelta(hours=2),
    ) -> bytes:
        """`sender`'s answer to `to`, in its thread: `first_line`, then the first
        `reply_quotes` lines of `to`'s text quoted, as Outlook puts them under a reply."""
        body = first_line
        if self.reply_quotes:
            text = body_text(to, "plain")
            quoted = "\n".join(f"> {line}" for line in text.splitlines()[: self.reply_quotes])
            body = f"{first_line}\n\n{quoted}"
        return self.mail(sender, f"RE: {to['Subject']}", body,
                         in_reply_to=str(to["Message-ID"]), date=date)

    def deliver(self, raw: bytes, now: datetime = NOW) -> list[EmailMessage]:
        """Deliver, poll, flush: the mails that left during this step."""
        self.server.deliver(raw)
        poll(self.app, now)
        return self.flush(now)

    def flush(self, now: datetime) -> list[EmailMessage]:
        """Flush the outbox: the mails that left since last asked."""
        flush_outbox(self.app, now)
        return [message for _, message in self.left()]

    def left(self) -> list[tuple[tuple[str, ...], EmailMessage]]:
        """What left since last asked: (envelope recipients, parsed message)."""
        out = [(recipients, parse_sent(mime))
               for recipients, mime in self.server.outgoing[self.seen :]]
        self.seen = len(self.server.outgoing)
        return out

    def case(self, ref: str | None = None) -> CaseRow:
        """The case with this ref, or the newest case."""
        found = rows(self.app, CaseRow, *([CaseRow.ref == ref] if ref else []))
        return found[-1]

    def events(self, action: str) -> list[EventRow]:
        return rows(self.app, EventRow, EventRow.action == action)


def council_with_sam(home: Path, pack: str) -> Council:
    """A council under `pack` whose cases go to Sam unless the pack routes them elsewhere;
    Jo reads English, Rhian Welsh."""
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", name=f"{pack.title()} Council",
        policy=pack,
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{domain}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    )


def by_recipient(messages: Iterable[EmailMessage]) -> dict[str, EmailMessage]:
    """Mails by their To header (one mail to each in the tests that use this)."""
    return {str(message["To"]): message for message in messages}


def mailbot_process(config: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`python -m mailbot ARGS --config CONFIG` in its own process (a daemon, say), logging
    at INFO to `log`, appended to."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "mailbot", *args, "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env={**os.environ, "MAILBOT_LOGGING__LEVEL": "INFO"},
        )


# How long a test waits for a `mailbot run` subprocess to get somewhere: its start on a
# loaded machine (importing spaCy, loading the model) included.
DAEMON_WAIT_SECONDS = 180


def mailbot_command(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m mailbot ARGS --config CONFIG`, run to its end: what an administrator runs."""
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=60, check=False,
    )


def wait_for_daemon(
    daemon: subprocess.Popen[bytes], log: Path, done: Callable[[], bool],
    seconds: float = DAEMON_WAIT_SECONDS,
) -> None:
    """Until `done()`; fails, with the daemon's log, if the daemon ends or time runs out."""
    deadline = time.monotonic() + seconds
    while not done():
        assert daemon.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def stop_daemon(daemon: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, as systemctl stop sends it: the daemon must end cleanly (exit 0)."""
    daemon.send_signal(signal.SIGTERM)
    try:
        assert daemon.wait(timeout=60) == 0, log.read_text()
    finally:
        if daemon.poll() is None:
            daemon.kill()


@contextlib.contextmanager
def council_with_a_pothole(
    folder: Path, officers: list[tuple[str, str, str, str, str]]
) -> Iterator[Council]:
    """Test Council (memberenquiries@council.gov.uk) with `officers`, where Cllr Jo Bloggs
    (jo.bloggs@council.gov.uk) has reported a pothole on Castle Road with Sam Patel
    (sam.patel@council.gov.uk) copied in: Message-ID <t1@test.example>, and what mailbot
    sent about it already taken (Council.left)."""
    jo, sam = "jo.bloggs@council.gov.uk", "sam.patel@council.gov.uk"
    with Council(
        folder, name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")], officers=officers,
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        made.deliver(made.mail(f"Cllr Jo Bloggs <{jo}>", "Pothole on Castle Road",
                               "A deep pothole by no. 12.", cc=sam))
        made.left()
        yield made


# A daemon that polls and sends every 5 s: maildir_council(extra=...) for `mailbot run`.
EVERY_FIVE_SECONDS = "[scheduler]\npoll_seconds = 5\nflush_seconds = 5\n"

MAILDIR_COUNCIL_CONFIG = """
[council]
name = "Test Council"
policy = "mwda"
[mailbox]
backend = "maildir"
address = "{mailbox}"
[directory]
members = "members.csv"
officers = "officers.csv"
admins = ["{admin}"]
[classifier]
train_if_missing = false
{extra}"""


def maildir_council(
    home: Path,
    *,
    address: str,
    member: str,
    admin: str,
    officers: str,
    templates: dict[str, str] | None = None,
    extra: str = "",
) -> Path:
    """A maildir council in `home`: members.csv with Cllr Bea Cole at `member`, officers.csv
    of `officers` (its text), the council's own `templates` (name -> text), and a
    mailbot.toml for mailbox `address` with `admin` as [directory] admins, and `extra`
    lines at its end. The config's path."""
    (home / "members.csv").write_text(f"name,email\nCllr Bea Cole,{member}\n")
    (home / "officers.csv").write_text(officers)
    for name, text in (templates or {}).items():
        path = home / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    config = home / "mailbot.toml"
    config.write_text(MAILDIR_COUNCIL_CONFIG.format(mailbox=address, admin=admin, extra=extra))
    mailbox.Maildir(str(home / "mailbox"), create=True)
    return config


def maildir_outbox(home: Path) -> list[EmailMessage]:
    """The mail a maildir council's daemon wrote to `home`/outbox, oldest name first."""
    parser = email.parser.BytesParser(policy=email.policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted((home / "outbox").glob("*.eml"))]


def maildir_answers(home: Path, message_id: str) -> list[EmailMessage]:
    """The mail in `home`/outbox that answers `message_id`."""
    return [m for m in maildir_outbox(home) if m["In-Reply-To"] == message_id]


def deliver_to_maildir(home: Path, number: int, *, sender: str, to: str, tag: str) -> str:
    """Enquiry `number` about a pothole from `sender`, put in `home`/mailbox; its
    Message-ID, <TAG-NUMBER@council.gov.uk>."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = f"Pothole on Mill Lane ({number})"
    mail["Message-ID"] = message_id = f"<{tag}-{number}@council.gov.uk>"
    mail.set_content("There is a deep pothole outside number 12. Could it be filled?")
    mailbox.Maildir(str(home / "mailbox"), create=False).add(mail.as_bytes())
    return message_id


def gmail_dsn(
    council: Council, original: EmailMessage, recipient: str, *, action: str = "failed",
    status: str = "5.1.1", diagnostic: str = "550-5.1.1 The email account that you tried "
    "to reach does not exist.",
) -> bytes:
    """A Gmail-shaped delivery status notification: our mail `original` did not reach
    `recipient`."""
    council.count += 1
    return (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\n"
        f"To: {council.mailbox}\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        f"Message-ID: <dsn{council.count}@mx.google.example>\r\n"
        "Date: Wed, 25 Nov 2026 11:00:00 +0000\r\nAuto-Submitted: auto-replied\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        f"--b\r\nContent-Type: text/plain\r\n\r\nYour message wasn't delivered to {recipient}.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; googlemail.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original['Message-ID']}\r\nSubject: {original['Subject']}\r\n\r\n"
        "--b--\r\n"
    ).encode()


def pothole_report(to: str, subject: str) -> bytes:
    """Cllr Jo Bloggs's report of a pothole to `to`, with a Message-ID of its own."""
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@councillors.example.gov.uk>\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "\r\n"
        "A resident reports a deep pothole outside number 12. Can highways repair it?\r\n"
    ).encode()


def subject_marked(raw: bytes, label: str) -> bytes:
    """`raw` with `label` after its subject: with a Message-ID of its own, a mail of its
    own. (The same mail under a new Message-ID is the same mail sent again: a chaser of
    the case it opened.)"""
    return re.sub(rb"(?im)^(Subject:[^\r\n]*)", lambda found: found.group(1) + b" (%s)" %
                  label.encode(), raw, count=1)
