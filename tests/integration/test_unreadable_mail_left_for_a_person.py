"""A message the mailbox fails to give, every time, for reasons mailbot does not know in
advance: Graph answers its /$value with a plain 500, Exchange answers a GetItem of it with
a SOAP fault (or an unexpected error for that item). Before, IMAP alone had the "two
failures" rule: on Graph and EWS such a message failed every poll at it for good, and no
mail behind it was read. And a message left for a person (this, or one Exchange cannot
convert to MIME) was named only in the log, which no administrator reads.

Now, through the real poll: the first poll fails, the second leaves the message in the
Inbox and reads the rest; the message is a quarantine row without bytes, `mailbot status`
lists it (and exits 1), the admins get one email, whatever the polls and restarts after,
and `mailbot quarantine done` takes it off the list."""

from __future__ import annotations

import email
import email.policy
import mailbox
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fakes.ews_council import basic_mailbox
from fakes.ews_server import FakeExchange, running
from fakes.graph_server import FakeGraph
from sqlalchemy import select
from typer.testing import CliRunner

from mailbot.app import App, build_app
from mailbot.backends.base import BackendError
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.cli import app as command_line
from mailbot.jobs import poll
from mailbot.model import MessageStatus
from mailbot.quarantine import NotQuarantined, list_quarantined, mark_dealt_with, raw_bytes
from mailbot.settings import load_settings
from mailbot.status import format_status, gather_status
from mailbot.store.tables import MessageRow, OutboxRow

MAILBOX = "memberenquiries@example.gov.uk"
ADMIN = "it-support@example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)

pytestmark = pytest.mark.timeout(120)


def member_email(label: str) -> bytes:
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: Member Enquiries <{MAILBOX}>\r\n"
        f"Subject: Pothole on Mill Lane ({label})\r\n"
        "Date: Thu, 26 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane?\r\n"
    ).encode("ascii")


def settings_for(tmp_path: Path, backend: str) -> Path:
    config = tmp_path / "mailbot.toml"
    config.write_text(
        f"""
[council]
policy = "wiltshire"
data_dir = "var"

[mailbox]
backend = "{backend}"
address = "{MAILBOX}"

[mailbox.graph]
tenant_id = "example.onmicrosoft.com"
client_id = "11111111-2222-3333-4444-555555555555"
client_secret = "not-used-the-test-injects-a-token"

[directory]
members = "{DEMO / "members.csv"}"
officers = "{DEMO / "officers.csv"}"
admins = ["{ADMIN}"]
""",
        encoding="utf-8",
    )
    return config


def cli(app: App, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command_line, [*args, "--config", str(app.settings.config_path)])
    return result.exit_code, result.output


def text_of(mime: bytes) -> str:
    message = email.message_from_bytes(mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return " ".join(str(body.get_content()).split())  # type: ignore[attr-defined]


def recorded(app: App) -> dict[str, str]:
    with app.store.transaction() as session:
        return {r.message_id: r.status for r in session.scalars(select(MessageRow))}


def alerts(app: App) -> list[OutboxRow]:
    with app.store.transaction() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.purpose == "left_unread_alert")
                               .order_by(OutboxRow.id))  # in the order they were queued
        return list(rows)


def left_rows(app: App) -> list[MessageRow]:
    with app.store.transaction() as session:
        return [r for r in session.scalars(select(MessageRow)) if r.raw == b""]


def check_left_for_a_person(app: App, ref: str, shown: str) -> None:
    """One quarantine row without bytes, one alert to the admins, the status says so."""
    (row,) = left_rows(app)
    assert row.status == MessageStatus.QUARANTINED
    assert row.backend_ref == ref
    assert f"left unread in {shown} of {MAILBOX}" in row.reason
    # Who sent it and its subject, which the server still gives: a person can find it.
    assert row.sender == "jo.bloggs@councillors.example.gov.uk"
    assert row.subject.startswith("Pothole on Mill Lane (")
    assert row.subject in row.reason
    (alert,) = alerts(app)
    assert alert.recipients == ADMIN
    assert b"left a message unread" in alert.mime
    assert row.subject in text_of(alert.mime)
    status = gather_status(app, NOW)
    assert not status.healthy
    text = format_status(status)
    assert f"row {row.id}  since" in text
    assert "mailbot quarantine done ROW" in text
    assert row.message_id not in text  # not among the quarantined mail mailbot holds
    assert [q.id for q in list_quarantined(app.store)] == [row.id]
    with pytest.raises(NotQuarantined, match="never read"):
        raw_bytes(app.store, row.id)


@contextmanager
def on_graph(tmp_path: Path) -> Iterator[tuple[FakeGraph, App]]:
    """mailbot polling the fake Graph (two tries, no waiting), closed when the block ends."""
    settings = load_settings(settings_for(tmp_path, "graph"))
    with FakeGraph(MAILBOX) as fake:
        backend = GraphMailbox(
            mailbox=MAILBOX, base_url=fake.base_url,
            token_provider=StaticTokenProvider(fake.token),
            backoff=Backoff(attempts=2, sleep=lambda _: None),
        )
        app = build_app(settings, backend=backend, classifier=rules_classifier())
        try:
            yield fake, app
        finally:
            app.close()


@contextmanager
def on_ews(tmp_path: Path) -> Iterator[tuple[FakeExchange, App]]:
    """mailbot polling the fake EWS server (two tries, no waiting), closed when the block
    ends."""
    settings = load_settings(settings_for(tmp_path, "graph"))
    with running(FakeExchange(mailbox_address=MAILBOX)) as (fake, base):
        backend = basic_mailbox(base, MAILBOX, attempts=2)
        app = build_app(settings, backend=backend, classifier=rules_classifier())
        try:
            yield fake, app
        finally:
            app.close()


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[tuple[FakeGraph, App]]:
    with on_graph(tmp_path) as polling:
        yield polling


def test_graph_a_message_that_fails_twice_is_left_reported_once_and_the_rest_read(
    graph: tuple[FakeGraph, App],
) -> None:
    fake, app = graph
    fake.deliver(member_email("first"))
    broken = fake.deliver(member_email("broken"))
    fake.deliver(member_email("third"))
    fake.broken.add(broken)

    with pytest.raises(BackendError, match="500"):
        poll(app, NOW)  # once may be a passing fault: the poll fails, nothing is skipped
    assert alerts(app) == []
    report = poll(app, NOW + timedelta(minutes=1))
    assert sorted(o.message_id for o in report.outcomes) == [
        "<first@councillors.example.gov.uk>", "<third@councillors.example.gov.uk>"]
    assert fake.messages_in("inbox") == [member_email("broken")]  # left, for a person
    check_left_for_a_person(app, broken, "Inbox")

    # Later polls, new mail, and a daemon restart that reads the Inbox afresh (a new
    # backend, the cursor gone): the failures are kept in the database, so the message is
    # not asked for again and the restart's first poll reads the mail behind it; the
    # message is recorded and the admins told once only.
    fake.deliver(member_email("fourth"))
    poll(app, NOW + timedelta(minutes=2))
    assert "<fourth@councillors.example.gov.uk>" in recorded(app)
    check_left_for_a_person(app, broken, "Inbox")
    restarted = build_app(app.settings, classifier=rules_classifier(), backend=GraphMailbox(
        mailbox=MAILBOX, base_url=fake.base_url, token_provider=StaticTokenProvider(fake.token),
        backoff=Backoff(attempts=2, sleep=lambda _: None),
    ))
    try:
        fake.expire_delta_tokens()
        fake.deliver(member_email("fifth"))
        poll(restarted, NOW + timedelta(minutes=3))
        assert "<fifth@councillors.example.gov.uk>" in recorded(app)
        assert fake.messages_in("inbox") == [member_email("broken")]
        check_left_for_a_person(app, broken, "Inbox")
    finally:
        restarted.close()

    (row,) = left_rows(app)
    mark_dealt_with(app.store, row.id, NOW, by="admin:test")
    status = gather_status(app, NOW)
    assert status.left_unread == [] and list_quarantined(app.store) == []


def test_graph_a_message_exchange_cannot_convert_is_reported_at_once(
    graph: tuple[FakeGraph, App],
) -> None:
    fake, app = graph
    fake.deliver(member_email("first"))
    encrypted = fake.deliver(member_email("smime"))
    fake.unconvertible.add(encrypted)
    poll(app, NOW)
    assert fake.messages_in("inbox") == [member_email("smime")]
    check_left_for_a_person(app, encrypted, "Inbox")
    (row,) = left_rows(app)
    assert "cannot convert it to MIME" in row.reason

    # What an administrator types.
    code, output = cli(app, "status")
    assert code == 1 and f"row {row.id}  since" in output
    code, output = cli(app, "quarantine", "retry", str(row.id))
    assert code != 0 and "was never read" in output
    code, output = cli(app, "quarantine", "done", str(row.id))
    assert code == 0, output
    code, output = cli(app, "status")
    assert "could not read" not in output


@pytest.fixture
def ews(tmp_path: Path) -> Iterator[tuple[FakeExchange, App]]:
    with on_ews(tmp_path) as polling:
        yield polling


@pytest.mark.parametrize("how", ["soap fault", "item error"])
def test_ews_an_item_that_fails_twice_is_left_reported_once_and_the_rest_read(
    ews: tuple[FakeExchange, App], how: str
) -> None:
    fake, app = ews
    fake.deliver(member_email("first"))
    broken = fake.deliver(member_email("broken"))
    fake.deliver(member_email("third"))
    if how == "soap fault":
        fake.broken.add(broken)  # the whole GetItem fails while it is in it
    else:
        fake.item_errors[broken] = "ErrorInternalServerError"

    for minute in range(3):
        try:
            poll(app, NOW + timedelta(minutes=minute))
        except BackendError:
            assert alerts(app) == []  # not given up on yet
    assert sorted(m for m, s in recorded(app).items() if s != MessageStatus.QUARANTINED) == [
        "<first@councillors.example.gov.uk>", "<third@councillors.example.gov.uk>"]
    assert list(fake.inbox.items) == [broken]
    check_left_for_a_person(app, broken, "Inbox")

    fake.deliver(member_email("fourth"))
    poll(app, NOW + timedelta(minutes=5))
    assert "<fourth@councillors.example.gov.uk>" in recorded(app)
    assert list(fake.inbox.items) == [broken]
    check_left_for_a_person(app, broken, "Inbox")


@pytest.mark.parametrize("what", ["dangling symlink", "symlink loop", "directory"])
def test_maildir_a_message_file_mailbot_cannot_read_is_left_and_reported_once(
    tmp_path: Path, what: str
) -> None:
    """Tests run as root, whom no file mode stops: a file mailbot may not open is played by
    what fails the same way for anyone (a symlink to a file gone or to itself; a directory
    where a message file should be, which the maildir listing passes over)."""
    config = settings_for(tmp_path, "maildir")
    config.write_text(config.read_text(encoding="utf-8")
                      + '[mailbox.maildir]\npath = "mail"\noutbox = "outbox"\n', encoding="utf-8")
    app = build_app(load_settings(config), classifier=rules_classifier())
    try:
        inbox = mailbox.Maildir(tmp_path / "mail", create=True)
        inbox.add(member_email("first"))
        bad = tmp_path / "mail" / "new" / "1764150000.M1P1.mailhost"
        if what == "dangling symlink":
            bad.symlink_to(tmp_path / "mail" / "gone-by-now")
        elif what == "symlink loop":
            bad.symlink_to(bad)
        else:
            bad.mkdir()
        inbox.add(member_email("third"))
        outcomes = []
        for minute in range(3):
            try:
                outcomes += poll(app, NOW + timedelta(minutes=minute)).outcomes
            except BackendError:
                assert alerts(app) == []  # not given up on yet
        assert sorted(o.message_id for o in outcomes) == [
            "<first@councillors.example.gov.uk>", "<third@councillors.example.gov.uk>"]
        # the others read and moved to Processed; this one left where it was
        assert [p.name for p in (tmp_path / "mail" / "new").iterdir()] == [bad.name]
        if what == "directory":  # not a message to the listing: nothing to report
            assert left_rows(app) == [] and alerts(app) == []
            return
        (row,) = left_rows(app)
        assert row.backend_ref == bad.name
        assert f"cannot read the file {bad}" in row.reason
        (alert,) = alerts(app)
        assert alert.recipients == ADMIN
        assert f"row {row.id}  since" in format_status(gather_status(app, NOW))
        inbox.add(member_email("fourth"))
        poll(app, NOW + timedelta(minutes=5))
        assert "<fourth@councillors.example.gov.uk>" in recorded(app)
        assert len(left_rows(app)) == 1 and len(alerts(app)) == 1
    finally:
        app.close()


def test_maildir_a_file_mailbot_may_not_open_is_left_when_run_as_another_user() -> None:
    """The real thing: a message file of mode 600 owned by root (another delivery agent's),
    read by mailbot running as nobody, in a child process (as the Dovecot fixture runs its
    server). The first fetch fails, the second reads the rest and hands the file over."""
    # pytest's own temporary folders are closed to other users: one in /tmp instead
    with tempfile.TemporaryDirectory(prefix="mailbot-maildir-") as where:
        _read_as_nobody(Path(where))


def _read_as_nobody(root: Path) -> None:
    import json
    import os
    import pwd

    from mailbot.backends.maildir import MaildirMailbox

    os.chmod(root, 0o755)
    inbox = mailbox.Maildir(root / "mail", create=True)
    inbox.add(member_email("first"))
    secret = inbox.add(member_email("secret"))
    inbox.add(member_email("third"))
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o777)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600 if secret in name else 0o666)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            nobody = pwd.getpwnam("nobody")
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            box = MaildirMailbox(root / "mail", outbox=root / "outbox",
                                 backoff=Backoff(attempts=1, sleep=lambda _: None))
            seen = []
            for _ in range(2):
                try:
                    got, _cursor = box.fetch_new(None)
                    seen.append([m.ref for m in got] + [f"left {x.ref}"
                                                        for x in box.take_left_unread()])
                except BackendError as error:
                    seen.append([f"failed: {error}"])
            os.write(writing, json.dumps(seen).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        seen = json.loads(pipe.read())
    os.waitpid(child, 0)
    assert "permission denied" in seen[0][0]
    others = sorted(key for key in inbox.iterkeys() if key != secret)
    assert sorted(seen[1][:2]) == others
    assert seen[1][2:] == [f"left {secret}"]


def test_graph_a_server_failing_on_every_message_is_not_blamed_on_each_one(
    graph: tuple[FakeGraph, App],
) -> None:
    """When Graph answers 500 for every message's /$value (a store failing over), leaving
    each for a person after two polls would send the admins an alert per message in the
    Inbox. Failures count only when another message of the same fetch was read (or the
    message was the only one tried): here the polls fail, as an outage, and nobody's mail
    is left behind; once the server is back, all of it is read."""
    fake, app = graph
    ids = [fake.deliver(member_email(label)) for label in ("one", "two", "three")]
    fake.broken.update(ids)
    for minute in range(4):
        with pytest.raises(BackendError, match="500"):
            poll(app, NOW + timedelta(minutes=minute))
    assert left_rows(app) == [] and alerts(app) == []
    fake.broken.clear()
    report = poll(app, NOW + timedelta(minutes=5))
    assert len(report.outcomes) == 3
    assert fake.messages_in("inbox") == []
    assert left_rows(app) == [] and alerts(app) == []


def test_graph_a_broken_message_alone_in_the_inbox_is_left_after_two_polls(
    graph: tuple[FakeGraph, App],
) -> None:
    fake, app = graph
    broken = fake.deliver(member_email("alone"))
    fake.broken.add(broken)
    with pytest.raises(BackendError, match="500"):
        poll(app, NOW)
    poll(app, NOW + timedelta(minutes=1))
    (row,) = left_rows(app)
    assert row.backend_ref == broken and len(alerts(app)) == 1


def test_many_messages_left_at_once_send_at_most_five_alerts_a_day(tmp_path: Path) -> None:
    """A mail store whose files all became unreadable (restored with the wrong owner),
    with one good message among them: each file is left for a person and listed, but the
    admins get five alert mails in a day, not one per file; the fifth says so."""
    config = settings_for(tmp_path, "maildir")
    config.write_text(config.read_text(encoding="utf-8")
                      + '[mailbox.maildir]\npath = "mail"\noutbox = "outbox"\n', encoding="utf-8")
    app = build_app(load_settings(config), classifier=rules_classifier())
    try:
        inbox = mailbox.Maildir(tmp_path / "mail", create=True)
        for n in range(8):
            (tmp_path / "mail" / "new" / f"17641500{n:02d}.M1P1.mailhost").symlink_to(
                tmp_path / "gone")
        inbox.add(member_email("good"))
        with pytest.raises(BackendError):
            poll(app, NOW)
        poll(app, NOW + timedelta(minutes=1))
        assert len(left_rows(app)) == 8
        sent = alerts(app)
        assert len(sent) == 5
        texts = [text_of(alert.mime) for alert in sent]
        assert "the most mailbot sends" in texts[-1]
        assert all("the most mailbot sends" not in text for text in texts[:-1])
        assert "8 message(s) mailbot could not read" in format_status(gather_status(app, NOW))
    finally:
        app.close()
